import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from '../core/errors.js';
import type { OpenedSpreadsheet, SpreadsheetFiles, SpreadsheetRequest } from '../core/ingest/ports.js';
import { resolveAllowedFile, type IngestFolders } from './allowed-path.js';
import { SpreadsheetError } from './errors.js';
import { openHttpsObject } from './https-object.js';
import { checkS3, checkUrl, isRemote, type RemoteSources } from './remote-allow.js';
import { openS3Object } from './s3-object.js';
import { detectFormat, readRows, type SheetRow, type SpreadsheetSource } from './spreadsheet.js';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const MAX_FILE_BYTES = 1024 * 1024 * 1024;

/** Where a server-side file_path may point (files/allowed-path.ts: the caller's folders). */
export type AllowedPaths = IngestFolders;

/**
 * The spreadsheet port of core/ingest (SpreadsheetFiles): resolves the file, recognises its format
 * and reads its rows, turning the readers' SpreadsheetErrors into AppErrors with the same message.
 */
export function createSpreadsheetFiles(paths: AllowedPaths, remote?: RemoteSources): SpreadsheetFiles {
  return {
    async open(req) {
      const source = await resolveSource(req, paths, remote);
      let format: OpenedSpreadsheet['format'];
      try {
        format = await detectFormat(source);
      } catch (err) {
        if (err instanceof SpreadsheetError) throw new AppError('unsupported_format', err.message, { cause: err });
        throw err;
      }
      const size = source.buffer
        ? source.buffer.length
        : source.remote
          ? source.remote.size
          : (await stat(source.path!)).size;
      return {
        filename: source.filename,
        format,
        size,
        rows: (opts) => readAsAppErrors(source, opts),
      };
    },
  };
}

async function* readAsAppErrors(
  source: SpreadsheetSource,
  opts: { sheet?: string; onBytes?: (n: number) => void },
): AsyncGenerator<SheetRow> {
  try {
    yield* readRows(source, opts);
  } catch (err) {
    if (err instanceof SpreadsheetError) throw new AppError('unsupported_format', err.message, { cause: err });
    throw err;
  }
}

/** Where the bytes come from: an allowed server-side path, s3:// object or https URL, or content sent in the call. */
export async function resolveSource(
  req: SpreadsheetRequest,
  paths: AllowedPaths,
  remote: RemoteSources = { s3: [], urlHosts: [], transport: paths.transport },
): Promise<SpreadsheetSource> {
  if (!!req.file_path === !!req.content_base64) {
    throw new AppError(
      'invalid_argument',
      'Give exactly one of file_path (a file on the server) or content_base64 + filename.',
    );
  }
  if (req.content_base64) {
    if (!req.filename)
      throw new AppError(
        'invalid_argument',
        'content_base64 needs filename (e.g. "leads.xlsx") to name the job and tell the format.',
      );
    if (req.content_base64.length > Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 4) {
      throw new AppError(
        'invalid_argument',
        `content_base64 is over ${MAX_UPLOAD_BYTES / 1024 / 1024} MB; put the file on the server and use file_path instead.`,
      );
    }
    const buffer = Buffer.from(req.content_base64, 'base64');
    return { buffer, filename: basename(req.filename) };
  }
  if (isRemote(req.file_path!)) {
    const object = req.file_path!.toLowerCase().startsWith('s3://')
      ? await openS3Object(...s3Args(req.file_path!, remote))
      : await openHttpsObject(checkUrl(req.file_path!, remote), remote.urlHosts, MAX_FILE_BYTES);
    return { remote: object, filename: basename(object.filename) };
  }
  const real = await resolveAllowedFile(req.file_path!, paths);
  const st = await stat(real);
  if (st.size > MAX_FILE_BYTES) throw new AppError('invalid_argument', `${req.file_path} is over 1 GB; split it.`);
  return { path: real, filename: basename(real) };
}

function s3Args(uri: string, remote: RemoteSources): [string, string, number] {
  const { bucket, key } = checkS3(uri, remote);
  return [bucket, key, MAX_FILE_BYTES];
}
