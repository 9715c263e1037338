/**
 * npm run bench:events — events out (issue 18) on PostgreSQL 15 with `worker` processes:
 * 1. a 10k-lead campaign to the sandbox WhatsApp server, sends/s with the outbox triggers disabled (the
 *    floor, same run) and enabled, and the events written per second while it sends (target: ≤ 10 %
 *    fewer sends/s);
 * 2. the backlog of that campaign's events delivered to a local webhook receiver that verifies each
 *    signature (target ≥ 1,000 deliveries/s);
 * 3. lag: events written at a steady rate while the worker delivers them live, receipt − event time, p50/p99.
 * Flags: --leads 10000 --workers 1 --live-rate 500 --live-seconds 10
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { emit } from '../src/core/events/outbox.js';
import { newSecret } from '../src/core/events/webhooks.js';
import { openDb, type Db } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { withTenant } from '../src/db/tenant.js';
import { seedCampaign, statusCounts, writeSandboxMcpConfig } from '../test/helpers/dispatch-setup.js';
import { startCluster } from '../test/helpers/pg-cluster.js';
import { MAIN } from '../test/helpers/spawn.js';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '1' },
    'live-rate': { type: 'string', default: '500' },
    'live-seconds': { type: 'string', default: '10' },
  },
});
const N = Number(values.leads);
const W = Number(values.workers);
const cluster = process.env.BENCH_DATABASE_URL ? null : await startCluster();
const admin = process.env.BENCH_DATABASE_URL ?? cluster!.url;
const TRIGGERS = [
  ['leads', 'leads_eventos'],
  ['disparos', 'disparos_eventos_ins'],
  ['disparos', 'disparos_eventos_upd'],
  ['campanhas', 'campanhas_eventos_ins'],
  ['campanhas', 'campanhas_eventos_upd'],
];

async function freshDb(name: string) {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`drop database if exists ${name}`);
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: u.toString() });
  await migrate(db);
  return { db, url: u.toString() };
}

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
async function campaign(withOutbox: boolean) {
  const { db, url } = await freshDb(`bench_events_${withOutbox ? 'on' : 'off'}`);
  if (!withOutbox)
    for (const [t, g] of TRIGGERS) await sql.raw(`alter table ${t} disable trigger ${g}`).execute(db.kysely);
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

/** A receiver that verifies every signature and records when each event arrived. */
async function receiver(secret: string) {
  const wh = new Webhook(secret);
  const got = new Map<string, number>();
  let bad = 0;
  const lags: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const e = wh.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>) as {
          id: string;
          time: string;
        };
        if (!got.has(e.id)) lags.push(Date.now() - Date.parse(e.time));
        got.set(e.id, Date.now());
        res.writeHead(204).end();
      } catch {
        bad++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, got, lags, bad: () => bad, close: () => (server.closeAllConnections(), server.close()) };
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

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;

const off = await campaign(false);
await off.db.close();
const on = await campaign(true);
const overhead = 1 - on.sendsPerSecond / off.sendsPerSecond;

// 2. The campaign's backlog to a webhook.
const secret = newSecret();
const rx = await receiver(secret);
const backlog = await eventCount(on.db, on.tenantId);
await addHook(on.db, on.tenantId, rx.url, secret, true);
const dir = mkdtempSync(join(tmpdir(), 'bench-events-'));
const workers = await startWorkers(W, envFor(on.url, dir));
await until(() => rx.got.size >= backlog, 600_000);
const times = [...rx.got.values()].sort((a, b) => a - b);
const deliveredPerSecond = (rx.got.size - 1) / ((times.at(-1)! - times[0]) / 1000);

// 3. Live: events written at a steady rate, delivered as they come.
const rate = Number(values['live-rate']);
const seconds = Number(values['live-seconds']);
const live = await receiver(secret);
await addHook(on.db, on.tenantId, live.url, secret, false);
const t0 = Date.now();
let written = 0;
while (Date.now() - t0 < seconds * 1000) {
  const due = Math.floor(((Date.now() - t0) / 1000) * rate) - written;
  if (due > 0) {
    await withTenant(on.db.kysely, on.tenantId, async (tx) => {
      for (let i = 0; i < due; i++) await emit(tx, on.tenantId, 'lead.replied', randomUUID(), { i: written + i });
    });
    written += due;
  }
  await new Promise((r) => setTimeout(r, 10));
}
await until(() => live.got.size >= written, 120_000);
for (const w of workers) w.kill('SIGTERM');
rx.close();
live.close();
await on.db.close();
cluster?.stop();
rmSync(dir, { recursive: true, force: true });

const f = (n: number) => Math.round(n).toLocaleString('en');
console.log(
  `\n## Events out (PostgreSQL 15, ${W} worker process(es), load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})\n`,
);
console.log('| measure | figure | floor / target |');
console.log('|---|---|---|');
console.log(
  `| campaign sends/s, outbox triggers on | ${f(on.sendsPerSecond)} | ${f(off.sendsPerSecond)} with them off (same run) |`,
);
console.log(`| overhead on sends/s | ${(100 * overhead).toFixed(1)} % | ≤ 10 % |`);
console.log(
  `| events written per second while sending | ${f(on.written / on.span)} (${f(on.written)} events in ${on.span.toFixed(1)} s) | — |`,
);
console.log(
  `| webhook deliveries/s (backlog of ${f(backlog)}, signatures verified, ${rx.bad()} bad) | ${f(deliveredPerSecond)} | ≥ 1,000 |`,
);
console.log(
  `| lag, live at ${rate}/s for ${seconds} s (${f(live.got.size)}/${f(written)} delivered) | p50 ${f(pct(live.lags, 0.5))} ms, ` +
    `p99 ${f(pct(live.lags, 0.99))} ms | — |`,
);
process.exit(0);
