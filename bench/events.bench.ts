/**
 * npm run bench:events — events out (issue 18) on PostgreSQL 15 with `worker` processes, and PGlite:
 * 1. a 10k-lead campaign to the sandbox WhatsApp server, alternately with the outbox triggers disabled and
 *    enabled (off, on, off, on … --repeats times): the median sends/s of each and their ratio (target: ≤ 10 %
 *    fewer sends/s with events), and the events written per second while it sends;
 * 2. the last campaign's backlog delivered by the worker to a webhook receiver in its own process that
 *    verifies every signature (target ≥ 1,000 deliveries/s), next to that receiver's own accept rate from a
 *    bare loop (no database, same concurrency; the floor of this run); then the same on PGlite (an in-process
 *    deliverer, as `serve` runs it) over a synthetic backlog of --pglite-events;
 * 3. lag: events written at a steady rate while the worker delivers them live, receipt − event time, p50/p99,
 *    next to the bare loop's request latency at that rate.
 * Flags: --leads 10000 --workers 1 --repeats 3 --live-rate 500 --live-seconds 10 --pglite-events 10000
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { emit } from '../src/core/events/outbox.js';
import { newSecret } from '../src/core/events/webhooks.js';
import { openDb, type Db } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { ensureTenant, withTenant } from '../src/db/tenant.js';
import {
  bareLoop,
  deliverInProcess,
  median,
  pct,
  perSecond,
  startReceiverProcess,
  writeBacklog,
} from './lib/events-delivery.js';
import { seedCampaign, statusCounts, writeSandboxMcpConfig } from '../test/helpers/dispatch-setup.js';
import { disableOutboxTriggers, freshDb } from './lib/fresh-db.js';
import { startCluster } from '../test/helpers/pg-cluster.js';
import { MAIN } from '../test/helpers/spawn.js';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '1' },
    'live-rate': { type: 'string', default: '500' },
    'live-seconds': { type: 'string', default: '10' },
    repeats: { type: 'string', default: '3' },
    'pglite-events': { type: 'string', default: '10000' },
  },
});
const N = Number(values.leads);
const W = Number(values.workers);
const cluster = process.env.BENCH_DATABASE_URL ? null : await startCluster();
const admin = process.env.BENCH_DATABASE_URL ?? cluster!.url;

function startWorkers(n: number, env: NodeJS.ProcessEnv): Promise<ChildProcess[]> {
  const one = () =>
    new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn(process.execPath, [MAIN, 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d) => {
        err += d;
        if (/delivering events/.test(err)) resolve(child);
      });
      child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
    });
  return Promise.all(Array.from({ length: n }, one));
}

const envFor = (url: string, dir: string) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL: url,
  MICRO_AGENT_DISPARO_ENABLED: 'true',
  AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dir),
  AGENTE_LOG_LEVEL: 'error',
  AGENTE_EVENTS_ALLOW_PRIVATE_URLS: 'true',
  AGENTE_EVENTS_IDLE_MS: '50',
});

async function until(check: () => Promise<boolean> | boolean, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end && !(await check())) await new Promise((r) => setTimeout(r, 100));
}

async function eventCount(db: Db, tenantId: string, from?: Date) {
  const w = from ? sql`and ocorrido_em >= ${from}` : sql``;
  const r = await withTenant(db.kysely, tenantId, (tx) =>
    sql<{ n: string }>`select count(*) as n from eventos_saida where seq is not null ${w}`.execute(tx),
  );
  return Number(r.rows[0].n);
}

/** One campaign: sends/s (first to last send), and the events written while it sent. */
async function campaign(withOutbox: boolean, i: number) {
  const { db, url } = await freshDb(admin, `bench_events_${i}`);
  if (!withOutbox) await disableOutboxTriggers(db);
  const dir = mkdtempSync(join(tmpdir(), 'bench-events-'));
  const { campaignId, tenantId } = await seedCampaign(db, N, null);
  const before = await eventCount(db, tenantId);
  const children = await startWorkers(W, envFor(url, dir));
  await until(async () => {
    const c = await statusCounts(db, campaignId);
    return (c.enviado ?? 0) + (c.falhou ?? 0) + (c.incerto ?? 0) + (c.bloqueado ?? 0) >= N;
  }, 600_000);
  for (const c of children) c.kill('SIGTERM');
  const { rows } = await sql<{ a: Date; b: Date; n: number }>`
    select min(enviado_em) as a, max(enviado_em) as b, count(*)::int as n from disparos
    where campanha_id = ${campaignId} and status = 'enviado'`.execute(db.kysely);
  const span = (new Date(rows[0].b).getTime() - new Date(rows[0].a).getTime()) / 1000;
  const written = (await eventCount(db, tenantId)) - before;
  rmSync(dir, { recursive: true, force: true });
  return { db, url, tenantId, sendsPerSecond: rows[0].n / span, span, written };
}

async function addHook(db: Db, tenantId: string, url: string, secret: string, fromStart: boolean) {
  await withTenant(db.kysely, tenantId, (tx) =>
    sql`insert into eventos_destinos (tenant_id, tipo, url, segredo, cursor_seq)
      values (${tenantId}, 'webhook', ${url}, ${secret},
        ${fromStart ? 0 : sql`coalesce((select ultimo from eventos_contador where tenant_id = ${tenantId}), 0)`})`.execute(
      tx,
    ),
  );
}

const loads: string[] = [];
const load = () => loads.push(loadavg()[0]!.toFixed(2));

// 1. Campaigns, triggers off and on alternately.
const offs: number[] = [];
const ons: number[] = [];
let on: Awaited<ReturnType<typeof campaign>> | null = null;
for (let r = 0; r < Number(values.repeats); r++) {
  load();
  const off = await campaign(false, 2 * r);
  offs.push(off.sendsPerSecond);
  await off.db.close();
  if (on) await on.db.close();
  on = await campaign(true, 2 * r + 1);
  ons.push(on.sendsPerSecond);
}
const overhead = 1 - median(ons) / median(offs);

// 2. The last campaign's backlog to a webhook, then the receiver's own rate (the floor).
load();
const secret = newSecret();
const rx = await startReceiverProcess(secret);
const backlog = await eventCount(on!.db, on!.tenantId);
await addHook(on!.db, on!.tenantId, rx.url, secret, true);
const dir = mkdtempSync(join(tmpdir(), 'bench-events-'));
const workers = await startWorkers(W, envFor(on!.url, dir));
await until(async () => (await rx.report()).got >= backlog, 600_000);
const pgRun = await rx.report();
await rx.reset();
const floor = await bareLoop(rx.url, secret, 5000, 64);
await rx.reset();

// 3. Live: events written at a steady rate, delivered as they come; the floor: the bare loop at that rate.
load();
const rate = Number(values['live-rate']);
const seconds = Number(values['live-seconds']);
const live = await startReceiverProcess(secret);
await addHook(on!.db, on!.tenantId, live.url, secret, false);
const t0 = Date.now();
let written = 0;
while (Date.now() - t0 < seconds * 1000) {
  const due = Math.floor(((Date.now() - t0) / 1000) * rate) - written;
  if (due > 0) {
    await withTenant(on!.db.kysely, on!.tenantId, async (tx) => {
      for (let i = 0; i < due; i++) await emit(tx, on!.tenantId, 'lead.replied', randomUUID(), { i: written + i });
    });
    written += due;
  }
  await new Promise((r) => setTimeout(r, 10));
}
await until(async () => (await live.report()).got >= written, 120_000);
const liveRun = await live.report();
for (const w of workers) w.kill('SIGTERM');
const liveFloor = await bareLoop(live.url, secret, rate * seconds, 64, rate);
live.close();
await on!.db.close();
cluster?.stop();
rmSync(dir, { recursive: true, force: true });

// 2b. PGlite: a synthetic backlog delivered in-process.
load();
const NP = Number(values['pglite-events']);
const pdir = mkdtempSync(join(tmpdir(), 'bench-events-pglite-'));
const pdb = await openDb({ dataDir: pdir });
await migrate(pdb);
await pdb.useAppRole();
const pt = await ensureTenant(pdb.kysely, 'bench');
await writeBacklog(pdb, pt.tenant_id, NP);
await addHook(pdb, pt.tenant_id, rx.url, secret, true);
const pgl = await deliverInProcess(pdb, rx, NP);
await pdb.close();
rmSync(pdir, { recursive: true, force: true });
rx.close();
load();

const f = (n: number) => Math.round(n).toLocaleString('en');
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
console.log(`\n## Events out (PostgreSQL 15 with ${W} worker process(es); PGlite in-process)`);
console.log(`load average (1 min) at each phase: ${loads.join(', ')}\n`);
console.log('| measure | figure | floor / target (same run) |');
console.log('|---|---|---|');
console.log(
  `| campaign sends/s, outbox triggers on (median of ${ons.length}: ${ons.map(f).join(', ')}) | ${f(median(ons))} | ` +
    `${f(median(offs))} with them off (median of ${offs.map(f).join(', ')}) |`,
);
console.log(`| overhead on sends/s (1 − on/off) | ${(100 * overhead).toFixed(1)} % | ≤ 10 % |`);
console.log(
  `| events written per second while sending (last run) | ${f(on!.written / on!.span)} ` +
    `(${f(on!.written)} in ${on!.span.toFixed(1)} s) | — |`,
);
console.log(
  `| webhook deliveries/s, PostgreSQL (backlog of ${f(backlog)}, ${pgRun.bad} bad signatures, ${pgRun.dup} duplicates) | ` +
    `${f(perSecond(pgRun))} | receiver's own rate ${f(floor.perSec)}/s (bare loop, 64 in flight): ` +
    `${x(perSecond(pgRun), floor.perSec)}; target ≥ 1,000 |`,
);
console.log(
  `| webhook deliveries/s, PGlite in-process (${f(NP)} events, ${pgl.report.bad} bad) | ${f(perSecond(pgl.report))} | ` +
    `${x(perSecond(pgl.report), floor.perSec)} of the receiver's rate |`,
);
console.log(
  `| lag, live at ${rate}/s for ${seconds} s (${f(liveRun.got)}/${f(written)} delivered) | p50 ${f(pct(liveRun.lags, 0.5))} ms, ` +
    `p99 ${f(pct(liveRun.lags, 0.99))} ms | bare loop at ${rate}/s: request p50 ${liveFloor.p50.toFixed(1)} ms, ` +
    `p99 ${liveFloor.p99.toFixed(1)} ms; ` +
    `the worker polls every 50 ms when idle (AGENTE_EVENTS_IDLE_MS) |`,
);
const st = pgl.stats;
console.log(
  `\nPGlite deliverer profile: ${st.batches} batches; claim ${f(st.claimMs)} ms, transport ${f(st.transportMs)} ms, ` +
    `settle ${f(st.settleMs)} ms, fan-out ${f(st.fanOutMs)} ms (summed; two batches overlap)`,
);
process.exit(0);
