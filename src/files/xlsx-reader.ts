import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { SheetRow } from '../core/ingest/columns.js';
import { cellError, cellToString } from './cell.js';
import { RESAVE_ADVICE, SpreadsheetError } from './errors.js';
import { mergeInlineStringRuns } from './inline-strings.js';
import { readMailtoLinks } from './sheet-hyperlinks.js';
import { openZip, type ZipArchive, type ZipEntry, type ZipSource } from './zip-archive.js';

export interface XlsxReadOptions {
  /** Only this sheet (exact name, else case- and space-insensitive). Hidden sheets can be named. */
  sheet?: string;
  /** Also read hidden sheets when no sheet is named (default: visible sheets only). */
  includeHidden?: boolean;
  /** Progress: bytes of the file read so far (ends at the file size). */
  onBytes?: (bytesRead: number) => void;
}

/**
 * The parts of exceljs's streaming WorkbookReader we drive ourselves (exceljs 4.4 internals,
 * covered by test/unit/spreadsheet-xlsx.test.ts). We feed its XML parsers from our own zip
 * entries (see zip-archive.ts) instead of calling its `parse()`.
 */
interface WorkbookReaderInternals {
  model?: { sheets?: Array<{ name: string; state?: string; rId: string }> };
  workbookRels?: Array<{ Id: string; Type: string; Target: string }>;
  sharedStrings?: unknown[];
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncIterable<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(chunks: AsyncIterable<string>, sheetNo: string): Iterable<{ eventType: string; value: unknown }>;
}
type WorksheetRows = AsyncIterable<{ number: number; values: unknown[] }>;

interface SheetPart {
  name: string;
  hidden: boolean;
  entry: ZipEntry | undefined;
}

const REL_WORKSHEET = /\/worksheet$/;
const REL_SHARED_STRINGS = /\/sharedStrings$/;
const REL_STYLES = /\/styles$/;

/** Rows of the workbook's sheets in workbook order, streamed one sheet part at a time. */
export async function* readXlsxRows(src: ZipSource, opts: XlsxReadOptions = {}): AsyncGenerator<SheetRow> {
  const zip = await openZip(src);
  try {
    const reader = await loadWorkbook(zip);
    const sheets = selectSheets(listSheets(zip, reader), opts);
    let emitted = 0;
    for (const sheet of sheets) {
      if (!sheet.entry) continue; // listed in workbook.xml but missing from the zip: nothing to read
      for await (const row of readSheet(zip, reader, sheet, opts.onBytes)) {
        emitted++;
        yield row;
      }
    }
    opts.onBytes?.(zip.size);
    if (emitted === 0) {
      const where = opts.sheet ? `Sheet "${sheets[0]?.name ?? opts.sheet}" has` : 'The workbook has';
      throw new SpreadsheetError(
        'empty',
        `${where} no rows with data. Check that the leads are in the file and send it again.`,
      );
    }
  } catch (err) {
    throw asSpreadsheetError(err);
  } finally {
    await zip.close();
  }
}

/**
 * XML that does not parse, cells exceljs cannot place: the file is damaged. I/O errors pass as they are.
 * `where`: the sheet being read when it happened, so the person knows which sheet to fix or re-save.
 */
function asSpreadsheetError(err: unknown, where?: SheetPart): unknown {
  if (err instanceof SpreadsheetError) return err;
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) return err; // ENOENT, EACCES...
  const part = where?.entry ? ` in sheet "${where.name}" (${where.entry.name})` : '';
  return new SpreadsheetError(
    'corrupt',
    `The .xlsx file is damaged and cannot be read (${reasonOnly(err)})${part}. ${RESAVE_ADVICE}`,
    { cause: err },
  );
}

/**
 * The parser's reason without what it quotes from the file: exceljs and saxes put tag names, cell
 * addresses and XML nodes after a colon ("Invalid column letter: <text>"), and nothing read from a file
 * that could not be imported may be echoed back (SECURITY.md).
 */
function reasonOnly(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = /(\d+):(\d+): ([\s\S]*)$/.exec(message); // saxes: "<file>:<line>:<column>: <reason>: <quoted>"
  const reason = (at ? at[3] : message).split(/[:\n]/)[0].trim().slice(0, 120);
  return at ? `${reason} at line ${at[1]}, column ${at[2]}` : reason;
}

async function loadWorkbook(zip: ZipArchive): Promise<WorkbookReaderInternals> {
  const workbookEntry = zip.entries.get('xl/workbook.xml');
  if (!workbookEntry) {
    const what = zip.entries.has('xl/workbook.bin')
      ? 'This is a binary Excel workbook (.xlsb), which is not supported.'
      : zip.entries.has('content.xml')
        ? 'This is an OpenDocument spreadsheet (.ods), which is not supported.'
        : 'This zip file is not an Excel workbook.';
    throw new SpreadsheetError('unsupported_format', `${what} ${RESAVE_ADVICE}`);
  }
  const reader = new ExcelJS.stream.xlsx.WorkbookReader('', {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore', // <hyperlinks> sits after <sheetData>: too late for a streaming reader
    styles: 'cache', // needed to tell date cells from numbers
    entries: 'ignore',
  }) as unknown as WorkbookReaderInternals;

  await reader._parseWorkbook(await zip.openText(workbookEntry));
  const relsEntry = zip.entries.get('xl/_rels/workbook.xml.rels');
  reader.workbookRels = [];
  if (relsEntry) await reader._parseRels(await zip.openText(relsEntry));

  const stringsEntry = partEntry(zip, reader, REL_SHARED_STRINGS) ?? zip.entries.get('xl/sharedstrings.xml');
  if (stringsEntry) {
    for await (const _ of reader._parseSharedStrings(await zip.openText(stringsEntry))) {
      // 'cache' mode fills reader.sharedStrings and yields nothing
    }
  }
  reader.sharedStrings ??= [];
  const stylesEntry = partEntry(zip, reader, REL_STYLES) ?? zip.entries.get('xl/styles.xml');
  if (stylesEntry) await reader._parseStyles(await zip.openText(stylesEntry));
  return reader;
}

function partEntry(zip: ZipArchive, reader: WorkbookReaderInternals, type: RegExp): ZipEntry | undefined {
  const rel = reader.workbookRels?.find((r) => type.test(r.Type));
  return rel ? zip.entries.get(resolvePart(rel.Target)) : undefined;
}

/** Relationship targets are relative to xl/ ('worksheets/sheet1.xml') or absolute ('/xl/...', openpyxl). */
function resolvePart(target: string): string {
  const parts = target.startsWith('/') ? [] : ['xl'];
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg && seg !== '.') parts.push(seg);
  }
  return parts.join('/').toLowerCase();
}

function listSheets(zip: ZipArchive, reader: WorkbookReaderInternals): SheetPart[] {
  const out: SheetPart[] = [];
  for (const sheet of reader.model?.sheets ?? []) {
    const rel = reader.workbookRels?.find((r) => r.Id === sheet.rId);
    if (rel && !REL_WORKSHEET.test(rel.Type)) continue; // chart sheets, dialog sheets
    out.push({
      name: sheet.name,
      hidden: sheet.state === 'hidden' || sheet.state === 'veryHidden',
      entry: rel ? zip.entries.get(resolvePart(rel.Target)) : undefined,
    });
  }
  return out;
}

function selectSheets(sheets: SheetPart[], opts: XlsxReadOptions): SheetPart[] {
  if (opts.sheet === undefined) return opts.includeHidden ? sheets : sheets.filter((s) => !s.hidden);
  const wanted = opts.sheet;
  const loose = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  const found = sheets.find((s) => s.name === wanted) ?? sheets.find((s) => loose(s.name) === loose(wanted));
  if (!found) {
    const names = sheets.map((s) => `"${s.name}"`).join(', ');
    throw new SpreadsheetError(
      'sheet_not_found',
      `Sheet "${wanted}" was not found. The workbook has: ${names || 'no worksheets'}. Ask again with one of these names.`,
    );
  }
  return [found];
}

async function* readSheet(
  zip: ZipArchive,
  reader: WorkbookReaderInternals,
  sheet: SheetPart,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<SheetRow> {
  const links = await readMailtoLinks(zip, sheet.entry!.name);
  const text = await zip.openText(sheet.entry!, onBytes);
  try {
    const parsed = [...reader._parseWorksheet(mergeInlineStringRuns(text), '0')];
    const worksheet = parsed.find((e) => e.eventType === 'worksheet')?.value as WorksheetRows | undefined;
    if (!worksheet) return;
    let last = 0;
    for await (const row of worksheet) {
      // The `r` attribute is optional in the format; without it exceljs gives NaN.
      const rowNumber = Number.isFinite(row.number) ? row.number : last + 1;
      last = rowNumber;
      const out = toSheetRow(sheet.name, rowNumber, row.values, links?.get(rowNumber));
      if (out) yield out;
    }
  } catch (err) {
    throw asSpreadsheetError(err, sheet);
  } finally {
    text.destroy();
  }
}

/** exceljs row.values is 1-based and sparse; null when the row has no text at all. */
function toSheetRow(sheet: string, rowNumber: number, values: unknown[], links?: Map<number, string>): SheetRow | null {
  const cells: string[] = [];
  let errors: Record<number, string> | undefined;
  let lastFilled = -1;
  for (let col = 1; col < values.length; col++) {
    const value = values[col];
    const link = links?.get(col);
    const text = cellToString(link ? { text: value, hyperlink: link } : value);
    cells.push(text);
    if (text !== '') lastFilled = col - 1;
    const error = typeof value === 'object' ? cellError(value) : null;
    if (error) (errors ??= {})[col - 1] = error;
  }
  if (lastFilled < 0) return null;
  cells.length = lastFilled + 1;
  return errors ? { sheet, rowNumber, cells, errors } : { sheet, rowNumber, cells };
}
