/**
 * tsx bench/events-outbox-cost.ts — the outbox's own cost on the executor's writes, without sending: a
 * light companion of `npm run bench:events` (which times whole campaigns through a worker and the sandbox
 * server, where the machine's noise is often larger than the effect). A 10k-lead campaign is seeded, then
 * its rows are claimed and recorded as sent in the executor's transactions (sql/claim-due.ts, record.ts:
 * batches of 200, the lead moves to contatado) with the outbox triggers disabled and enabled, alternately,
 * each in a fresh database. Prints the milliseconds of database work per 1,000 sends of each and the
 * difference: what the outbox adds to a send's writes (the claim and record transactions, commit included).
 * Next to that wall time, the CPU time of the server's processes over the same loop (from /proc, the server
 * being local): less moved by other processes' load on a shared machine than the wall time.
 * Flags: --leads 10000 --batch 200 --repeats 3. PostgreSQL only: BENCH_DATABASE_URL or a throwaway cluster.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { recordBatch } from '../src/core/dispatch/record.js';
import { claimDue } from '../src/core/dispatch/sql/claim-due.js';
import { withTenant } from '../src/db/tenant.js';
import { median } from './lib/events-delivery.js';
import { seedCampaign } from '../test/helpers/dispatch-setup.js';
import { disableOutboxTriggers, freshDb } from './lib/fresh-db.js';
import { startCluster } from '../test/helpers/pg-cluster.js';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '200' },
    repeats: { type: 'string', default: '3' },
  },
});
const N = Number(values.leads);
const B = Number(values.batch);
const cluster = process.env.BENCH_DATABASE_URL ? null : await startCluster();
const admin = process.env.BENCH_DATABASE_URL ?? cluster!.url;

const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
/** CPU ms (user + system) of the postmaster's children: the server's backends and helpers. */
function serverCpuMs(postmaster: number): number {
  let ticks = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[1]) === postmaster) ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      // gone meanwhile
    }
  }
  return (ticks / TICK) * 1000;
}

async function run(withOutbox: boolean, i: number) {
  const name = `bench_outbox_cost_${i}`;
  const { db } = await freshDb(admin, name);
  if (!withOutbox) await disableOutboxTriggers(db);
  const { tenantId } = await seedCampaign(db, N, null);
  await sql`vacuum analyze`.execute(db.kysely);
  const { rows: be } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely);
  const postmaster = Number(readFileSync(`/proc/${be[0].pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
  const workerId = `bench-${randomUUID()}`;
  const cpu0 = serverCpuMs(postmaster);
  let claimMs = 0;
  let recordMs = 0;
  let events = 0;
  for (let done = 0; done < N;) {
    const now = new Date();
    let t0 = performance.now();
    const rows = await withTenant(db.kysely, tenantId, (tx) =>
      claimDue(tx, {
        tenantId,
        channel: 'whatsapp',
        limit: B,
        workerId,
        now,
        leaseUntil: new Date(now.getTime() + 60_000),
      }),
    );
    claimMs += performance.now() - t0;
    if (!rows.length) throw new Error(`nothing to claim after ${done}`);
    t0 = performance.now();
    const r = await withTenant(db.kysely, tenantId, (tx) =>
      recordBatch(
        tx,
        tenantId,
        rows.map((x) => ({ disparo_id: x.disparo_id, status: 'enviado' as const, message_id: `m-${x.disparo_id}` })),
        { workerId, actor: 'bench', now: new Date() },
      ),
    );
    recordMs += performance.now() - t0;
    done += r.recorded.length;
  }
  const cpuMs = serverCpuMs(postmaster) - cpu0;
  if (withOutbox) {
    const { rows } = await withTenant(db.kysely, tenantId, (tx) =>
      sql<{
        n: number;
        unnumbered: number;
      }>`select count(*)::int as n, count(*) filter (where seq is null)::int as unnumbered
        from eventos_saida where tipo in ('br.com.alquimista.disparo.sent', 'br.com.alquimista.lead.status_changed')
          and dados->>'para' is distinct from 'em_disparo'`.execute(tx),
    );
    if (rows[0].unnumbered) throw new Error(`${rows[0].unnumbered} events left without a sequence`);
    events = rows[0].n;
  }
  await db.close();
  return { claimMs, recordMs, cpuMs, events };
}

const per1k = (ms: number) => (ms / N) * 1000;
const offs: number[] = [];
const ons: number[] = [];
const cpuOffs: number[] = [];
const cpuOns: number[] = [];
const lines: string[] = [];
for (let r = 0; r < Number(values.repeats); r++) {
  for (const on of [false, true]) {
    const x = await run(on, 2 * r + (on ? 1 : 0));
    (on ? ons : offs).push(per1k(x.claimMs + x.recordMs));
    (on ? cpuOns : cpuOffs).push(per1k(x.cpuMs));
    lines.push(
      `| ${on ? 'on' : 'off'} | ${per1k(x.claimMs).toFixed(0)} | ${per1k(x.recordMs).toFixed(0)} | ` +
        `${per1k(x.claimMs + x.recordMs).toFixed(0)} | ${per1k(x.cpuMs).toFixed(0)} | ${on ? x.events : '—'} |`,
    );
  }
}
cluster?.stop();
console.log(`\n## Outbox cost on the executor's writes (${N} sends in batches of ${B}, PostgreSQL)\n`);
console.log(
  '| outbox | claim ms / 1k sends | record ms / 1k sends | total ms / 1k sends | server CPU ms / 1k sends | events written |',
);
console.log('|---|---:|---:|---:|---:|---:|');
for (const l of lines) console.log(l);
const [off, on] = [median(offs), median(ons)];
console.log(
  `\nmedian ms / 1k sends: off ${off.toFixed(0)}, on ${on.toFixed(0)}; the outbox adds ${(on - off).toFixed(0)} ms ` +
    `(${(on - off).toFixed(0)} µs per send, ${(100 * (on / off - 1)).toFixed(0)} % of these writes)`,
);
const [coff, con] = [median(cpuOffs), median(cpuOns)];
console.log(
  `median server CPU ms / 1k sends: off ${coff.toFixed(0)}, on ${con.toFixed(0)}; the outbox adds ${(con - coff).toFixed(0)} ms ` +
    `(${(100 * (con / coff - 1)).toFixed(0)} %); load average (1 min) at the end ${loadavg()[0].toFixed(2)}`,
);
process.exit(0);
