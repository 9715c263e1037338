import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/**
 * The end-to-end demo: starts this server over stdio through a real MCP client, exactly as Claude
 * Desktop would, on a fresh embedded PGlite, and walks through the flow. Output goes to stdout:
 * the demo is a CLI command, not the stdio server.
 */
export async function runDemo(mainScript: string): Promise<number> {
  const dataDir = process.env.AGENTE_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'agente-demo-'));
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`▶ Starting agente-disparo-agenda over stdio (data: ${dataDir})`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [mainScript],
    env: {
      ...(process.env as Record<string, string>),
      AGENTE_DATA_DIR: dataDir,
      AGENTE_LOG_LEVEL: process.env.AGENTE_LOG_LEVEL ?? 'warn',
    },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'agente-demo', version: '1.0.0' });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    say(`\n▶ ${tools.length} tools: ${tools.map((t) => t.name).join(', ')}`);
    const status = await client.callTool({ name: 'get_status', arguments: {} });
    say(`\n▶ get_status\n${textOf(status)}`);
    say('\n✔ Demo finished.');
    return 0;
  } finally {
    await client.close();
  }
}

function textOf(result: unknown): string {
  const r = result as { content?: Array<{ type: string; text?: string }> };
  return (r.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}
