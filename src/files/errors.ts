export type SpreadsheetErrorCode =
  'unsupported_format' | 'corrupt' | 'empty' | 'too_large' | 'no_header' | 'sheet_not_found';

/**
 * A spreadsheet the caller (often a model) can do something about. The message is in English,
 * says what is wrong and what to send instead; `code` is for programs.
 */
export class SpreadsheetError extends Error {
  override readonly name = 'SpreadsheetError';
  readonly code: SpreadsheetErrorCode;

  constructor(code: SpreadsheetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export const RESAVE_ADVICE = 'Open it in Excel or LibreOffice, save it as .xlsx (or .csv UTF-8) and send it again.';
