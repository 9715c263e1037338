/**
 * One measurement of bench/ingest.bench.ts, in its own process so that its peak RSS (VmHWM) is its own.
 * Argument: a JSON Spec. Prints one tagged JSON line (see proc.ts) with the result.
 *   baseline-read  exceljs's own streaming reader over the file, every cell touched
 *   baseline-copy  one COPY of the staged rows (built beforehand, not timed) into a plain table
 *   pipeline       readRows → prepareRows → ingestPrepared → createCopyTx, then the ANALYZE of the grown tables and
 *                  the shared-destination check (as core/ingest/run-import.ts), into a fresh migrated database
 *   baseline-final the pipeline's final rows (exported from spec.source, the database a pipeline run
 *                  left, not timed) COPYed into the real tables of a fresh migrated database (spec.db):
 *                  one transaction, one COPY per table in foreign-key order (see final-rows.ts)
 *   read-ours      (breakdown) our readRows alone
 *   validate       (breakdown) the pipeline with validate_only: reading + normalising, no staging/merge
 *   noop           the child's own footprint (tsx + imports)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as pipe } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import copyStreams from 'pg-copy-streams';
import { ingestPrepared } from '../../src/core/ingest/pipeline.js';
import type { CopyTxRunner } from '../../src/core/ingest/ports.js';
import { prepareRows, type PreparedBatch } from '../../src/core/ingest/prepare.js';
import { createIngestJob, updateIngestJob } from '../../src/core/ingest/job-store.js';
import { flagSharedDestinations } from '../../src/core/ingest/sql/shared-destinations.js';
import { analyzeGrownTables, IMPORT_STATISTICS_TARGET } from '../../src/core/dispatch/sql/analyze-grown.js';
import { silentLogger, systemClock } from '../../src/core/ports.js';
import { openDb, type Db } from '../../src/db/connect.js';
import { createCopyTx } from '../../src/db/copy-tx.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { readRows } from '../../src/files/spreadsheet.js';
import { emitResult, peakRssMb, procStat, serverCpuSampler, systemBusySeconds } from './proc.js';
import { buildStagedCsv, STAGING_COLUMNS } from './staging.js';
import { copyFinalRows, copyUser, countRows, exportFinalRows } from './final-rows.js';
import { instrumentQueries, type QueryStats } from './query-timing.js';

export type Mode =
  'baseline-read' | 'baseline-copy' | 'baseline-final' | 'pipeline' | 'read-ours' | 'validate' | 'noop';
export interface Spec {
  mode: Mode;
  file: string;
  rows: number;
  db?: { databaseUrl: string } | { dataDir: string };
  /** baseline-final: the database a pipeline run left (its rows are exported, not changed). */
  source?: { databaseUrl: string } | { dataDir: string };
  chunkSize?: number;
}
export interface Result {
  mode: Mode;
  seconds: number;
  rows: number;
  peakRssMb: number;
  nodeCpuSeconds: number;
  elu: number;
  serverCpuSeconds?: number;
  /** CPU used by other processes on the machine while this ran (noise). */
  otherCpuSeconds: number;
  /** The machine's 1-minute load average when the measurement started (set by the parent, like uptime). */
  load1?: number;
  /** With --repeat: every run (the fields above are the fastest one's). */
  runs?: Array<{ seconds: number; peakRssMb: number; otherCpuSeconds: number; load1?: number }>;
  extra?: Record<string, unknown>;
}

const spec = JSON.parse(process.argv[2]) as Spec;
let queries: ReturnType<typeof instrumentQueries> | null = null;
const secs = (ms: number) => Math.round(ms) / 1000;

async function main(): Promise<void> {
  const db = spec.db ? await openDb({ ...spec.db, poolSize: 4 }) : null;
  // Before any statement: on PostgreSQL each pool client binds its query method when it connects
  // (db/prepared.ts, db/deferred-begin.ts), so a client connected before this would go untimed.
  queries = db ? instrumentQueries(db) : null;
  let win = await openWindow(db);
  const timed = async (fn: () => Promise<{ rows: number; extra?: Record<string, unknown> }>) => {
    const t0 = performance.now();
    const r = await fn();
    return { ...r, seconds: secs(performance.now() - t0) };
  };
  let out: { rows: number; seconds: number; extra?: Record<string, unknown> };
  switch (spec.mode) {
    case 'noop':
      out = { rows: 0, seconds: 0 };
      break;
    case 'baseline-read':
      out = await timed(excelRead);
      break;
    case 'read-ours':
      out = await timed(async () => {
        let rows = 0;
        for await (const row of readRows({ path: spec.file, filename: 'leads.xlsx' }))
          rows += row.cells.length > 0 ? 1 : 0;
        return { rows: rows - 1 };
      });
      break;
    case 'baseline-copy': {
      const staged = await buildStagedCsv(spec.file, randomUUID(), randomUUID(), spec.chunkSize);
      await sqlRaw(db!, 'create table bench_copy (like ingest_linhas including defaults)');
      win.stop();
      win = await openWindow(db); // only the COPY is measured
      out = await timed(() => copyAll(db!, staged.chunks, staged.rows));
      out.extra = {
        prepareSeconds: staged.prepareSeconds,
        encodeSeconds: staged.encodeSeconds,
        expectedLeads: staged.expectedLeads,
      };
      break;
    }
    case 'baseline-final': {
      const dir = mkdtempSync(join(tmpdir(), 'bench-final-'));
      try {
        const t0 = performance.now();
        const source = await openDb({ ...spec.source!, poolSize: 1 });
        const exported = await exportFinalRows(source, dir).finally(() => closeDb(source));
        const exportSeconds = secs(performance.now() - t0);
        const as = await copyUser(db!);
        if (!as.superuser && !as.bypassRls) {
          throw new Error(
            `baseline-final COPYs as the connection's user, which must bypass row-level security; ${as.user} does not`,
          );
        }
        await copyFinalRows(db!, [exported.tenant]);
        win.stop();
        win = await openWindow(db); // only the COPY of the final rows is measured
        const total = exported.tables.reduce((s, t) => s + t.rows, 0);
        out = await timed(async () => {
          await copyFinalRows(db!, exported.tables);
          return { rows: total };
        });
        const usage = win.stop(); // the checks below are not measured
        win = { stop: () => usage };
        const found = await countRows(
          db!,
          exported.tables.map((t) => t.table),
          exported.tenantId,
        );
        for (const t of exported.tables) {
          if (found[t.table] !== t.rows)
            throw new Error(`COPY left ${found[t.table]} rows in ${t.table}, expected ${t.rows}`);
        }
        out.extra = {
          exportSeconds,
          copiedAs: as,
          tables: exported.tables.map((t) => ({
            table: t.table,
            rows: t.rows,
            csvMb: Math.round((t.bytes / 2 ** 20) * 10) / 10,
          })),
          excluded: exported.excluded,
          found,
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      break;
    }
    case 'pipeline':
    case 'validate':
      out = await ingest(db!, spec.mode === 'validate');
      break;
  }
  const usage = win.stop();
  if (db) await closeDb(db);
  const result: Result = {
    mode: spec.mode,
    seconds: out.seconds,
    rows: out.rows,
    peakRssMb: peakRssMb(),
    ...usage,
    extra: out.extra,
  };
  emitResult(result);
}

/**
 * CPU over the measured part: this process (and its event-loop busy share), the PostgreSQL server
 * (when local), and everything else on the machine (other jobs skew timings on 2 cores: check it).
 */
async function openWindow(db: Db | null) {
  const server = db ? await serverSampler(db) : null;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const busy0 = systemBusySeconds();
  return {
    stop() {
      const cpu = process.cpuUsage(cpu0);
      const nodeCpuSeconds = Math.round((cpu.user + cpu.system) / 1e4) / 100;
      const serverCpuSeconds = server?.stop();
      const other = systemBusySeconds() - busy0 - nodeCpuSeconds - (serverCpuSeconds ?? 0);
      return {
        nodeCpuSeconds,
        serverCpuSeconds,
        otherCpuSeconds: Math.max(0, Math.round(other * 100) / 100),
        elu: Math.round(performance.eventLoopUtilization(elu0).utilization * 100) / 100,
      };
    },
  };
}

/** exceljs's streaming reader as documented, every cell value touched. */
async function excelRead() {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(spec.file, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
  });
  let rows = 0;
  let cells = 0;
  for await (const ws of reader) {
    for await (const row of ws as unknown as AsyncIterable<ExcelJS.Row>) {
      rows++;
      for (const v of row.values as unknown[]) if (v !== undefined && v !== null) cells++;
    }
  }
  return { rows: rows - 1, extra: { cells } };
}

async function copyAll(db: Db, chunks: string[], rows: number) {
  const sql = (src: string) => `copy bench_copy (${STAGING_COLUMNS.join(', ')}) from ${src} with (format csv)`;
  if (db.kind === 'postgres') {
    const client = await db.pool!.connect();
    try {
      await pipe(Readable.from(chunks), client.query(copyStreams.from(sql('stdin'))));
    } finally {
      client.release();
    }
  } else {
    await db.pglite!.query(sql(`'/dev/blob'`), [], { blob: new Blob(chunks) });
  }
  const n = await count(db, 'select count(*)::int as n from bench_copy');
  if (n !== rows) throw new Error(`COPY wrote ${n} rows, expected ${rows}`);
  return { rows };
}

/** Our ingest as src/core/ingest/run-import.ts runs it, with timing hooks around each chunk's transaction and its COPYs. */
async function ingest(db: Db, validateOnly: boolean) {
  const tenant = await ensureTenant(db.kysely, 'bench');
  const tenantId = tenant.tenant_id;
  const jobId = await withTenant(db.kysely, tenantId, (tx) =>
    createIngestJob(tx, {
      tenantId,
      tipo: 'xlsx',
      arquivo: 'leads.xlsx',
      sourceLabel: 'bench',
      validateOnly,
      bytesTotal: null,
    }),
  );
  queries!.reset(); // only the pipeline's statements
  const inner = createCopyTx(db);
  // Per chunk: when its transaction started and ended, and the time spent in COPY inside it.
  const chunks: Array<{ start: number; end: number; copyMs: number }> = [];
  const copyMsByTable: Record<string, number> = {};
  const store: CopyTxRunner = {
    async run(fn) {
      const c = { start: performance.now(), end: 0, copyMs: 0 };
      chunks.push(c);
      try {
        return await inner.run(tenantId, (tx, copy) =>
          fn(tx, async (table, columns, rows) => {
            const t0 = performance.now();
            await copy(table, columns, rows);
            const ms = performance.now() - t0;
            c.copyMs += ms;
            copyMsByTable[table] = (copyMsByTable[table] ?? 0) + ms;
          }),
        );
      } finally {
        c.end = performance.now();
      }
    },
  };
  let readerMs = 0;
  // As the app runs it (core/ingest/run-import.ts): readRows → prepareRows → ingestPrepared.
  let bytes = 0;
  const source = prepareRows(readRows({ path: spec.file, filename: 'leads.xlsx' }, { onBytes: (n) => (bytes = n) }), {
    bytesRead: () => bytes,
  })[Symbol.asyncIterator]();
  const batches: AsyncIterable<PreparedBatch> = {
    [Symbol.asyncIterator]: () => ({
      async next() {
        const t = performance.now();
        const r = await source.next();
        readerMs += performance.now() - t;
        return r;
      },
    }),
  };
  // Memory over time (every second): RSS and V8 heap in use, to tell a plateau from a leak.
  const memory: Array<number[]> = [];
  const mb = (n: number) => Math.round(n / 2 ** 20);
  // /proc/self/smaps lists every mapping (PGlite's WebAssembly reservation among them): reading and
  // parsing it took ~0.3 s of a 100k-row PGlite import once a second, counted in the pipeline's time. It
  // is read every fifth second; in between the WebAssembly part is the last one read and the rest is RSS
  // minus it.
  let wasmMb = 0;
  const sampler = setInterval(() => {
    const u = process.memoryUsage();
    if (memory.length % 5 === 0) [wasmMb] = smapsSplit(wasmHeapBytes(db));
    memory.push([mb(u.rss), mb(u.heapUsed), wasmMb, mb(u.rss) - wasmMb]);
  }, 1000);
  const t0 = performance.now();
  await withTenant(db.kysely, tenantId, (tx) =>
    updateIngestJob(tx, tenantId, jobId, { status: 'processando', startedAt: new Date() }),
  );
  const result = await ingestPrepared(
    { store, logger: silentLogger, clock: systemClock, chunkSize: spec.chunkSize },
    { jobId, tenantId, arquivo: 'leads.xlsx', validateOnly },
    batches,
  );
  // The end of an import as runImport does it: statistics for the tables it grew (their own transaction),
  // then the shared-destination check and the job's last update in one.
  const tail0 = performance.now();
  if (!validateOnly)
    await withTenant(db.kysely, tenantId, (tx) =>
      analyzeGrownTables(tx, { statisticsTarget: IMPORT_STATISTICS_TARGET }),
    );
  const analyzeMs = performance.now() - tail0;
  let shared = 0;
  await withTenant(db.kysely, tenantId, async (tx) => {
    if (!validateOnly) shared = (await flagSharedDestinations(tx, tenantId, jobId)).length;
    await updateIngestJob(tx, tenantId, jobId, { status: 'concluido', counts: result.counts, finishedAt: new Date() });
  });
  const tailMs = performance.now() - tail0;
  const seconds = secs(performance.now() - t0);
  clearInterval(sampler);
  const stageMs = chunks.reduce((s, c) => s + c.copyMs, 0);
  const mergeMs = chunks.reduce((s, c) => s + (c.end - c.start - c.copyMs), 0);
  const firstStage = chunks[0]?.start ?? t0;
  return {
    rows: result.counts.linhas_lidas,
    seconds,
    extra: {
      counts: result.counts,
      problems: result.problemsTotal,
      chunks: chunks.length,
      readerSeconds: secs(readerMs),
      stageSeconds: secs(stageMs),
      copySecondsByTable: Object.fromEntries(Object.entries(copyMsByTable).map(([t, ms]) => [t, secs(ms)])),
      mergeSeconds: secs(mergeMs),
      firstChunkAtSeconds: secs(firstStage - t0),
      /** After the last chunk: ANALYZE of the grown tables, then the shared-destination check + the job's end. */
      analyzeSeconds: secs(analyzeMs),
      sharedSeconds: secs(tailMs - analyzeMs),
      sharedProblems: shared,
      /** Database time (stage + merge + job update) of each chunk, in order: growth means superlinear work. */
      /** [RSS MB, V8 heap used MB, resident MB of PGlite's WASM memory (0 on PostgreSQL), the rest] once a second. */
      memory,
      chunkDbMs: chunks.map((c) => Math.round(c.end - c.start)),
      queries: topQueries(queries!.stats(), 12),
      db: validateOnly ? undefined : await verify(db, tenantId, jobId),
    },
  };
}

/** PGlite's WebAssembly memory (it grows and never shrinks); 0 on PostgreSQL. */
function wasmHeapBytes(db: Db): number {
  return (db.pglite as unknown as { mod?: { HEAPU8?: Uint8Array } } | undefined)?.mod?.HEAPU8?.length ?? 0;
}

/** Resident MB of PGlite's WebAssembly memory mapping (the mapping of exactly its size), and of the rest. */
function smapsSplit(wasmBytes: number): number[] {
  let wasm = 0;
  let other = 0;
  let isWasm = false;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (m) isWasm = wasmBytes > 0 && parseInt(m[2], 16) - parseInt(m[1], 16) === wasmBytes;
    else if (line.startsWith('Rss:')) {
      const kb = Number(line.split(/\s+/)[1]);
      if (isWasm) wasm += kb;
      else other += kb;
    }
  }
  return [Math.round(wasm / 1024), Math.round(other / 1024)];
}

function topQueries(stats: QueryStats, n: number) {
  return [...stats.values()]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .map((q) => ({ sql: q.label, calls: q.calls, seconds: secs(q.ms) }));
}

/** What the database holds after the import (every count the merge promised). */
async function verify(db: Db, tenantId: string, jobId: string) {
  const one = (sql: string) => count(db, sql.replaceAll('$T', `'${tenantId}'`).replaceAll('$J', `'${jobId}'`));
  return {
    leads: await one('select count(*)::int as n from leads where tenant_id = $T'),
    telefones: await one('select count(*)::int as n from lead_telefones where tenant_id = $T'),
    emails: await one('select count(*)::int as n from lead_emails where tenant_id = $T'),
    eventos: await one(`select count(*)::int as n from lead_eventos where tenant_id = $T and tipo = 'importacao'`),
    distinctDocs: await one(
      'select count(distinct documento)::int as n from leads where tenant_id = $T and documento_valido',
    ),
    staged: await one('select count(*)::int as n from ingest_linhas where job_id = $J'),
    jobLeads: await one(`select leads_criados::int as n from ingest_jobs where job_id = $J and status = 'concluido'`),
    /** Heap of the staging table at the end (it is empty): dead rows every merge scans past until vacuumed. */
    stagingHeapMb: await one(`select (pg_relation_size('ingest_linhas') / 1048576)::int as n`),
  };
}

/**
 * kysely ends the pg pool only if kysely itself ever used it: a child that queried db.pool alone
 * (the COPY baselines) would otherwise keep its idle connections, and live on, for pg's 10 s idle timeout.
 */
async function closeDb(db: Db): Promise<void> {
  await db.close();
  if (db.kind === 'postgres' && !db.pool!.ending && !db.pool!.ended) await db.pool!.end();
}

async function count(db: Db, sql: string): Promise<number> {
  const r = await sqlRaw<{ n: number }>(db, sql);
  return Number(r[0]?.n ?? -1);
}

async function sqlRaw<R>(db: Db, text: string): Promise<R[]> {
  if (db.kind === 'postgres') return (await db.pool!.query(text)).rows as R[];
  return (await db.pglite!.query<R>(text)).rows;
}

/** The server's postmaster, when it runs on this machine (else its CPU is not measured). */
async function serverSampler(db: Db) {
  if (db.kind !== 'postgres') return null;
  const [{ pid }] = await sqlRaw<{ pid: number }>(db, 'select pg_backend_pid() as pid');
  const st = procStat(pid);
  return st ? serverCpuSampler(st.ppid) : null;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
