import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, MAIN, tempDir } from '../helpers/spawn.js';

/*
 * The hole of issue #12: desktop clients start servers with cwd "/", and the working directory used to
 * be an import folder, so `ingest_leads {"file_path": "/etc/passwd", "column_map": {...}}` imported the
 * file's lines as leads. The built server, spawned over stdio from "/" with nothing configured (as Claude
 * Desktop does), must read files only from its inbox, and nothing of a refused or unreadable file may
 * come back in an answer or reach the log (debug level, so every tool call is logged).
 */
const MARKER = 'SEGREDO-7f3a9c-NAO-PODE-VAZAR';

describe('ingest_leads file_path over stdio, started from "/" (the Claude Desktop case)', () => {
  let client: Client;
  let stderr = '';
  let dataDir: string;
  let inbox: string;
  const answers: string[] = [];
  const passwdLines = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .filter((l) => l.length > 8);

  const ingest = async (args: Record<string, unknown>) => {
    const res = (await client.callTool({ name: 'ingest_leads', arguments: args })) as any;
    answers.push(JSON.stringify(res));
    return res;
  };
  const text = (res: any) => res.content.map((c: any) => c.text).join('\n');

  beforeAll(async () => {
    dataDir = tempDir('paths-');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN],
      cwd: '/',
      env: cleanEnv({ AGENTE_DATA_DIR: dataDir, AGENTE_LOG_LEVEL: 'debug' }) as Record<string, string>,
      stderr: 'pipe',
    });
    transport.stderr!.on('data', (d) => (stderr += d));
    client = new Client({ name: 'paths-e2e', version: '1.0.0' });
    await client.connect(transport);
    inbox = join(dataDir, 'inbox');
    // Outside the inbox but next to it: a file a symlink and `..` will try to reach.
    writeFileSync(join(dataDir, 'segredo.csv'), `Empresa;Telefone\n${MARKER};(11) 98765-4321\n`);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('creates the inbox at start and names it in get_status as the only folder', async () => {
    const status = (await client.callTool({ name: 'get_status', arguments: {} })) as any;
    expect(status.structuredContent.ingest).toEqual({ folders: [inbox], inbox });
    expect(existsSync(inbox)).toBe(true);
    expect(text(status)).toContain(`ingest_leads file_path: ${inbox}`);
  });

  it('refuses /etc/passwd (absolute, and relative to the working directory "/"), saying how to allow a folder', async () => {
    const columnMap = { root: 'name' };
    const abs = await ingest({ file_path: '/etc/passwd', column_map: columnMap });
    expect(abs.isError).toBe(true);
    expect(text(abs)).toMatch(/^forbidden: \/etc\/passwd is outside the folder this server may read/);
    expect(text(abs)).toContain(inbox);
    expect(text(abs)).toContain('AGENTE_INGEST_DIRS');
    const rel = await ingest({ file_path: 'etc/passwd', column_map: columnMap });
    expect(rel.isError).toBe(true);
    expect(text(rel)).toMatch(/^invalid_argument: file_path must be an absolute path inside/);
  });

  it('refuses `..` out of the inbox and a symlink in the inbox that points out of it', async () => {
    const dots = await ingest({ file_path: `${inbox}/../segredo.csv` });
    expect(dots.isError).toBe(true);
    expect(text(dots)).toMatch(/^forbidden: /);
    symlinkSync(join(dataDir, 'segredo.csv'), join(inbox, 'atalho.csv'));
    symlinkSync('/etc/passwd', join(inbox, 'passwd.csv'));
    for (const name of ['atalho.csv', 'passwd.csv']) {
      const link = await ingest({ file_path: join(inbox, name), column_map: { root: 'name' } });
      expect(link.isError).toBe(true);
      expect(text(link)).toMatch(/^forbidden: .* leads \(through a symbolic link\) outside/);
    }
  });

  it('a file in the inbox that cannot be imported fails without quoting it', async () => {
    writeFileSync(join(inbox, 'sem-cabecalho.csv'), `${MARKER};${MARKER}\n${MARKER};x\n`);
    writeFileSync(join(inbox, 'aspas.csv'), `Empresa;Telefone\n"${MARKER};(11) 98765-4321\n`);
    for (const name of ['sem-cabecalho.csv', 'aspas.csv']) {
      const res = await ingest({ file_path: join(inbox, name) });
      const job = res.structuredContent?.job;
      expect(res.isError || job?.status === 'falhou', text(res)).toBe(true);
    }
  });

  it('a file in the inbox imports (the refusals above are the policy, not a broken import)', async () => {
    writeFileSync(join(inbox, 'leads.csv'), 'Empresa;Celular\nPadaria Boa;(11) 98765-4321\n');
    const ok = await ingest({ file_path: join(inbox, 'leads.csv') });
    expect(ok.isError, text(ok)).toBeFalsy();
    expect(ok.structuredContent.job).toMatchObject({ status: 'concluido', counts: { leads_created: 1 } });
  });

  it('nothing of the refused or unreadable files is in any answer or in the log, and no lead came from them', async () => {
    const leads = (await client.callTool({ name: 'query_leads', arguments: { limit: 100 } })) as any;
    answers.push(JSON.stringify(leads));
    expect(leads.structuredContent.leads.map((l: any) => l.name)).toEqual(['Padaria Boa']);
    const jobs = (await client.callTool({ name: 'job_status', arguments: {} })) as any;
    answers.push(JSON.stringify(jobs));
    const all = answers.join('\n');
    for (const where of [all, stderr]) {
      expect(where).not.toContain(MARKER);
      for (const line of passwdLines) expect(where).not.toContain(line);
    }
    expect(stderr).toContain('"tool":"ingest_leads"'); // the debug log did record the calls
  });
});
