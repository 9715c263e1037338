/**
 * npm run bench:http — tool calls over Streamable HTTP: our server (`serve --http`, PostgreSQL, a
 * bearer token, default limits, sending off) against an echo server on the same SDK entry and the same
 * node:http bridge (bench/lib/http-echo-server.ts), in the same run, at 1, 10 and 50 concurrent
 * clients, each on its own keep-alive connection calling one tool in a loop.
 * The clients (bench/lib/mcp-load.ts) send exactly what an SDK client of the era sends and check every
 * answer, but cost little: on 2 cores, real SDK clients (--client sdk, run in child processes) spend
 * more CPU validating answers than the server spends making them, and measure themselves.
 * Prints calls/s, the ratio to echo, p50/p99, and CPU per call of the server process and of PostgreSQL.
 * Targets (issue #20): get_status ≥ 0.7 × echo, decide_channel ≥ 0.5 × echo.
 * Flags: --seconds 5 --clients 1,10,50 --tools get_status,decide_channel --era 2026-07-28|2025-11-25 --client raw|sdk --client-procs 2
 *   --rounds 1: echo then tool, that many times per tool and level; the row is the median-ratio round
 *   --explain: also print PostgreSQL's planning vs execution time of decide_channel's decision statement
 *   and its round trip unnamed vs prepared (bench/lib/explain-decision.ts)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pg from 'pg';
import { createToken } from '../src/auth/tokens.js';
import { openDb } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { startCluster } from '../test/helpers/pg-cluster.js';
import { MAIN } from '../test/helpers/spawn.js';
import { explainDecision } from './lib/explain-decision.js';
import { runLoad, type LoadJob, type Tally } from './lib/mcp-load.js';
import { procStat, serverCpuSampler } from './lib/proc.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '1,10,50' },
    'client-procs': { type: 'string', default: '2' },
    era: { type: 'string', default: '2026-07-28' },
    client: { type: 'string', default: 'raw' },
    child: { type: 'string' },
    explain: { type: 'boolean' },
    rounds: { type: 'string', default: '1' },
    tools: { type: 'string', default: 'get_status,decide_channel' },
  },
});

type Job = LoadJob;

/** A client process: `clients` SDK clients calling `tool` in a loop for `ms`; reports its tally on stdout. */
async function runClients(job: Job): Promise<Tally> {
  const headers = job.token ? { authorization: `Bearer ${job.token}` } : undefined;
  const opts = job.era === '2026-07-28' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {};
  const clients = await Promise.all(
    Array.from({ length: job.clients }, async () => {
      const c = new Client({ name: 'bench', version: '1' }, opts);
      await c.connect(new StreamableHTTPClientTransport(new URL(job.url), { requestInit: { headers } }));
      await c.listTools(); // what a client does first; also feeds its output-schema validation
      return c;
    }),
  );
  const tally: Tally = { calls: 0, latencies: [] };
  const call = () => clients[0].callTool({ name: job.tool, arguments: job.args });
  for (let i = 0; i < 20; i++) await call(); // warm-up
  const end = performance.now() + job.ms;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        const t = performance.now();
        const r = await c.callTool({ name: job.tool, arguments: job.args });
        tally.latencies.push(performance.now() - t);
        if (r.isError) throw new Error(`${job.tool} answered isError: ${JSON.stringify(r.content)}`);
        tally.calls++;
      }
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
  return tally;
}

if (values.child) {
  const tally = await runClients(JSON.parse(values.child) as Job);
  process.stdout.write(JSON.stringify(tally) + '\n');
  process.exit(0);
}

type Measured = Awaited<ReturnType<typeof measure>>;

/** Runs `clients` clients; returns calls/s, latencies, and CPU per call of the server and of PostgreSQL. */
async function measure(job: Omit<Job, 'clients'>, clients: number, serverPid: number, postmaster?: number) {
  const pgCpu = postmaster ? serverCpuSampler(postmaster) : undefined;
  const cpu0 = procStat(serverPid)!.cpu;
  const t0 = performance.now();
  const tallies = values.client === 'sdk' ? await sdkClients(job, clients) : [await runLoad({ ...job, clients })];
  const wall = (performance.now() - t0) / 1000;
  const cpu = procStat(serverPid)!.cpu - cpu0;
  const pgSeconds = pgCpu?.stop() ?? 0;
  const calls = tallies.reduce((a, t) => a + t.calls, 0);
  const lat = tallies.flatMap((t) => t.latencies).sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  return {
    rate: calls / (job.ms / 1000),
    p50: q(0.5),
    p99: q(0.99),
    cpuMsPerCall: (cpu * 1000) / calls,
    pgMsPerCall: (pgSeconds * 1000) / calls,
    wall,
  };
}

/** Real SDK clients in child processes (--client sdk). */
async function sdkClients(job: Omit<Job, 'clients'>, clients: number): Promise<Tally[]> {
  const procs = Math.min(Number(values['client-procs']), clients);
  const per = Array.from({ length: procs }, (_, i) => Math.floor(clients / procs) + (i < clients % procs ? 1 : 0));
  return Promise.all(
    per.map(
      (n) =>
        new Promise<Tally>((ok, fail) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', join(HERE, 'http.bench.ts'), '--child', JSON.stringify({ ...job, clients: n })],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.on('exit', (code) =>
            code === 0 ? ok(JSON.parse(out) as Tally) : fail(new Error(`client exit ${code}`)),
          );
        }),
    ),
  );
}

function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; m: RegExpMatchArray }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      const m = err.match(ready);
      if (m) ok({ child, m });
    });
    child.on('exit', (code) => fail(new Error(`exited ${code}: ${err}`)));
  });
}

const children: ChildProcess[] = [];
const cluster = process.env.BENCH_DATABASE_URL ? null : await startCluster();
try {
  const admin = process.env.BENCH_DATABASE_URL ?? cluster!.url;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query('drop database if exists bench_http');
  await c.query('create database bench_http');
  await c.end();
  const u = new URL(admin);
  u.pathname = '/bench_http';
  const db = await openDb({ databaseUrl: u.toString() });
  await migrate(db);
  await db.useAppRole();
  const token = (await createToken(db.kysely, 'bench')).token;
  await db.close();
  // The postmaster: the parent of any backend (its children's CPU is PostgreSQL's).
  const probe = new pg.Client({ connectionString: admin });
  await probe.connect();
  const backend = Number((await probe.query('select pg_backend_pid() as pid')).rows[0].pid);
  // Read while the backend lives (after end() it may be gone, and PostgreSQL's CPU would read 0).
  const postmaster = procStat(backend)?.ppid;
  await probe.end();

  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: u.toString(), AGENTE_LOG_LEVEL: 'warn' };
  // BENCH_SERVER_NODE_ARGS / BENCH_ECHO_NODE_ARGS: node flags for our server / the echo server, e.g.
  // "--cpu-prof --cpu-prof-dir=/tmp/prof" (written at exit; bench/lib/cpu-profile-summary.ts reads them).
  const nodeArgs = (name: string) => process.env[name]?.split(' ').filter(Boolean) ?? [];
  const ours = await startChild(
    [...nodeArgs('BENCH_SERVER_NODE_ARGS'), MAIN, 'serve', '--http', '--port', '0'],
    env,
    /listening on (\S+)/,
  );
  const echo = await startChild(
    [...nodeArgs('BENCH_ECHO_NODE_ARGS'), '--import', 'tsx', join(HERE, 'lib', 'http-echo-server.ts')],
    env,
    /port (\d+)/,
  );
  children.push(ours.child, echo.child);
  const oursUrl = ours.m[1];
  const echoUrl = `http://127.0.0.1:${echo.m[1]}/mcp`;

  // One lead to decide on, imported through the server itself.
  const setup = new Client({ name: 'bench-setup', version: '1' });
  await setup.connect(
    new StreamableHTTPClientTransport(new URL(oursUrl), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  const csv = 'Empresa;Contato;CNPJ;Celular\nPadaria Sol;Maria;11.222.333/0001-81;(11) 98765-4321\n';
  await setup.callTool({
    name: 'ingest_leads',
    arguments: { content_base64: Buffer.from(csv).toString('base64'), filename: 'leads.csv' },
  });
  const { leads } = (await setup.callTool({ name: 'query_leads', arguments: {} })).structuredContent as {
    leads: Array<{ lead_id: string }>;
  };
  await setup.close();

  const ms = Number(values.seconds) * 1000;
  const era = values.era as Job['era'];
  const levels = values.clients!.split(',').map(Number);
  const rows: string[] = [];
  const wanted = new Set(values.tools!.split(','));
  const tools = (
    [
      ['get_status', {}, 0.7],
      ['decide_channel', { lead_id: leads[0].lead_id }, 0.5],
    ] as const
  ).filter(([t]) => wanted.has(t));
  // Warm-up: JIT, connection pools, caches (1 s of each, not counted).
  await measure({ url: echoUrl, tool: 'echo', args: { text: 'oi' }, ms: 1000, era }, 10, echo.child.pid!);
  for (const [tool, args] of tools)
    await measure({ url: oursUrl, token, tool, args, ms: 1000, era }, 10, ours.child.pid!);
  const rounds = Number(values.rounds);
  for (const n of levels) {
    // Echo right before each tool, `rounds` times over: the row is the round with the median ratio, so
    // that a burst of other work on the machine moves one round, not the figure.
    const got = new Map<string, Array<{ e: Measured; o: Measured; ratio: number }>>();
    for (let r = 0; r < rounds; r++)
      for (const [tool, args] of tools) {
        const e = await measure({ url: echoUrl, tool: 'echo', args: { text: 'oi' }, ms, era }, n, echo.child.pid!);
        const o = await measure({ url: oursUrl, token, tool, args, ms, era }, n, ours.child.pid!, postmaster);
        got.set(tool, [...(got.get(tool) ?? []), { e, o, ratio: o.rate / e.rate }]);
        process.stderr.write(
          `${n} clients ${tool}: ${o.rate.toFixed(0)} calls/s vs echo ${e.rate.toFixed(0)} (${(o.rate / e.rate).toFixed(2)})\n`,
        );
      }
    for (const [tool, , target] of tools) {
      const all = got.get(tool)!.sort((a, b) => a.ratio - b.ratio);
      const { e, o, ratio } = all[Math.floor((all.length - 1) / 2)];
      const spread = all.length > 1 ? ` (${all[0].ratio.toFixed(2)}–${all[all.length - 1].ratio.toFixed(2)})` : '';
      rows.push(
        `| ${n} | ${tool} | ${o.rate.toFixed(0)} | ${e.rate.toFixed(0)} | ` +
          `**${ratio.toFixed(2)}**${spread} (≥ ${target}) ${ratio >= target ? '✓' : '✗'} | ` +
          `${o.p50.toFixed(1)} / ${o.p99.toFixed(1)} | ${e.p50.toFixed(1)} / ${e.p99.toFixed(1)} | ` +
          `${o.cpuMsPerCall.toFixed(2)} / ${e.cpuMsPerCall.toFixed(2)} | ${o.pgMsPerCall.toFixed(2)} |`,
      );
    }
  }
  console.log(
    `\n## Tool calls over Streamable HTTP, protocol ${era}, ${values.client === 'sdk' ? 'SDK' : 'protocol-level'} ` +
      `clients (${values.seconds} s per point, PostgreSQL 15, 2 cores)\n`,
  );
  console.log(
    '| clients | tool | calls/s | echo calls/s | ratio (target) | p50 / p99 ms | echo p50 / p99 ms | ' +
      'server CPU ms/call (ours / echo) | PostgreSQL CPU ms/call |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  if (values.explain) console.log(`\n${await explainDecision(u.toString(), 'bench', leads[0].lead_id)}`);
} finally {
  for (const ch of children) ch.kill('SIGTERM');
  cluster?.stop();
}
