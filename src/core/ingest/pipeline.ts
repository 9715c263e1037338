import type { RowProblem } from '../jobs.js';
import type { Logger } from '../ports.js';
import { HEADER_SCAN_ROWS, type LeadField, type SheetRow } from './columns.js';
import { PROBLEM_SAMPLE_SIZE, updateIngestJob, zeroCounts, type Counts } from './job-store.js';
import { groupRows } from './group.js';
import { mergeChunk, type StagedRow, type TenantCopyTx } from './merge.js';
import { prepareRows, type PreparedBatch, type RowCounts } from './prepare.js';

export type { StagedRow, TenantCopyTx } from './merge.js';

export interface IngestJobRef {
  jobId: string;
  tenantId: string;
  arquivo: string;
  validateOnly: boolean;
}

export interface PipelineDeps {
  /** Tenant transactions that can COPY (db/copy-tx.ts). */
  store: TenantCopyTx;
  logger: Logger;
  chunkSize?: number;
}

export interface PipelineOptions {
  columnMap?: Record<string, LeadField>;
  /** Bytes of the file consumed so far, for progress. */
  bytesRead?: () => number;
  /** Called after each chunk is written, with the running counts. */
  onProgress?: (counts: Counts) => void;
  signal?: AbortSignal;
}

export interface PipelineResult {
  counts: Counts;
  problemsTotal: number;
  sample: RowProblem[];
  sheets: Array<{ sheet: string; headerRow: number | null }>;
}

/** Thrown when no sheet has recognisable lead columns: nothing was written. */
export class NoHeaderError extends Error {
  readonly code = 'no_header';
}

/**
 * Streams rows → finds each sheet's header → maps → normalises (prepare.ts, on this thread) → merges in
 * chunks. See ingestPrepared.
 */
export function ingestRows(
  deps: PipelineDeps,
  job: IngestJobRef,
  rows: AsyncIterable<SheetRow>,
  opts: PipelineOptions = {},
): Promise<PipelineResult> {
  return ingestPrepared(deps, job, prepareRows(rows, { columnMap: opts.columnMap, bytesRead: opts.bytesRead }), opts);
}

/**
 * Prepared rows (prepare.ts) → groups in chunks → merges each chunk
 * (lookups in SQL, new rows by COPY). Preparing the next chunk overlaps writing the previous one (at most
 * two chunks wait for the database), so memory stays flat however large the file. Rows that cannot be
 * used are reported, never fatal.
 */
export async function ingestPrepared(
  deps: PipelineDeps,
  job: IngestJobRef,
  batches: AsyncIterable<PreparedBatch>,
  opts: Pick<PipelineOptions, 'onProgress' | 'signal'> = {},
): Promise<PipelineResult> {
  // 2,500 rows: small enough that two chunks in flight keep the process well under 300 MB, large enough
  // that per-chunk statements (lock, lookups, job update) stay a small share of the work.
  const chunkSize = deps.chunkSize ?? 2500;
  const counts = zeroCounts();
  const sample: RowProblem[] = [];
  let problemsTotal = 0;
  let pendingProblems: RowProblem[] = [];
  let sheets: PipelineResult['sheets'] = [];
  let seq = 0;
  let chunk: StagedRow[] = [];
  let bytesRead: number | undefined;
  let inflight: Promise<void> = Promise.resolve();
  /** Chunks handed to the database and not written yet, oldest first. */
  const queued: Array<Promise<void>> = [];
  let failure: unknown = null;

  const flush = () => {
    const rowsToWrite = chunk;
    const groups = groupRows(rowsToWrite);
    rowsToWrite.forEach((r, i) => (r.grupo = groups[i]));
    const problems = pendingProblems;
    chunk = [];
    pendingProblems = [];
    const snapshotBytes = bytesRead;
    inflight = inflight.then(async () => {
      try {
        if (failure) return;
        await deps.store.run(job.tenantId, async (tx, copy) => {
          if (!job.validateOnly && rowsToWrite.length) {
            const m = await mergeChunk(
              tx,
              copy,
              {
                jobId: job.jobId,
                tenantId: job.tenantId,
                arquivo: job.arquivo,
                actor: `ingest:${job.jobId}`,
              },
              rowsToWrite,
            );
            counts.leads_criados += m.created;
            counts.leads_atualizados += m.updated;
            counts.duplicados += m.duplicates;
          }
          await updateIngestJob(tx, job.tenantId, job.jobId, {
            counts: { ...counts },
            problems,
            sample,
            problemsTotal,
            bytesRead: snapshotBytes,
          });
        });
        opts.onProgress?.({ ...counts });
      } catch (err) {
        failure ??= err;
      } finally {
        queued.shift();
      }
    });
    queued.push(inflight);
  };

  for await (const batch of batches) {
    if (opts.signal?.aborted) throw new Error('cancelled');
    if (failure) break;
    for (const k of Object.keys(batch.counts) as Array<keyof RowCounts>) counts[k] += batch.counts[k];
    for (const p of batch.problems) {
      problemsTotal++;
      if (sample.length < PROBLEM_SAMPLE_SIZE) sample.push(p);
      pendingProblems.push(p);
    }
    if (batch.bytesRead !== undefined) bytesRead = batch.bytesRead;
    if (batch.sheets) sheets = batch.sheets;
    for (const row of batch.rows) {
      const staged = row as StagedRow;
      staged.seq = ++seq;
      staged.grupo = 0;
      chunk.push(staged);
      if (chunk.length >= chunkSize) {
        flush();
        // Back-pressure: never more than two chunks waiting for the database; preparing goes on while the
        // older one is written, so parsing and normalising overlap the database work.
        if (queued.length >= 2) await queued[0];
      }
    }
  }
  if (!failure && !sheets.some((s) => s.headerRow !== null)) {
    throw new NoHeaderError(
      `No sheet has recognisable lead columns (looked at the first ${HEADER_SCAN_ROWS} rows of ${sheets.map((s) => `"${s.sheet}"`).join(', ') || 'the file'}). ` +
        'Expected a header row with columns such as Empresa / Razão Social / Nome, Contato, CNPJ/CPF, Telefone / Celular / WhatsApp, E-mail. ' +
        'Rename the columns, or pass column_map (header text → nome | contato_nome | documento | telefone | email | lead_id_externo).',
    );
  }
  flush();
  await inflight;
  if (failure) throw failure;
  return { counts, problemsTotal, sample, sheets };
}
