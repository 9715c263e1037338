/**
 * npm run bench:downstream — a soak of the downstream MCP client over Streamable HTTP: N sequential
 * tool calls through McpClientPool (the channel layer's client) to a downstream HTTP MCP server in
 * another process (test/fixtures/http-echo-server.mjs), on one connection. Prints RSS and heap at the
 * start (after 1,000 warm-up calls), the middle and the end (each after a GC), the abort listeners on
 * the SDK transport's shared signal, and how many MaxListenersExceededWarning were emitted.
 *
 * The SDK 1.32 transport reuses one AbortSignal for every request and leaks a listener per call;
 * src/channels/http-fetch.ts gives each request its own. `--sdk-fetch` runs the SDK's fetch as it is,
 * to see the leak.  Flags: --calls 100000 [--sdk-fetch]
 */
import { spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { McpClientPool } from '../src/channels/pool.js';
import { silentLogger } from '../src/core/ports.js';
import { ROOT } from '../test/helpers/spawn.js';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '100000' }, 'sdk-fetch': { type: 'boolean', default: false } },
});
const N = Number(values.calls);
const WARMUP = 1000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) process.stderr.write('(run with node --expose-gc for RSS after GC: npm run bench:downstream does)\n');

const child = spawn(process.execPath, [join(ROOT, 'test', 'fixtures', 'http-echo-server.mjs')], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
const port = await new Promise<number>((ok, fail) => {
  const t = setTimeout(() => fail(new Error('the downstream server did not start')), 10_000);
  child.stderr!.on('data', (d) => {
    const m = /port (\d+)/.exec(String(d));
    if (m) {
      clearTimeout(t);
      ok(Number(m[1]));
    }
  });
});

let warnings = 0;
process.on('warning', (w) => {
  if (w.name === 'MaxListenersExceededWarning') warnings++;
});

const pool = new McpClientPool(
  { echo: { url: `http://127.0.0.1:${port}/mcp`, headers: {} } },
  silentLogger,
  !values['sdk-fetch'],
);

async function listeners(): Promise<number | string> {
  const conn = await (pool as unknown as { connections: Map<string, Promise<any>> }).connections.get('echo');
  const signal: AbortSignal | undefined = conn?.client?.transport?._abortController?.signal;
  return signal ? getEventListeners(signal, 'abort').length : '?';
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
async function sample(label: string, i: number) {
  gc?.();
  const m = process.memoryUsage();
  const row = {
    label,
    calls: i,
    rss: mb(m.rss),
    heap: mb(m.heapUsed),
    external: mb(m.external),
    abort_listeners: await listeners(),
    warnings,
  };
  console.log(JSON.stringify(row));
  return m.rss;
}

const call = (i: number) =>
  pool.call('echo', 'send_message', { to: '+5511987654321', text: `oi ${i}` }, { timeoutMs: 10_000 });
for (let i = 0; i < WARMUP; i++) await call(i);
const rss0 = await sample('start', 0);
const t0 = performance.now();
let rssMid = rss0;
for (let i = 1; i <= N; i++) {
  await call(i);
  if (i === Math.floor(N / 2)) rssMid = await sample('middle', i);
}
const secs = (performance.now() - t0) / 1000;
const rssEnd = await sample('end', N);
console.log(
  `${N} calls in ${secs.toFixed(1)} s (${Math.round(N / secs)}/s); RSS start ${mb(rss0)}, middle ${mb(rssMid)}, end ${mb(rssEnd)} ` +
    `(${rssEnd > rss0 ? '+' : ''}${mb(rssEnd - rss0)}); MaxListenersExceededWarning: ${warnings}` +
    (values['sdk-fetch'] ? ' [SDK fetch, unpatched]' : ''),
);
await pool.close();
child.kill('SIGTERM');
