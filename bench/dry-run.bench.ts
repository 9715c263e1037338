/**
 * npm run bench:dry-run — 100k ingested leads → dry_run_log, on PostgreSQL 15 and PGlite.
 * Target (issue 22): ≥ 100,000 decisions/s on PostgreSQL, dry_run_log rows 1:1 with leads; printed beside its
 * floor measured in the same run (one INSERT … SELECT of as many rows into dry_run_log) as a ratio.
 * Flags: --leads 100000  --db postgres,pglite  --repeat 3  --creditor yes|no
 * The tenant has a creditor (--creditor yes, the default), as a tenant that collects must: its leads get a real
 * decision — those with a document would go now on WhatsApp, those without one are blocked for the template's
 * missing variable (documento_mascarado). --creditor no measures the blocked path alone (every lead stops at
 * credor_nao_configurado, the collection template's first gate), as the bench did before 2026-12-04.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
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
import { configuredChannels } from '../test/helpers/dispatch-setup.js';
import { leadsCsv } from '../test/helpers/leads-data.js';
import { startCluster } from '../test/helpers/pg-cluster.js';
import { seedCreditor, TEST_CREDITOR } from '../test/helpers/server.js';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '100000' },
    db: { type: 'string', default: 'postgres,pglite' },
    repeat: { type: 'string', default: '3' },
    creditor: { type: 'string', default: 'yes' },
  },
});
const N = Number(values.leads);
const REPEAT = Number(values.repeat);
const CREDITOR = values.creditor !== 'no';
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
  if (CREDITOR) await seedCreditor(db, tenant.tenant_id, TEST_CREDITOR);
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
    channels: configuredChannels('whatsapp', 'email', 'calendar'),
  } as ServerDeps;
  const runs: number[] = [];
  const floors: number[] = [];
  let last = null as Awaited<ReturnType<typeof dryRunDispatch>> | null;
  for (let i = 0; i < REPEAT; i++) {
    // The floor right before each dry run, on the same data: one INSERT … SELECT of N rows into dry_run_log.
    floors.push(await floorInsert(db, tenant.tenant_id));
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
    floors,
    best,
    floor: Math.min(...floors),
    leadsPerS: Math.round(N / best),
    logRows: rows.rows[0].n,
    distinct: rows.rows[0].distinct,
    porCanal: last!.by_channel,
    porBloqueio: last!.by_block_code,
  };
}

/**
 * The floor: one INSERT … SELECT of N rows into dry_run_log (same table, indexes, foreign key and
 * row-level security as the dry run writes through), from the tenant's leads with constant decisions.
 * Seconds.
 */
async function floorInsert(db: Db, tenantId: string): Promise<number> {
  return withTenant(db.kysely, tenantId, async (tx) => {
    await sql`select set_config('jit', 'off', true)`.execute(tx);
    const t = performance.now();
    await sql`
      insert into dry_run_log (tenant_id, lead_id, lead_nome, lead_telefone, lead_email, canal_decidido, motivo_decisao,
                               template_selecionado, disparo_seria_executado, razao_bloqueio, lote_id, codigo_bloqueio,
                               disparo_previsto_para)
      select ${tenantId}, lead_id, left(nome, 500), null, null, 'whatsapp', 'piso', 'piso', true, null,
             ${randomUUID()}, null, null
      from leads limit ${N}`.execute(tx);
    return (performance.now() - t) / 1000;
  });
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
console.log(
  `\n## Dry run over ${N.toLocaleString('en')} ingested leads, ${CREDITOR ? 'creditor configured' : 'no creditor'} (best of ${REPEAT}; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')})\n`,
);
console.log(
  '| db | ingest s | dry run s (runs) | decisions/s | floor: INSERT … SELECT s (runs) | floor rows/s | ' +
    'ratio (dry run / floor) | dry_run_log rows | distinct leads |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [kind, r] of Object.entries(results) as Array<[string, Awaited<ReturnType<typeof measure>>]>) {
  const s = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  console.log(
    `| ${kind} | ${r.ingestS.toFixed(1)} | ${r.best.toFixed(2)} (${s(r.runs)}) | ${r.leadsPerS.toLocaleString('en')} | ` +
      `${r.floor.toFixed(2)} (${s(r.floors)}) | ${Math.round(N / r.floor).toLocaleString('en')} | ` +
      `${(r.best / r.floor).toFixed(2)} | ${r.logRows} | ${r.distinct} |`,
  );
}
console.log(
  '\nchannels:',
  JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, r]: any) => [k, r.porCanal]))),
  '\nblock codes:',
  JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, r]: any) => [k, r.porBloqueio]))),
);
