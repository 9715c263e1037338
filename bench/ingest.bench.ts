/**
 * Ingest benchmark (DESIGN.md §8): our pipeline against exceljs's own streaming read + a COPY, with
 * two COPY baselines: the file's rows into a plain table (ratio (plain)), and the pipeline's own final
 * rows (exported from the last pipeline run's database) into the real tables of a fresh one (ratio
 * (final rows)). BENCH_DATABASE_URL's user must bypass row-level security for the second one.
 *
 *   npm run bench:ingest                                   100k + 1M on PostgreSQL, 100k on PGlite
 *   npm run bench:ingest -- --rows 100000 --db postgres    one case
 *   npm run bench:ingest -- --db pglite --rows 1000000 --pglite-large
 *        PGlite above 100k rows is opt-in: 1M takes long and several GB (it runs in this machine's RAM)
 * Options: --no-breakdown (skip the extra read-only / validate-only runs), --files-dir DIR (keep and
 * reuse the generated XLSX files there), --timeout-min N (per measurement), --chunk-size N,
 * --repeat N (each measurement N times, the fastest counts; all runs are in the JSON).
 * Env BENCH_DATABASE_URL: use that PostgreSQL server instead of a throwaway PostgreSQL 15 cluster.
 *
 * Every measurement runs in its own child process (bench/lib/ingest-child.ts) on a fresh database:
 * peak RSS is that process's VmHWM. Prints Markdown tables; writes bench/out/ingest-<date>.json.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism as cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDb } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { startCluster, type Cluster } from '../test/helpers/pg-cluster.js';
import type { Mode, Result, Spec } from './lib/ingest-child.js';
import { buildChild, runChild, runCommand, runningChildren } from './lib/proc.js';
import { breakdownTable, mainTable, noiseWarning, queryTables, TARGET, type CaseResult } from './lib/report.js';

type DbName = 'postgres' | 'pglite';
const ROOT = resolve(import.meta.dirname, '..');
const PGLITE_DEFAULT_MAX = 100_000;

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000,1000000' },
    db: { type: 'string', default: 'postgres,pglite' },
    'pglite-large': { type: 'boolean', default: false },
    'no-breakdown': { type: 'boolean', default: false },
    'files-dir': { type: 'string' },
    'timeout-min': { type: 'string' },
    'chunk-size': { type: 'string' },
    repeat: { type: 'string', default: '1' },
  },
});
const sizes = args.rows.split(',').map((s) => Number(s.replace(/_/g, '')));
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--rows wants whole numbers, got ${args.rows}`);
const dbs = args.db.split(',') as DbName[];
if (dbs.some((d) => d !== 'postgres' && d !== 'pglite'))
  throw new Error(`--db wants postgres and/or pglite, got ${args.db}`);
const repeat = Math.max(1, Number(args.repeat) || 1);
const chunkSize = args['chunk-size'] ? Number(args['chunk-size']) : undefined;
/** Per measurement: 10 min up to 250k rows, then 40 min per million (PGlite 3x), or --timeout-min. */
const timeoutMs = (db: DbName, rows: number) =>
  args['timeout-min']
    ? Number(args['timeout-min']) * 60_000
    : Math.max(10, (rows / 1e6) * 40) * 60_000 * (db === 'pglite' ? 3 : 1);

const work = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
const filesDir = args['files-dir'] ? resolve(args['files-dir']) : work;
const cleanups: Array<() => Promise<void> | void> = [() => rmSync(work, { recursive: true, force: true })];
let cleaning: Promise<void> | null = null;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const c of runningChildren) c.kill('SIGKILL');
    for (const c of cleanups.reverse())
      await Promise.resolve(c()).catch((e) => log(`cleanup: ${(e as Error).message}`));
  })());
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => void cleanup().finally(() => process.exit(130)));

function log(msg: string) {
  process.stderr.write(`[bench:ingest ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** The plain N-row XLSX (scripts/make-sample-leads.ts --plain), generated once per size. */
async function sampleFile(rows: number): Promise<string> {
  mkdirSync(filesDir, { recursive: true });
  const path = join(filesDir, `plain-leads-${rows}.xlsx`);
  if (existsSync(path)) return path;
  log(`generating ${rows} rows → ${path}`);
  const partial = `${path}.partial.xlsx`;
  await runCommand(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/make-sample-leads.ts'), partial, String(rows), '--plain'],
    Math.max(10, (rows / 1e6) * 30) * 60_000,
  );
  renameSync(partial, path);
  return path;
}

interface FreshDb {
  spec: Spec['db'];
  drop(): Promise<void>;
}
type DbFactory = () => Promise<FreshDb>;

async function pgQuery(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** PostgreSQL: a migrated template database; each measurement gets CREATE DATABASE ... TEMPLATE. */
async function postgresFactory(): Promise<DbFactory> {
  let url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    log('starting a throwaway PostgreSQL 15 cluster');
    const cluster: Cluster = await startCluster();
    url = cluster.url;
    cleanups.push(() => cluster.stop()); // stop() also removes the cluster's directory
  }
  const withDb = (name: string) => Object.assign(new URL(url!), { pathname: `/${name}` }).toString();
  const admin = async (sql: string) => void (await pgQuery(url!, sql));
  const template = `bench_tpl_${process.pid}`;
  await admin(`create database ${template}`);
  cleanups.push(() => admin(`drop database if exists ${template} with (force)`));
  const db = await openDb({ databaseUrl: withDb(template), poolSize: 1 });
  await migrate(db);
  await db.close();
  let n = 0;
  return async () => {
    const name = `bench_${process.pid}_${++n}`;
    await admin(`create database ${name} template ${template}`);
    return { spec: { databaseUrl: withDb(name) }, drop: () => admin(`drop database if exists ${name} with (force)`) };
  };
}

/** PGlite: a migrated template data dir (first creation is the slow part), copied per measurement. */
async function pgliteFactory(): Promise<DbFactory> {
  const template = join(work, 'pglite-template');
  log('migrating a PGlite template data dir');
  const db = await openDb({ dataDir: template });
  await migrate(db);
  await db.close();
  let n = 0;
  return async () => {
    const dataDir = join(work, `pglite-${++n}`);
    cpSync(template, dataDir, { recursive: true, filter: (src) => !src.endsWith('agente.lock') });
    return { spec: { dataDir }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  };
}

interface MeasureOptions {
  /** Called with the last run's database, which then is the caller's to drop (instead of dropped here). */
  keepLast?: (db: FreshDb) => void;
  /** baseline-final: the database a pipeline run left. */
  source?: Spec['db'];
}

/** One measurement, --repeat times (each in a new process on a new database); the fastest run counts. */
async function measure(
  mode: Mode,
  db: DbName,
  rows: number,
  file: string,
  fresh?: DbFactory,
  opts: MeasureOptions = {},
): Promise<Result> {
  const runs: Result[] = [];
  for (let i = 0; i < repeat; i++) {
    const target = fresh ? await fresh() : undefined;
    let kept = false;
    try {
      const load1 = Math.round(loadavg()[0] * 10) / 10;
      log(`${db} ${rows} rows: ${mode}… (load average ${load1})`);
      const r = await runChild<Result>(
        { mode, file, rows, db: target?.spec, source: opts.source, chunkSize },
        timeoutMs(db, rows),
      );
      log(
        `${db} ${rows} rows: ${mode} ${r.seconds} s, peak RSS ${r.peakRssMb} MB, other processes ${r.otherCpuSeconds} CPU s`,
      );
      runs.push({ ...r, load1 });
      if (target && opts.keepLast && i === repeat - 1) {
        opts.keepLast(target);
        kept = true;
      }
    } finally {
      if (!kept) await target?.drop();
    }
  }
  const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  if (runs.length === 1) return best;
  return {
    ...best,
    runs: runs.map((r) => ({
      seconds: r.seconds,
      peakRssMb: r.peakRssMb,
      otherCpuSeconds: r.otherCpuSeconds,
      load1: r.load1,
    })),
  };
}

async function runCase(db: DbName, rows: number, fresh: DbFactory): Promise<CaseResult> {
  const file = await sampleFile(rows);
  const read = await measure('baseline-read', db, rows, file);
  const copy = await measure('baseline-copy', db, rows, file, fresh);
  // The last pipeline run's database survives for the second baseline, which exports its final rows.
  let left: FreshDb | undefined;
  const pipeline = await measure('pipeline', db, rows, file, fresh, { keepLast: (d) => (left = d) });
  let final: Result;
  try {
    final = await measure('baseline-final', db, rows, file, fresh, { source: left!.spec });
  } finally {
    await left?.drop();
  }
  const breakdown = !args['no-breakdown'];
  const readOurs = breakdown ? await measure('read-ours', db, rows, file) : undefined;
  const validate = breakdown ? await measure('validate', db, rows, file, fresh) : undefined;

  const counts = pipeline.extra?.counts as Record<string, number>;
  const found = pipeline.extra?.db as Record<string, number>;
  const expectedLeads = copy.extra?.expectedLeads as number;
  const checks: string[] = [];
  const expect = (what: string, got: number, want: number) => got !== want && checks.push(`${what} ${got} ≠ ${want}`);
  expect('rows read', pipeline.rows, rows);
  expect('exceljs rows', read.rows, rows);
  expect('leads created vs expected', counts.leads_criados, expectedLeads);
  expect('created + duplicates vs rows', counts.leads_criados + counts.duplicados, rows);
  expect('leads in DB', found.leads, counts.leads_criados);
  expect('job leads_criados in DB', found.jobLeads, counts.leads_criados);
  expect('import event rows (an import is recorded in origem)', found.eventos, 0);
  expect('staging rows left', found.staged, 0);
  const finalRows = Object.fromEntries(
    (final.extra?.tables as Array<{ table: string; rows: number }>).map((t) => [t.table, t.rows]),
  );
  expect('final rows: leads', finalRows.leads ?? 0, found.leads);
  expect('final rows: lead_telefones', finalRows.lead_telefones ?? 0, found.telefones);
  expect('final rows: lead_emails', finalRows.lead_emails ?? 0, found.emails);
  expect('final rows: lead_eventos', finalRows.lead_eventos ?? 0, found.eventos);
  const readPlusCopy = read.seconds + copy.seconds;
  const readPlusFinal = read.seconds + final.seconds;
  return {
    db,
    rows,
    fileMb: statSync(file).size / 2 ** 20,
    read,
    copy,
    final,
    pipeline,
    readOurs,
    validate,
    readPlusCopy,
    ratio: pipeline.seconds / readPlusCopy,
    readPlusFinal,
    ratioFinal: pipeline.seconds / readPlusFinal,
    rowsPerSecond: pipeline.rows / pipeline.seconds,
    leadsCreated: counts.leads_criados,
    expectedLeads,
    checks,
  };
}

async function main() {
  const cases: CaseResult[] = [];
  const skipped: string[] = [];
  const failed: string[] = [];
  log('compiling the measurement child (tsc -p bench/tsconfig.json)');
  await buildChild();
  const noop = await runChild<Result>({ mode: 'noop', file: '', rows: 0 }, 120_000);
  for (const db of dbs) {
    const wanted = sizes.filter((n) => db !== 'pglite' || n <= PGLITE_DEFAULT_MAX || args['pglite-large']);
    for (const n of sizes) if (!wanted.includes(n)) skipped.push(`pglite ${n} rows (opt-in: --pglite-large)`);
    if (!wanted.length) continue;
    const fresh = db === 'postgres' ? await postgresFactory() : await pgliteFactory();
    for (const n of wanted) {
      try {
        cases.push(await runCase(db, n, fresh));
      } catch (err) {
        // A timeout or crash fails this case only; the others still run and are reported.
        failed.push(`${db} ${n} rows: ${(err as Error).message.slice(0, 300)}`);
        log(`FAILED ${failed.at(-1)}`);
      }
    }
  }

  const when = new Date().toISOString();
  const firstFinal = cases[0]?.final.extra as
    { tables: Array<{ table: string }>; excluded: Record<string, number> } | undefined;
  const finalTables = firstFinal
    ? `${firstFinal.tables.map((t) => t.table).join(', ')}; not the import's bookkeeping ${Object.keys(firstFinal.excluded).join(', ')}`
    : "every tenant table the pipeline wrote, not the import's bookkeeping";
  const text = [
    `## Ingest benchmark — ${when}`,
    '',
    `Targets (issue #22): pipeline ≤ ${TARGET.ratioFinal.postgres} × floor on PostgreSQL, ≤ ${TARGET.ratioFinal.pglite} × floor on PGlite, where floor = exceljs read + COPY of the pipeline's final rows, both measured in this run; pipeline peak RSS ≤ ${TARGET.rssMb} MB and flat. With --repeat N the fastest run of each measurement counts (its load average is the one shown). Two COPY baselines:`,
    `- ratio (plain): pipeline / (exceljs read + one COPY of the file's normalised rows into a plain, unindexed table like ingest_linhas).`,
    `- ratio (final rows): pipeline / (exceljs read + COPY of the pipeline's own final rows into the real, migrated tables — ${finalTables} — one COPY per table in foreign-key order, one transaction, as the connection's user (the superuser on the throwaway cluster), so without row-level security: the cheapest way to get those rows in).`,
    `Node ${process.version}, ${cpus()} CPUs; a bare measurement child (node + imports, no work) peaks at ${noop.peakRssMb} MB.`,
    skipped.length ? `Skipped: ${skipped.join(', ')}.` : '',
    ...failed.map((f) => `FAILED: ${f}`),
    '',
    mainTable(cases),
    '',
    noiseWarning(cases),
    '',
    'Breakdown (each figure from its own process; DB columns are the serial per-chunk database work inside the pipeline):',
    '',
    breakdownTable(cases),
    queryTables(cases),
  ].join('\n');
  process.stdout.write(`${text}\n`);
  const outDir = join(ROOT, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `ingest-${when.replace(/:/g, '').replace(/\.\d+Z$/, 'Z')}.json`);
  writeFileSync(
    outFile,
    JSON.stringify(
      { when, node: process.version, cpus: cpus(), targets: TARGET, noop, skipped, failed, cases },
      null,
      2,
    ),
  );
  log(`wrote ${outFile}`);
  if (failed.length || cases.some((c) => c.checks.length)) process.exitCode = 1;
}

main()
  .catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
