/**
 * `agente-disparo-agenda registry import` as an operator runs it: a real process on a PGlite data
 * directory, the file inside AGENTE_INGEST_DIRS (the ingest's folder rule), a file elsewhere refused.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, runMain, tempDir } from '../helpers/spawn.js';

describe('registry import command', () => {
  const dir = tempDir('registry-cli-');
  const inbox = join(dir, 'inbox');
  mkdirSync(inbox);
  const env = cleanEnv({ AGENTE_DATA_DIR: join(dir, 'data'), AGENTE_INGEST_DIRS: inbox, AGENTE_TENANT: 'cli-reg' });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports the numbers, reports the bad ones, and a second file replaces the first', async () => {
    const file = join(inbox, 'nao-me-ligue.csv');
    writeFileSync(file, 'Telefone\n(11) 98765-4001\n+55 11 98765-4002\n999\n12345678901\n');
    const r = await runMain(['registry', 'import', file, '--date', '2026-11-01'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out).toMatchObject({ source: 'sp_nao_me_ligue', numbers: 2, replaced: 0, effective_from: '2026-12-01' });
    expect(out.problems).toEqual([expect.stringMatching(/^linha 5: 12345678901: .*número não importado$/)]);
    expect(r.stderr).toContain('sp_nao_me_ligue: 2 number(s) in force from 2026-12-01, 0 replaced, 1 problem(s)');

    writeFileSync(file, 'Telefone\n(11) 98765-4003\n');
    const again = await runMain(['registry', 'import', file], env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim())).toMatchObject({ numbers: 1, replaced: 2 });
  }, 120_000);

  it('refuses a file outside the ingest folders, and a bad registry name', async () => {
    const outside = join(dir, 'fora.csv');
    writeFileSync(outside, 'Telefone\n(11) 98765-4001\n');
    const r = await runMain(['registry', 'import', outside], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/AGENTE_INGEST_DIRS|outside|fora|not inside/i);
    const bad = await runMain(['registry', 'import', outside, '--registry', 'Não Me Ligue'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--registry: lowercase letters');
  }, 120_000);
});
