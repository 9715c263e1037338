import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/spawn.js';

/*
 * The Claude Desktop snippet of README.md, taken from the README itself and spawned as Claude Desktop
 * would: its `command`, its `args` and its `env` (the SDK adds the same safe default environment —
 * PATH, HOME... — that clients pass). The only change is the README's two placeholder paths, replaced
 * by this checkout and a temporary data directory. If the snippet drifts (a renamed file, a wrong
 * variable), this fails.
 */
const CHECKOUT = '/absolute/path/to/agente-disparo-agenda';
const DATA = '/absolute/path/to/agente-data';

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
    const fill = (s: string) => s.replaceAll(CHECKOUT, ROOT).replaceAll(DATA, dataDir);
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
    } finally {
      await client.close();
    }
  });
});
