import type { RowProblem } from '../jobs.js';
import type { Logger } from '../ports.js';
import { detectHeader, mapRow, type ColumnMapping, type LeadField, type SheetRow } from './columns.js';
import { PROBLEM_SAMPLE_SIZE, updateIngestJob, zeroCounts, type Counts } from './job-store.js';
import { groupRows } from './group.js';
import { mergeChunk, type StagedRow, type TenantCopyTx } from './merge.js';
import { normalizeRow } from './normalize-row.js';

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

const HEADER_SCAN_ROWS = 30;
/** About 5 ms of reading and normalising between two turns of the event loop. */
const YIELD_EVERY_ROWS = 200;

/**
 * Streams rows → finds each sheet's header → maps → normalises → groups in chunks → merges each chunk
 * (lookups in SQL, new rows by COPY). Reading the next chunk overlaps writing the previous one (at most two chunks in memory),
 * so memory stays flat however large the file. Rows that cannot be used are reported, never fatal.
 */
export async function ingestRows(
  deps: PipelineDeps,
  job: IngestJobRef,
  rows: AsyncIterable<SheetRow>,
  opts: PipelineOptions = {},
): Promise<PipelineResult> {
  // 2,500 rows: small enough that two chunks in flight keep the process well under 300 MB, large enough
  // that per-chunk statements (lock, lookups, job update) stay a small share of the work.
  const chunkSize = deps.chunkSize ?? 2500;
  const counts = zeroCounts();
  const sample: RowProblem[] = [];
  let problemsTotal = 0;
  let pendingProblems: RowProblem[] = [];
  const sheets: PipelineResult['sheets'] = [];
  let seq = 0;
  let chunk: StagedRow[] = [];
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
    const snapshotBytes = opts.bytesRead?.();
    inflight = inflight.then(async () => {
      try {
        if (failure) return;
        await deps.store.run(job.tenantId, async (tx, copy) => {
          if (!job.validateOnly && rowsToWrite.length) {
            const m = await mergeChunk(tx, copy, {
              jobId: job.jobId, tenantId: job.tenantId, arquivo: job.arquivo, actor: `ingest:${job.jobId}`,
            }, rowsToWrite);
            counts.leads_criados += m.created;
            counts.leads_atualizados += m.updated;
            counts.duplicados += m.duplicates;
          }
          await updateIngestJob(tx, job.tenantId, job.jobId, {
            counts: { ...counts }, problems, sample, problemsTotal, bytesRead: snapshotBytes,
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

  let buffer: SheetRow[] = [];
  let currentSheet: string | null = null;
  let mapping: ColumnMapping | null = null;

  const consume = (row: SheetRow) => {
    if (!mapping) return;
    const raw = mapRow(mapping, row);
    if (!raw) return;
    counts.linhas_lidas++;
    const { row: normalized, problems } = normalizeRow(raw);
    // Error cells (#N/A, #REF!, …) read as empty; say so instead of losing the value silently.
    for (const [index, code] of Object.entries(row.errors ?? {})) {
      const col = mapping.columns.find((c) => c.index === Number(index));
      problems.push({
        row: row.rowNumber, sheet: row.sheet, column: col?.field ?? col?.header ?? `coluna ${Number(index) + 1}`, value: code,
        reason: `célula com erro da planilha (${code}): valor ignorado; corrija a fórmula ou digite o valor`,
      });
    }
    for (const p of problems) {
      problemsTotal++;
      if (sample.length < PROBLEM_SAMPLE_SIZE) sample.push(p);
      pendingProblems.push(p);
    }
    if (!normalized) {
      counts.linhas_invalidas++;
      return;
    }
    for (const t of normalized.telefones) t.valido_para_disparo ? counts.telefones_validos++ : counts.telefones_invalidos++;
    for (const e of normalized.emails) e.valido_para_disparo ? counts.emails_validos++ : counts.emails_invalidos++;
    const staged = normalized as StagedRow;
    staged.seq = ++seq;
    staged.grupo = 0;
    chunk.push(staged);
  };

  const settleHeader = () => {
    if (mapping || currentSheet === null) return;
    mapping = detectHeader(buffer, { columnMap: opts.columnMap });
    sheets.push({ sheet: currentSheet, headerRow: mapping?.headerRowNumber ?? null });
    const pending = buffer;
    buffer = [];
    if (!mapping) return;
    for (const r of pending) {
      if (r.rowNumber <= mapping.headerRowNumber) continue;
      consume(r);
      if (chunk.length >= chunkSize) flush();
    }
  };

  let sinceYield = 0;
  for await (const row of rows) {
    if (opts.signal?.aborted) throw new Error('cancelled');
    // The reader hands over a whole inflated block of rows without touching the event loop (the await
    // above resolves as a microtask): yield now and then, or the database's replies wait for a block
    // of parsing and normalising each time and the writes stop overlapping the reading.
    if (++sinceYield === YIELD_EVERY_ROWS) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (failure) break;
    if (row.sheet !== currentSheet) {
      settleHeader();
      currentSheet = row.sheet;
      mapping = null;
      buffer = [];
    }
    if (!mapping) {
      buffer.push(row);
      if (buffer.length >= HEADER_SCAN_ROWS) settleHeader();
      continue;
    }
    consume(row);
    if (chunk.length >= chunkSize) {
      flush();
      // Back-pressure: never more than two chunks waiting for the database; reading goes on while the
      // older one is written, so parsing and normalising overlap the database work.
      if (queued.length >= 2) await queued[0];
    }
  }
  settleHeader();
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
