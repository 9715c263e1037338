/**
 * npm run bench:dry-run — 100k ingested leads → dry_run_log, on PostgreSQL 15 and PGlite.
 * Target (DESIGN.md §8): ≥ 50,000 decisions/s on PostgreSQL, dry_run_log rows 1:1 with leads.
 * Flags: --leads 100000  --db postgres,pglite
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { BackgroundTasks } from '../src/background.js';
import { loadConfig } from '../src/config.js';
import { dryRunDispatch } from '../src/core/outreach/dry-run.js';
import { createIngestJob } from '../src/core/ingest/job-store.js';
import { ingestRows } from '../src/core/ingest/pipeline.js';
import { copyTxFor } from '../src/core/ingest/ports.js';
import { silentLogger, systemClock } from '../src/core/ports.js';
import { openDb, type Db } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { createCopyTx } from '../src/db/copy-tx.js';
import { ensureTenant, withTenant } from '../src/db/tenant.js';
import { createScope } from '../src/scope.js';
import type { ServerDeps } from '../src/deps.js';
import { readRows } from '../src/files/spreadsheet.js';
import { leadsCsv } from '../test/helpers/leads-data.js';
import { startCluster } from '../test/helpers/pg-cluster.js';

const { values } = parseArgs({
  options: { leads: { type: 'string', default: '100000' }, db: { type: 'string', default: 'postgres,pglite' } },
});
const N = Number(values.leads);
const work = mkdtempSync(join(tmpdir(), 'bench-dry-'));
const csv = join(work, 'leads.csv');
writeFileSync(csv, leadsCsv(0, N));

async function measure(db: Db) {
  await migrate(db);
  const tenant = await ensureTenant(db.kysely, 'bench');
  const jobId = await withTenant(db.kysely, tenant.tenant_id, (tx) =>
    createIngestJob(tx, {
      tenantId: tenant.tenant_id,
      tipo: 'csv',
      arquivo: 'leads.csv',
      sourceLabel: null,
      validateOnly: false,
      bytesTotal: null,
    }),
  );
  const t0 = performance.now();
  await ingestRows(
    { store: copyTxFor(createCopyTx(db), tenant.tenant_id), logger: silentLogger, clock: systemClock },
    { jobId, tenantId: tenant.tenant_id, arquivo: 'leads.csv', validateOnly: false },
    readRows({ path: csv, filename: 'leads.csv' }),
  );
  const ingestS = (performance.now() - t0) / 1000;
  await sql`analyze`.execute(db.kysely);
  const deps = {
    db,
    tenant,
    config: loadConfig({}),
    logger: silentLogger,
    transport: 'memory',
    tasks: new BackgroundTasks(),
    // A Tuesday at 10:00 in São Paulo: inside the send window, so every gate is evaluated.
    clock: { now: () => new Date('2026-11-24T13:00:00Z') },
    channels: () =>
      (['whatsapp', 'email', 'calendar'] as const).map((channel) => ({
        channel,
        server: 's',
        preset: null,
        transport: 'stdio' as const,
        state: 'configured' as const,
        detail: null,
      })),
  } as ServerDeps;
  const runs: number[] = [];
  let last = null as Awaited<ReturnType<typeof dryRunDispatch>> | null;
  for (let i = 0; i < 3; i++) {
    const t1 = performance.now();
    last = await dryRunDispatch(createScope(deps), { filter: {}, limit: N });
    runs.push((performance.now() - t1) / 1000);
  }
  const rows = await sql<{
    n: number;
    distinct: number;
  }>`select count(*)::int as n, count(distinct lead_id)::int as distinct from dry_run_log where lote_id = ${last!.batch_id}`.execute(
    db.kysely,
  );
  const best = Math.min(...runs);
  return {
    ingestS,
    runs,
    best,
    leadsPerS: Math.round(N / best),
    logRows: rows.rows[0].n,
    distinct: rows.rows[0].distinct,
    porCanal: last!.by_channel,
    porBloqueio: last!.by_block_code,
  };
}

const results: Record<string, unknown> = {};
for (const kind of values.db!.split(',')) {
  if (kind === 'postgres') {
    const cluster = process.env.BENCH_DATABASE_URL ? null : await startCluster();
    const db = await openDb({ databaseUrl: process.env.BENCH_DATABASE_URL ?? cluster!.url });
    try {
      results.postgres = await measure(db);
    } finally {
      await db.close();
      cluster?.stop();
    }
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'bench-dry-pglite-'));
    const db = await openDb({ dataDir: dir });
    try {
      results.pglite = await measure(db);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
rmSync(work, { recursive: true, force: true });
console.log(`\n## Dry run over ${N.toLocaleString('en')} ingested leads (best of 3)\n`);
console.log('| db | ingest s | dry run s (runs) | decisions/s | dry_run_log rows | distinct leads |');
console.log('|---|---|---|---|---|---|');
for (const [kind, r] of Object.entries(results) as Array<[string, Awaited<ReturnType<typeof measure>>]>) {
  console.log(
    `| ${kind} | ${r.ingestS.toFixed(1)} | ${r.best.toFixed(2)} (${r.runs.map((x) => x.toFixed(2)).join(', ')}) | ${r.leadsPerS.toLocaleString('en')} | ${r.logRows} | ${r.distinct} |`,
  );
}
console.log(
  '\nchannels:',
  JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, r]: any) => [k, r.porCanal]))),
);
