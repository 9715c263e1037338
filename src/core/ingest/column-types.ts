/** The shapes of reading a sheet: rows as text, the header mapping, a row read through it. */

/** One row of a sheet as text. rowNumber is 1-based, as Excel/LibreOffice show it; cells[0] is column A. */
export interface SheetRow {
  sheet: string;
  rowNumber: number;
  cells: string[];
  /** Cells that hold a spreadsheet error (their text is ''): column index → '#N/A', '#REF!', ... */
  errors?: Record<number, string>;
}

export type LeadField =
  'nome' | 'contato_nome' | 'documento' | 'telefone' | 'email' | 'lead_id_externo' | 'uf' | DebtField;

/** The columns of a debt (one per row; rows of the same person make a lead with several debts). */
export type DebtField = 'valor' | 'vencimento' | 'contrato' | 'descricao';
export const DEBT_FIELDS: readonly DebtField[] = ['valor', 'vencimento', 'contrato', 'descricao'];

/** Which column feeds which lead field; field null → kept in dados_extras under its header. */
export interface ColumnMapping {
  headerRowNumber: number;
  sheet: string;
  columns: Array<{ index: number; header: string; field: LeadField | null }>;
}

/** A data row read through a mapping: text as found (trimmed), not yet normalised or validated. */
export interface RawLead {
  rowNumber: number;
  sheet: string;
  nome: string;
  contato_nome: string;
  documento: string;
  /** Raw text of every phone column, in column order; a cell may hold several numbers. */
  telefones: string[];
  /** Raw text of every e-mail column, in column order; a cell may hold several addresses. */
  emails: string[];
  lead_id_externo: string;
  /** The row's city/UF cell as found, when the sheet has such a column (also kept in extras). */
  uf?: string;
  /** The row's debt columns as found ('' when empty), when the sheet has any; also kept in extras. */
  divida?: Record<DebtField, string>;
  extras: Record<string, string>;
}

/** header text → field (null: keep the column in extras). Compared like headers: accents/case/punctuation ignored. */
export type ColumnMap = Record<string, LeadField | null>;

/** How many rows from the top of a sheet may hold the header. */
export const HEADER_SCAN_ROWS = 30;
