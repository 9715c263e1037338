import type { RowProblem } from '../jobs/job-schema.js';
import {
  detectHeader,
  HEADER_SCAN_ROWS,
  mapRow,
  type ColumnMapping,
  type LeadField,
  type SheetRow,
} from './columns.js';
import type { Counts } from './counts.js';
import { normalizeRow, type NormalizedRow } from './normalize-row.js';

/** The counts a row decides by itself (the merge decides the rest). */
export type RowCounts = Pick<
  Counts,
  | 'linhas_lidas'
  | 'linhas_invalidas'
  | 'linhas_sem_canal'
  | 'telefones_validos'
  | 'telefones_invalidos'
  | 'emails_validos'
  | 'emails_invalidos'
>;

/** Rows read, mapped and normalised, ready for the merge, with their problems and counts. */
export interface PreparedBatch {
  rows: NormalizedRow[];
  /** Problems of these rows, in row order. */
  problems: RowProblem[];
  counts: RowCounts;
  /** Bytes of the file read when the batch was cut (progress). */
  bytesRead?: number;
  /** On the last batch only: each sheet seen and the row of its header (null: none found). */
  sheets?: Array<{ sheet: string; headerRow: number | null }>;
}

const zeroRowCounts = (): RowCounts => ({
  linhas_lidas: 0,
  linhas_invalidas: 0,
  linhas_sem_canal: 0,
  telefones_validos: 0,
  telefones_invalidos: 0,
  emails_validos: 0,
  emails_invalidos: 0,
});

/**
 * Sheet rows in, prepared rows out: finds each sheet's header in its first HEADER_SCAN_ROWS rows, maps and
 * normalises every data row after it, and reports every value that cannot be used. Pure and synchronous:
 * feed rows with add(), cut batches with take(), call end() after the last row.
 */
export class RowPreparer {
  private buffer: SheetRow[] = [];
  private currentSheet: string | null = null;
  private mapping: ColumnMapping | null = null;
  private batch: PreparedBatch = { rows: [], problems: [], counts: zeroRowCounts() };
  readonly sheets: Array<{ sheet: string; headerRow: number | null }> = [];

  constructor(private readonly columnMap?: Record<string, LeadField>) {}

  /** Rows prepared (or found unusable) since the last take(). */
  get size(): number {
    return this.batch.counts.linhas_lidas;
  }

  add(row: SheetRow): void {
    if (row.sheet !== this.currentSheet) {
      this.settleHeader();
      this.currentSheet = row.sheet;
      this.mapping = null;
      this.buffer = [];
    }
    if (!this.mapping) {
      this.buffer.push(row);
      if (this.buffer.length >= HEADER_SCAN_ROWS) this.settleHeader();
      return;
    }
    this.consume(row);
  }

  /** After the last row: a sheet shorter than HEADER_SCAN_ROWS still gets its header looked for. */
  end(): void {
    this.settleHeader();
  }

  take(): PreparedBatch {
    const out = this.batch;
    this.batch = { rows: [], problems: [], counts: zeroRowCounts() };
    return out;
  }

  private settleHeader(): void {
    if (this.mapping || this.currentSheet === null) return;
    this.mapping = detectHeader(this.buffer, { columnMap: this.columnMap });
    this.sheets.push({ sheet: this.currentSheet, headerRow: this.mapping?.headerRowNumber ?? null });
    const pending = this.buffer;
    this.buffer = [];
    if (!this.mapping) return;
    for (const r of pending) if (r.rowNumber > this.mapping.headerRowNumber) this.consume(r);
  }

  private consume(row: SheetRow): void {
    const mapping = this.mapping!;
    const raw = mapRow(mapping, row);
    if (!raw) return;
    const { counts } = this.batch;
    counts.linhas_lidas++;
    const { row: normalized, problems } = normalizeRow(raw);
    // Error cells (#N/A, #REF!, …) read as empty; say so instead of losing the value silently.
    for (const [index, code] of Object.entries(row.errors ?? {})) {
      const col = mapping.columns.find((c) => c.index === Number(index));
      problems.push({
        row: row.rowNumber,
        sheet: row.sheet,
        column: col?.field ?? col?.header ?? `coluna ${Number(index) + 1}`,
        value: code,
        reason: `célula com erro da planilha (${code}): valor ignorado; corrija a fórmula ou digite o valor`,
      });
    }
    for (const p of problems) this.batch.problems.push(p);
    if (!normalized) {
      counts.linhas_invalidas++;
      return;
    }
    for (const t of normalized.telefones)
      t.valido_para_disparo ? counts.telefones_validos++ : counts.telefones_invalidos++;
    for (const e of normalized.emails) e.valido_para_disparo ? counts.emails_validos++ : counts.emails_invalidos++;
    if (
      !normalized.telefones.some((t) => t.valido_para_disparo) &&
      !normalized.emails.some((e) => e.valido_para_disparo)
    )
      counts.linhas_sem_canal++;
    this.batch.rows.push(normalized);
  }
}

/**
 * Prepares rows on this thread in batches of `batchRows`, yielding to the event loop between batches:
 * a reader hands over a whole inflated block of rows as microtasks, and without the yield the database's
 * replies would wait for each block of parsing and normalising, so writes would stop overlapping reads.
 */
export async function* prepareRows(
  rows: AsyncIterable<SheetRow>,
  opts: { columnMap?: Record<string, LeadField>; batchRows?: number; bytesRead?: () => number } = {},
): AsyncGenerator<PreparedBatch> {
  const batchRows = opts.batchRows ?? 200;
  const preparer = new RowPreparer(opts.columnMap);
  for await (const row of rows) {
    preparer.add(row);
    if (preparer.size >= batchRows) {
      yield { ...preparer.take(), bytesRead: opts.bytesRead?.() };
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  preparer.end();
  yield { ...preparer.take(), bytesRead: opts.bytesRead?.(), sheets: preparer.sheets };
}
