import type { Tx } from '../../db/tenant.js';
import type { SpreadsheetFormat } from '../model/index.js';
import type { SheetRow } from './columns.js';

/**
 * The ports an import needs, declared here and provided by src/scope.ts: the spreadsheet on disk or
 * in the call (src/files) and tenant transactions that can COPY (src/db/copy-tx.ts).
 */

/** Where the bytes of an import come from, as the caller gave it (ingest_leads' arguments). */
export interface SpreadsheetRequest {
  /** A file on the server (allowed directories only). */
  file_path?: string;
  /** Or the file itself, base64, with `filename`. */
  content_base64?: string;
  filename?: string;
}

/** A spreadsheet found, checked and recognised, ready to be read. */
export interface OpenedSpreadsheet {
  /** The file's name (no directory): names the job and the rows' origin. */
  filename: string;
  format: SpreadsheetFormat;
  /** Bytes, for progress. */
  size: number;
  /**
   * Every non-empty row of every visible sheet (or of `sheet`), streamed. `onBytes` gets the bytes read
   * so far. A file that turns out unreadable rejects with an AppError whose message says what to send.
   */
  rows(opts: { sheet?: string; onBytes?: (bytesRead: number) => void }): AsyncIterable<SheetRow>;
}

/** Port: spreadsheets to import. */
export interface SpreadsheetFiles {
  /**
   * Resolves and recognises the file: exactly one of file_path (inside the allowed directories) or
   * content_base64 + filename. Rejects with an AppError (invalid_argument, forbidden, not_found,
   * unsupported_format) whose message says what to change.
   */
  open(req: SpreadsheetRequest): Promise<OpenedSpreadsheet>;
}

export type CopyValue = string | number | boolean | null | object;

/** COPY rows (values in column order) into a table, inside the current transaction. */
export type CopyIn = (
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly CopyValue[]>,
) => Promise<void>;

/** Port: a transaction of the scope's tenant (like Scope.tx) that can also COPY (db/copy-tx.ts). */
export interface CopyTxRunner {
  run<T>(fn: (tx: Tx, copy: CopyIn) => Promise<T>): Promise<T>;
}

/** The database side of CopyTxRunner, for any tenant: db/copy-tx.ts createCopyTx. */
export interface TenantCopyTx {
  run<T>(tenantId: string, fn: (tx: Tx, copy: CopyIn) => Promise<T>): Promise<T>;
}

/** A TenantCopyTx bound to one tenant. */
export const copyTxFor = (store: TenantCopyTx, tenantId: string): CopyTxRunner => ({
  run: (fn) => store.run(tenantId, fn),
});
