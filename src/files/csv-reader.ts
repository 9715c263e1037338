import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import type { SheetRow } from '../core/ingest/columns.js';
import { slices } from './buffer-slices.js';
import { cellToString } from './cell.js';
import { SpreadsheetError } from './errors.js';
import { SniffingDecoder, sniffDialect } from './text-sniff.js';

export type CsvSource = { path: string } | { buffer: Buffer } | { stream: Readable };

const SNIFF_CHARS = 64 * 1024;
const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * Rows of a CSV file, streamed. The sheet name is the file name; rowNumber is the record number
 * (1-based, header included, a quoted multi-line cell counts once), the row Excel would show.
 * Excel's optional "sep=;" first line is honoured and not counted, as Excel does.
 */
export async function* readCsvRows(
  src: CsvSource,
  sheet: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<SheetRow> {
  const bytes: Readable =
    'buffer' in src
      ? Readable.from(slices(src.buffer))
      : 'stream' in src
        ? src.stream
        : createReadStream(src.path, { highWaterMark: 256 * 1024 });
  const text = decode(bytes, onBytes)[Symbol.asyncIterator]();
  try {
    let head = '';
    let ended = false;
    while (head.length < SNIFF_CHARS) {
      const next = await text.next();
      if (next.done) {
        ended = true;
        break;
      }
      head += next.value;
    }
    if (head.trim() === '') throw emptyFile();
    const dialect = sniffDialect(head);
    if (dialect.sepLine) head = head.replace(/^[^\n]*\n/, '');

    async function* all(): AsyncGenerator<string> {
      yield head;
      if (ended) return;
      for (let next = await text.next(); !next.done; next = await text.next()) yield next.value;
    }
    const source = Readable.from(all());
    const parser = parse({
      delimiter: dialect.delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      max_record_size: MAX_RECORD_BYTES,
      info: true,
    });
    source.on('error', (err) => parser.destroy(err));
    source.pipe(parser);
    let emitted = 0;
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { records: number } }>) {
        const cells = record.map(cellToString);
        let last = cells.length - 1;
        while (last >= 0 && cells[last] === '') last--;
        if (last < 0) continue;
        cells.length = last + 1;
        emitted++;
        yield { sheet, rowNumber: info.records, cells };
      }
    } catch (err) {
      throw csvError(err);
    } finally {
      source.destroy();
      parser.destroy();
    }
    if (emitted === 0) throw emptyFile();
  } finally {
    await text.return?.(undefined);
    bytes.destroy();
  }
}

async function* decode(bytes: AsyncIterable<Buffer>, onBytes?: (bytesRead: number) => void): AsyncGenerator<string> {
  const decoder = new SniffingDecoder();
  let read = 0;
  for await (const chunk of bytes) {
    onBytes?.((read += chunk.length));
    const s = decoder.write(chunk);
    if (s) yield s;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}

function emptyFile(): SpreadsheetError {
  return new SpreadsheetError(
    'empty',
    'The CSV file is empty: it has no rows with data. Check the export and send it again.',
  );
}

function csvError(err: unknown): unknown {
  if (err instanceof SpreadsheetError || !(err instanceof CsvError)) return err;
  const line = (err as CsvError & { lines?: number }).lines;
  const where = line ? ` near line ${line}` : '';
  const hint =
    err.code === 'CSV_MAX_RECORD_SIZE'
      ? 'a single row is larger than 1 MB, so this is probably not a CSV file'
      : err.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted cell is never closed (a stray " character)'
        : `the CSV parser stopped (${err.code})`; // not err.message: it may quote the file
  return new SpreadsheetError(
    'corrupt',
    `The CSV file cannot be read${where}: ${hint}. Fix that row, or save the sheet again as "CSV UTF-8" and send it again.`,
    { cause: err },
  );
}
