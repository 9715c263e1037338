import { AppError } from '../errors.js';
import { coreMetrics } from '../metrics.js';
import type { Scope } from '../scope.js';
import type { LegalBasis } from '../model/index.js';
import type { LeadField } from './column-types.js';
import { PROBLEM_SAMPLE_SIZE, updateIngestJob } from './job-store.js';
import { analyzeGrownTables, IMPORT_STATISTICS_TARGET } from '../dispatch/sql/analyze-grown.js';
import { flagSharedDestinations } from './sql/shared-destinations.js';
import { ingestPrepared, NoHeaderError } from './pipeline.js';
import type { CopyTxRunner, OpenedSpreadsheet } from './ports.js';
import { prepareRows, type PreparedBatch } from './prepare.js';

export interface ImportRun {
  jobId: string;
  file: OpenedSpreadsheet;
  sheet?: string;
  columnMap?: Record<string, LeadField>;
  validateOnly: boolean;
  baseLegal?: LegalBasis | null;
  /** Bytes of the file read so far, updated as it is read. */
  progress: { bytes: number };
}

/**
 * The import itself, in the background: the job goes processando, the file is read, prepared and
 * merged (pipeline.ts) with the disk checked as it goes, and the job ends concluido with its counts or
 * falhou with a message that says what to do. Never rejects: every outcome is written to the job.
 */
export async function runImport(scope: Scope, bulk: CopyTxRunner, run: ImportRun): Promise<void> {
  const tenantId = scope.tenant.tenant_id;
  const { jobId, file } = run;
  const log = scope.logger.child({ job_id: jobId });
  const started = performance.now();
  const read = { rows: 0 };
  await scope.tx((tx) => updateIngestJob(tx, tenantId, jobId, { status: 'processando', startedAt: scope.clock.now() }));
  try {
    const rows = file.rows({ sheet: run.sheet, onBytes: (n) => (run.progress.bytes = n) });
    const batches = prepareRows(rows, { columnMap: run.columnMap, bytesRead: () => run.progress.bytes });
    const result = await ingestPrepared(
      { store: bulk, logger: log, clock: scope.clock },
      { jobId, tenantId, arquivo: file.filename, validateOnly: run.validateOnly, baseLegal: run.baseLegal },
      guarded(batches, () => scope.assertWritable(), read),
    );
    if (!run.validateOnly) await analyzeGrown(scope, log);
    await scope.tx(async (tx) => {
      const shared = run.validateOnly ? [] : await flagSharedDestinations(tx, tenantId, jobId);
      await updateIngestJob(tx, tenantId, jobId, {
        status: 'concluido',
        counts: result.counts,
        bytesRead: file.size,
        finishedAt: scope.clock.now(),
        ...(shared.length && {
          problemsTotal: result.problemsTotal + shared.length,
          sample: [...result.sample, ...shared].slice(0, PROBLEM_SAMPLE_SIZE),
        }),
      });
    });
    log.info({ counts: result.counts, problems: result.problemsTotal }, 'ingest finished');
    coreMetrics().importFinished('concluido', result.counts.linhas_lidas, performance.now() - started);
  } catch (err) {
    const message = errorMessage(err);
    log.warn({ err: { name: (err as Error).name, message } }, 'ingest failed');
    await scope.tx((tx) =>
      updateIngestJob(tx, tenantId, jobId, { status: 'falhou', error: message, finishedAt: scope.clock.now() }),
    );
    coreMetrics().importFinished('falhou', read.rows, performance.now() - started);
  }
}

/**
 * Statistics for the tables the import just grew (migration 063): without them the planner still sees the
 * tables as they were until autovacuum's analyze (never, on PGlite). Its own transaction, so a failure
 * (only ever costing plans) loses nothing. A sample of 3,000 rows (IMPORT_STATISTICS_TARGET), not the
 * default 30,000: the import waits for it, and what the plans after an import need is the tables' size
 * and their keys' spread, not fine histograms (autovacuum and the executor's own ANALYZE refine them
 * later). At 100k rows on PGlite: 0.55 s warm with the default target, 0.07 s with this one.
 */
async function analyzeGrown(scope: Scope, log: Scope['logger']): Promise<void> {
  try {
    const analyzed = await scope.tx((tx) => analyzeGrownTables(tx, { statisticsTarget: IMPORT_STATISTICS_TARGET }));
    if (analyzed.length) log.debug({ tables: analyzed }, 'analyzed grown tables');
  } catch (err) {
    log.warn({ err: { message: (err as Error).message } }, 'could not analyze grown tables');
  }
}

/** Batches as they come, with the disk checked every GUARD_EVERY rows (before the chunk they fill is written). */
async function* guarded(
  batches: AsyncIterable<PreparedBatch>,
  check: () => Promise<void>,
  read: { rows: number },
): AsyncGenerator<PreparedBatch> {
  let n = 0;
  for await (const batch of batches) {
    n += batch.counts.linhas_lidas;
    read.rows += batch.counts.linhas_lidas;
    if (n >= GUARD_EVERY) {
      n = 0;
      await check();
    }
    yield batch;
  }
}
const GUARD_EVERY = 1000;

function errorMessage(err: unknown): string {
  if (err instanceof NoHeaderError || err instanceof AppError) return err.message;
  return `internal error while importing: ${(err as Error).message ?? String(err)}`;
}
