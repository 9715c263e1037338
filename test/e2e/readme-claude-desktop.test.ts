import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/spawn.js';

/*
 * The Claude Desktop snippet of README.md, taken from the README itself and spawned as Claude Desktop
 * would: its `command`, its `args` and its `env` (the SDK adds the same safe default environment —
 * PATH, HOME... — that clients pass). The only change is the README's three placeholder paths, replaced
 * by this checkout, a temporary data directory and a temporary spreadsheet folder. If the snippet drifts (a renamed file, a wrong
 * variable), this fails.
 */
const CHECKOUT = '/absolute/path/to/agente-disparo-agenda';
const DATA = '/absolute/path/to/agente-data';
const SHEETS = '/absolute/path/to/planilhas';

describe('the Claude Desktop configuration in README.md', () => {
  it('spawns a server that completes initialize and tools/list over stdio', { timeout: 120_000 }, async () => {
    const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
    const block = [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((m) => m[1])
      .find((b) => b.includes('"mcpServers"'));
    expect(block, 'README.md has a ```json block with "mcpServers"').toBeDefined();
    const config = JSON.parse(block!) as {
      mcpServers: Record<string, { command: string; args: string[]; env?: Record<string, string> }>;
    };
    const [name, entry] = Object.entries(config.mcpServers)[0];
    expect(name).toBe('agente-disparo-agenda');
    expect(entry.args.join(' ')).toContain(CHECKOUT);
    const dataDir = tempDir('readme-');
    const sheets = tempDir('readme-sheets-');
    writeFileSync(join(sheets, 'leads.csv'), 'Empresa;Celular\nPadaria Boa;(11) 98765-4321\n');
    const fill = (s: string) => s.replaceAll(CHECKOUT, ROOT).replaceAll(DATA, dataDir).replaceAll(SHEETS, sheets);
    const env = Object.fromEntries(Object.entries(entry.env ?? {}).map(([k, v]) => [k, fill(v)]));

    const transport = new StdioClientTransport({
      command: entry.command,
      args: entry.args.map(fill),
      env,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
    try {
      await client.connect(transport);
      expect(client.getServerVersion()?.name).toBe('agente-disparo-agenda');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['get_status', 'ingest_leads', 'send_message']));
      const status = (await client.callTool({ name: 'get_status', arguments: {} })).structuredContent as any;
      // The snippet's env reached the server.
      expect(status.tenant.slug).toBe(env.AGENTE_TENANT);
      expect(status.dispatch.enabled).toBe(false);
      expect(JSON.stringify(status)).toContain(dataDir);
      // The snippet names the spreadsheet folder: files there import, nothing else is readable (issue #12).
      expect(entry.env?.AGENTE_INGEST_DIRS).toBe(SHEETS);
      expect(status.ingest.folders).toEqual([sheets]);
      const ok = (await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(sheets, 'leads.csv') } }))
        .structuredContent as any;
      expect(ok.job).toMatchObject({ status: 'concluido', counts: { leads_created: 1 } });
      const refused = await client.callTool({ name: 'ingest_leads', arguments: { file_path: '/etc/passwd' } });
      expect(refused.isError).toBe(true);
    } finally {
      await client.close();
    }
  });
});
