import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runMain, tempDir } from '../helpers/spawn.js';

/**
 * `agente-disparo-agenda lgpd …` on a fresh PGlite data dir: a request opened, listed, an export
 * written to two files readable only by their owner, stdout naming the files and counts only.
 */
describe('lgpd command', () => {
  it(
    'opens and lists a request, and writes the export as JSON and CSV under the data dir',
    { timeout: 180_000 },
    async () => {
      const dataDir = tempDir('lgpd-cli-');
      const env = cleanEnv({ AGENTE_DATA_DIR: dataDir, AGENTE_TENANT: 'lgpd-cli' });
      const open = await runMain(['lgpd', 'open', '--type', 'access', '--email', 'Titular@Exemplo.com.br'], env);
      expect(open.code, open.stderr).toBe(0);
      const opened = JSON.parse(open.stdout);
      expect(opened.requests[0]).toMatchObject({ type: 'access', status: 'open', overdue: false });
      expect(open.stdout).not.toContain('titular@exemplo.com.br');

      const list = await runMain(['lgpd', 'list', '--email', 'titular@exemplo.com.br'], env);
      expect(JSON.parse(list.stdout).requests.map((r: any) => r.request_id)).toEqual([opened.requests[0].request_id]);

      const bad = await runMain(['lgpd', 'open', '--type', 'forget', '--email', 'a@b.com'], env);
      expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('type')]);

      const exp = await runMain(['lgpd', 'export', '--email', 'titular@exemplo.com.br'], env);
      expect(exp.code, exp.stderr).toBe(0);
      const files = JSON.parse(exp.stdout);
      expect(files.json.startsWith(`${dataDir}/lgpd/`)).toBe(true);
      for (const f of [files.json, files.csv]) expect(statSync(f).mode & 0o777).toBe(0o600);
      const json = JSON.parse(readFileSync(files.json, 'utf8'));
      expect(json.tabelas.lgpd_solicitacoes.map((r: any) => r.solicitacao_id)).toEqual([opened.requests[0].request_id]);
      expect(json.tabelas.leads).toEqual([]);
      const csv = readFileSync(files.csv, 'utf8').split('\n');
      expect(csv[0]).toBe('tabela,id,coluna,valor');
      expect(csv).toContain(`lgpd_solicitacoes,${opened.requests[0].request_id},tipo,acesso`);
    },
  );
});
