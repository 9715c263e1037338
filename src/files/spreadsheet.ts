import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SheetRow } from '../core/ingest/columns.js';
import type { SpreadsheetFormat } from '../core/model/index.js';
import { readCsvRows } from './csv-reader.js';
import { RESAVE_ADVICE, SpreadsheetError } from './errors.js';
import type { RemoteObject } from './remote-object.js';
import { readXlsxRows } from './xlsx-reader.js';

export type { SheetRow } from '../core/ingest/columns.js';
export type { SpreadsheetFormat } from '../core/model/index.js';
export { SpreadsheetError, type SpreadsheetErrorCode } from './errors.js';

/** A file to read: a path on disk, the bytes in memory or a remote object; `filename` names it in messages and rows. */
export interface SpreadsheetSource {
  path?: string;
  buffer?: Buffer;
  remote?: RemoteObject;
  filename: string;
}

export interface ReadRowsOptions {
  /** XLSX: read only this sheet (exact name, else case/space-insensitive). Ignored for CSV. */
  sheet?: string;
  /** XLSX: also read hidden sheets when no sheet is named (default false). */
  includeHidden?: boolean;
  /** Refuse files larger than this many bytes with 'too_large'. */
  maxBytes?: number;
  /** Progress: bytes of the file read so far, called once per chunk read (ends at the file size). */
  onBytes?: (bytesRead: number) => void;
}

const HEAD_BYTES = 4096;

/**
 * The format by content first, extension second: a zip is an .xlsx (unless it is an .ods), an OLE2
 * file is a legacy .xls (or a password-protected workbook), text is CSV whatever its name (web
 * systems often export tab- or ;-separated text as ".xls"). Anything else is refused with advice.
 */
export async function detectFormat(src: SpreadsheetSource): Promise<SpreadsheetFormat> {
  const { head, size } = await readHead(src);
  if (size === 0)
    throw new SpreadsheetError('empty', `The file "${src.filename}" is empty (0 bytes). Send the file again.`);

  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    if (head.toString('latin1', 30, 38) === 'mimetype' && head.includes('opendocument.spreadsheet')) {
      throw unsupported(src, 'an OpenDocument spreadsheet (.ods)');
    }
    return 'xlsx';
  }
  if (startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    throw new SpreadsheetError(
      'corrupt',
      `The file "${src.filename}" is an empty zip archive, not a workbook. ${RESAVE_ADVICE}`,
    );
  }
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw new SpreadsheetError(
      'unsupported_format',
      `The file "${src.filename}" is a legacy Excel 97-2003 workbook (.xls) or a password-protected workbook, which cannot be read. ` +
        `Remove any password, then in Excel or LibreOffice use "Save As" → "Excel Workbook (.xlsx)" (or "CSV UTF-8") and send it again.`,
    );
  }
  const binary = binaryKind(head);
  if (binary) throw unsupported(src, binary);
  const markup = markupKind(head);
  if (markup) throw unsupported(src, markup);
  return 'csv';
}

/**
 * Every non-empty row of every visible sheet (or of `opts.sheet`), in order, streamed: memory
 * stays bounded by one row plus the workbook's shared-string table. Throws SpreadsheetError
 * ('unsupported_format' | 'corrupt' | 'empty' | 'too_large' | 'sheet_not_found') with a message
 * that tells the user what to send instead.
 *
 * @example
 * for await (const row of readRows({ path: '/tmp/leads.xlsx', filename: 'leads.xlsx' })) {
 *   row; // { sheet: 'Leads', rowNumber: 4, cells: ['ACME Ltda', '11222333000181', ...] }
 * }
 */
export async function* readRows(src: SpreadsheetSource, opts: ReadRowsOptions = {}): AsyncGenerator<SheetRow> {
  const input = src.buffer
    ? { buffer: src.buffer }
    : src.remote
      ? { remote: src.remote }
      : src.path
        ? { path: src.path }
        : null;
  if (!input) throw new TypeError('readRows needs a path, a buffer or a remote object');
  if (opts.maxBytes !== undefined) {
    const { size } = await readHead(src, 0);
    if (size > opts.maxBytes) {
      throw new SpreadsheetError(
        'too_large',
        `The file "${src.filename}" has ${formatMb(size)}, more than the ${formatMb(opts.maxBytes)} allowed. ` +
          'Split it into smaller files and send them one at a time.',
      );
    }
  }
  if ((await detectFormat(src)) === 'xlsx') {
    yield* readXlsxRows(input, opts);
  } else {
    const csv = src.remote
      ? { stream: src.remote.stream(0, src.remote.size) }
      : (input as { path: string } | { buffer: Buffer });
    yield* readCsvRows(csv, basename(src.filename), opts.onBytes);
  }
}

async function readHead(src: SpreadsheetSource, length = HEAD_BYTES): Promise<{ head: Buffer; size: number }> {
  if (src.buffer) return { head: src.buffer.subarray(0, length), size: src.buffer.length };
  if (src.remote) {
    const n = Math.min(length, src.remote.size);
    return { head: n ? await src.remote.read(0, n) : Buffer.alloc(0), size: src.remote.size };
  }
  if (!src.path) throw new TypeError('readRows needs a path or a buffer');
  const fh = await open(src.path, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(length, size));
    if (head.length > 0) await fh.read(head, 0, head.length, 0);
    return { head, size };
  } finally {
    await fh.close();
  }
}

function startsWith(head: Buffer, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

function binaryKind(head: Buffer): string | null {
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46])) return 'a PDF document';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47]) || startsWith(head, [0xff, 0xd8, 0xff])) return 'an image';
  if (
    startsWith(head, [0x1f, 0x8b]) ||
    startsWith(head, [0x52, 0x61, 0x72, 0x21]) ||
    startsWith(head, [0x37, 0x7a, 0xbc, 0xaf])
  ) {
    return 'a compressed archive (gzip/rar/7z)';
  }
  if (startsWith(head, [0x7b, 0x5c, 0x72, 0x74, 0x66])) return 'an RTF document';
  const utf16 = startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff]);
  if (!utf16 && head.includes(0)) return 'a binary file';
  return null;
}

/** HTML or Excel 2003 XML saved with an .xls name, a common export from web systems. */
function markupKind(head: Buffer): string | null {
  const text = head
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .slice(0, 1024)
    .toLowerCase();
  if (!text.startsWith('<')) return null;
  if (text.includes('urn:schemas-microsoft-com:office:spreadsheet')) return 'an Excel 2003 XML spreadsheet';
  if (/^<(!doctype html|html|table|meta|head|body)\b/.test(text) || text.includes('<html'))
    return 'a web page (HTML) saved as a spreadsheet';
  if (text.startsWith('<?xml')) return 'an XML document';
  return null;
}

function unsupported(src: SpreadsheetSource, what: string): SpreadsheetError {
  const advice = /spreadsheet|web page/.test(what)
    ? RESAVE_ADVICE
    : 'Export the leads as .xlsx or .csv (UTF-8) from the system or spreadsheet they came from and send that file.';
  return new SpreadsheetError(
    'unsupported_format',
    `The file "${src.filename}" is ${what}, not a spreadsheet this tool can read. ${advice}`,
  );
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
