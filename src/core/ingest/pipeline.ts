import type { RowProblem } from '../jobs/job-schema.js';
import type { Clock, Logger } from '../ports.js';
import { ChunkWriter, type IngestJobRef } from './chunk-writer.js';
import { HEADER_SCAN_ROWS, type LeadField, type SheetRow } from './columns.js';
import type { Counts } from './counts.js';
import type { CopyTxRunner } from './ports.js';
import { prepareRows, type PreparedBatch } from './prepare.js';

export type { IngestJobRef } from './chunk-writer.js';
export type { StagedRow } from './merge.js';

export interface PipelineDeps {
  /** Transactions of the job's tenant that can COPY (db/copy-tx.ts). */
  store: CopyTxRunner;
  logger: Logger;
  /** When rows were imported (their origin) is read from it. */
  clock: Clock;
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
 * Prepared rows (prepare.ts) → groups in chunks → merges each chunk (lookups in SQL, new rows by COPY).
 * Preparing the next chunk overlaps writing the previous one (at most two chunks wait for the database,
 * see ChunkWriter), so memory stays flat however large the file. Rows that cannot be used are
 * reported, never fatal.
 */
export async function ingestPrepared(
  deps: PipelineDeps,
  job: IngestJobRef,
  batches: AsyncIterable<PreparedBatch>,
  opts: Pick<PipelineOptions, 'onProgress' | 'signal'> = {},
): Promise<PipelineResult> {
  // 2,500 rows: small enough that two chunks in flight keep the process well under 300 MB, large enough
  // that per-chunk statements (lock, lookups, job update) stay a small share of the work.
  const writer = new ChunkWriter(deps.store, job, deps.chunkSize ?? 2500, deps.clock, opts.onProgress);
  let sheets: PipelineResult['sheets'] = [];
  for await (const batch of batches) {
    if (opts.signal?.aborted) throw new Error('cancelled');
    if (writer.failure) break;
    if (batch.sheets) sheets = batch.sheets;
    await writer.add(batch);
  }
  if (!writer.failure && !sheets.some((s) => s.headerRow !== null)) throw new NoHeaderError(noHeaderMessage(sheets));
  await writer.finish();
  return { counts: writer.counts, problemsTotal: writer.problemsTotal, sample: writer.sample, sheets };
}

function noHeaderMessage(sheets: PipelineResult['sheets']): string {
  const looked = sheets.map((s) => `"${s.sheet}"`).join(', ') || 'the file';
  return (
    `No sheet has recognisable lead columns (looked at the first ${HEADER_SCAN_ROWS} rows of ${looked}). ` +
    'Expected a header row with columns such as Empresa / Razão Social / Nome, Contato, CNPJ/CPF, ' +
    'Telefone / Celular / WhatsApp, E-mail. ' +
    'Rename the columns, or pass column_map (header text → name | contact_name | document | phone | email | ' +
    'external_id | state | amount | due_date | contract | description).'
  );
}
