/**
 * npm run bench:http-flood — what a session flood makes the HTTP server hold (issue #12). The built
 * server (`serve --http`, default limits, no heap cap) on PostgreSQL, loopback only:
 *  1. 50,000 initialize-only sessions from one token (no DELETE, as most clients do), `--concurrency`
 *     at a time; RSS sampled as it goes;
 *  2. the total cap filled with live sessions (AGENTE_HTTP_MAX_SESSIONS = 2,000 by default: 4 tenants ×
 *     5 tokens × 100), the most the default limits let the process keep;
 *  3. a new client (another tenant's token) initializes and calls get_status after each.
 * Prints peak RSS (VmHWM) next to the bound. Before issue #12 the first flood took the process to 1.9 GB
 * at 20,000 sessions and would have crashed it near 45,000.  Flags: --sessions 50000 --concurrency 16
 * --bound-mb 300 (the test-sized version of 1. is test/e2e/http-limits.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pg from 'pg';
import { createToken } from '../src/auth/tokens.js';
import { openDb } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { startCluster } from '../test/helpers/pg-cluster.js';
import { MAIN } from '../test/helpers/spawn.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '50000' },
    concurrency: { type: 'string', default: '16' },
    'bound-mb': { type: 'string', default: '300' },
  },
});
const N = Number(values.sessions);
const C = Number(values.concurrency);
const BOUND = Number(values['bound-mb']);

const cluster = process.env.BENCH_DATABASE_URL ? null : await startCluster();
const admin = process.env.BENCH_DATABASE_URL ?? cluster!.url;
const mb = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const body = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'flood', version: '1' } },
});

let server: ChildProcess | undefined;
try {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query('drop database if exists bench_http_flood');
  await c.query('create database bench_http_flood');
  await c.end();
  const u = new URL(admin);
  u.pathname = '/bench_http_flood';
  const db = await openDb({ databaseUrl: u.toString() });
  await migrate(db);
  await db.useAppRole();
  const flooder = (await createToken(db.kysely, 'flood')).token;
  const fresh = (await createToken(db.kysely, 'novo')).token;
  const fillers: string[] = [];
  for (let t = 0; t < 4; t++)
    for (let k = 0; k < 5; k++) fillers.push((await createToken(db.kysely, `cheio-${t}`)).token);
  await db.close();

  server = spawn(process.execPath, [MAIN, 'serve', '--http', '--port', '0'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: u.toString(), AGENTE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    server!.stderr!.on('data', (d) => {
      err += d;
      const m = /listening on (\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    server!.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  const pid = server.pid!;
  const startRss = mb(pid, 'VmRSS');

  const initialize = async (token: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token}`,
      },
      body,
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`initialize answered ${res.status}: ${text}`);
  };
  const newClientMs = async () => {
    const t = performance.now();
    const client = new Client({ name: 'bench-new-client', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${fresh}` } },
      }),
    );
    const status = await client.callTool({ name: 'get_status', arguments: {} });
    if ((status.structuredContent as { tenant: { slug: string } }).tenant.slug !== 'novo')
      throw new Error('wrong tenant');
    await client.close();
    return performance.now() - t;
  };

  const rows: string[] = [];
  // 1. One token, N sessions, never closed by the client.
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const samples: string[] = [];
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) {
        next++;
        await initialize(flooder);
        if (++done % 10_000 === 0) samples.push(`${done.toLocaleString('en-US')}: ${mb(pid, 'VmRSS').toFixed(0)} MB`);
      }
    }),
  );
  const floodS = (performance.now() - t0) / 1000;
  const afterFlood = mb(pid, 'VmRSS');
  const ms1 = await newClientMs();
  rows.push(
    `| ${N.toLocaleString('en-US')} sessions from one token | ${floodS.toFixed(1)} | ${Math.round(N / floodS)} | ` +
      `${startRss.toFixed(0)} → ${afterFlood.toFixed(0)} | ${mb(pid, 'VmHWM').toFixed(0)} | ${ms1.toFixed(0)} |`,
  );
  console.error(`RSS while flooding: ${samples.join(', ')}`);

  // 2. The default total cap, filled with live sessions of 20 tokens in 4 tenants.
  const t1 = performance.now();
  await Promise.all(
    fillers.map(async (token) => {
      for (let i = 0; i < 100; i++) await initialize(token);
    }),
  );
  const fillS = (performance.now() - t1) / 1000;
  const ms2 = await newClientMs();
  rows.push(
    `| 2,000 live sessions (the default AGENTE_HTTP_MAX_SESSIONS), 20 tokens | ${fillS.toFixed(1)} | ${Math.round(2000 / fillS)} | ` +
      `${afterFlood.toFixed(0)} → ${mb(pid, 'VmRSS').toFixed(0)} | ${mb(pid, 'VmHWM').toFixed(0)} | ${ms2.toFixed(0)} |`,
  );
  const peak = mb(pid, 'VmHWM');
  console.log(`\n## HTTP session flood (default limits, PostgreSQL, concurrency ${C})\n`);
  console.log(
    '| flood | s | sessions/s | RSS MB (before → after) | peak RSS MB | new client: initialize + get_status ms |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
  console.log(`\npeak RSS ${peak.toFixed(0)} MB, bound ${BOUND} MB: ${peak <= BOUND ? 'within ✓' : 'OVER ✗'}`);
  if (peak > BOUND) process.exitCode = 1;
} finally {
  server?.kill('SIGTERM');
  cluster?.stop();
}
