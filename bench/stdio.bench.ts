/**
 * npm run bench:stdio — tool call latency over stdio, as a desktop client sees it: the built server
 * spawned by a real MCP client on a fresh PGlite, decide_channel on one lead, warm.
 * Target (DESIGN.md §8): p50 ≤ 2 ms, p99 ≤ 10 ms.  Flags: --calls 2000
 * BENCH_SERVER_NODE_ARGS: node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (written at exit).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { MAIN } from '../test/helpers/spawn.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '2000' } } });
const N = Number(values.calls);
const dir = mkdtempSync(join(tmpdir(), 'bench-stdio-'));
writeFileSync(
  join(dir, 'leads.csv'),
  'Empresa;Contato;CNPJ;Celular\nPadaria Sol;Maria;11.222.333/0001-81;(11) 98765-4321\n',
);
const client = new Client({ name: 'bench', version: '1' });
await client.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), MAIN],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AGENTE_DATA_DIR: dir,
      AGENTE_INGEST_DIRS: dir,
      AGENTE_LOG_LEVEL: 'warn',
    },
  }),
);
await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dir, 'leads.csv') } });
const [lead] = (
  (await client.callTool({ name: 'query_leads', arguments: {} })).structuredContent as {
    leads: Array<{ lead_id: string }>;
  }
).leads;
const args = { name: 'decide_channel', arguments: { lead_id: lead.lead_id } };
for (let i = 0; i < 200; i++) await client.callTool(args); // warm-up
const times: number[] = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  await client.callTool(args);
  times.push(performance.now() - t);
}
await client.close();
rmSync(dir, { recursive: true, force: true });
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
console.log(`\n## decide_channel over stdio, warm (${N} calls, PGlite)\n`);
console.log('| p50 ms | p90 ms | p99 ms | max ms |\n|---|---|---|---|');
console.log(`| ${q(0.5)} | ${q(0.9)} | ${q(0.99)} | ${times[times.length - 1].toFixed(2)} |`);
