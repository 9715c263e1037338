import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { PassThrough, Readable, Transform } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { slices } from './buffer-slices.js';
import { RESAVE_ADVICE, SpreadsheetError } from './errors.js';
import type { RemoteObject } from './remote-object.js';

/**
 * Random access to the entries of a zip file (an .xlsx), read through its central directory.
 *
 * Why not exceljs's own unzipper-based pass: on a truncated file it never settles (the promise
 * hangs forever), on some damaged files it emits an unhandled 'error' that kills the process, and
 * because Excel, exceljs and openpyxl all store the sheets before sharedStrings.xml /
 * workbook.xml, it copies every sheet to a temp file first. With the directory we read the small
 * parts first and then stream each sheet once, straight from the file or buffer.
 */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipArchive {
  /** Size of the zip file in bytes. */
  size: number;
  /** Entries by lower-cased name (OOXML part names are case-insensitive). */
  entries: Map<string, ZipEntry>;
  /**
   * Uncompressed bytes of the entry as a stream of UTF-8 strings (split characters are rejoined).
   * `onPosition` gets the offset in the zip file reached so far, for progress.
   */
  openText(entry: ZipEntry, onPosition?: (offset: number) => void): Promise<Readable>;
  close(): Promise<void>;
}

export type ZipSource = { path: string } | { buffer: Buffer } | { remote: RemoteObject };

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;
/**
 * Zip bombs: past BOMB_FLOOR bytes an entry may not expand more than MAX_RATIO times. Sheets that
 * Excel, LibreOffice, exceljs and openpyxl write compress 5–10×; a bomb compresses 1000×. An entry
 * whose data inflates past the size its directory declares is cut off there as damaged.
 */
export const BOMB_FLOOR = 64 * 1024 * 1024;
export const MAX_RATIO = 100;

interface RandomAccess {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
  stream(start: number, length: number): Readable;
  close(): Promise<void>;
}

export async function openZip(src: ZipSource): Promise<ZipArchive> {
  const file =
    'buffer' in src
      ? bufferAccess(src.buffer)
      : 'remote' in src
        ? remoteAccess(src.remote)
        : await fileAccess(src.path);
  try {
    const entries = await readCentralDirectory(file);
    return {
      size: file.size,
      entries,
      openText: (entry, onPosition) => openEntry(file, entry, onPosition),
      close: () => file.close(),
    };
  } catch (err) {
    await file.close();
    throw err;
  }
}

function corrupt(detail: string, cause?: unknown): SpreadsheetError {
  return new SpreadsheetError(
    'corrupt',
    `The .xlsx file is damaged or incomplete (${detail}); it may have been cut off during upload. ${RESAVE_ADVICE}`,
    { cause },
  );
}

async function readCentralDirectory(file: RandomAccess): Promise<Map<string, ZipEntry>> {
  const tailLength = Math.min(file.size, 22 + 0xffff);
  const tail = await file.read(file.size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('no zip directory at the end of the file');

  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR_SIG) throw corrupt('bad zip64 directory');
    const z64 = await file.read(toNumber(tail.readBigUInt64LE(locator + 8)), 56);
    if (z64.length < 56 || z64.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw corrupt('bad zip64 directory');
    count = toNumber(z64.readBigUInt64LE(32));
    cdSize = toNumber(z64.readBigUInt64LE(40));
    cdOffset = toNumber(z64.readBigUInt64LE(48));
  }
  if (cdSize > MAX_CENTRAL_DIRECTORY || cdOffset + cdSize > file.size) throw corrupt('zip directory out of bounds');

  const cd = await file.read(cdOffset, cdSize);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIG) throw corrupt('bad zip directory entry');
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
      name: cd.toString('utf8', p + 46, p + 46 + nameLength),
    };
    applyZip64Extra(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    entries.set(entry.name.toLowerCase(), entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let p = 0; p + 4 <= extra.length;) {
    const id = extra.readUInt16LE(p);
    const size = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const next = (): number => {
        const v = q + 8 <= p + 4 + size ? toNumber(extra.readBigUInt64LE(q)) : 0;
        q += 8;
        return v;
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    p += 4 + size;
  }
}

function toNumber(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('zip offset too large');
  return Number(v);
}

async function openEntry(
  file: RandomAccess,
  entry: ZipEntry,
  onPosition?: (offset: number) => void,
): Promise<Readable> {
  if (entry.flags & 0x1) {
    throw new SpreadsheetError(
      'unsupported_format',
      `The workbook is password-protected. Remove the password (File → Info → Protect Workbook), save it as .xlsx and send it again.`,
    );
  }
  const header = await file.read(entry.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIG) throw corrupt(`bad local header for ${entry.name}`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > file.size) throw corrupt(`${entry.name} runs past the end of the file`);

  if (entry.size > BOMB_FLOOR && entry.size > MAX_RATIO * entry.compressedSize) {
    throw new SpreadsheetError(
      'too_large',
      `The .xlsx file is not a normal workbook: its part ${entry.name} would expand ` +
        `from ${mb(entry.compressedSize)} to ${mb(entry.size)} ` +
        `(more than ${MAX_RATIO}× — a "zip bomb"), so it was not read. ${RESAVE_ADVICE}`,
    );
  }
  const raw = file.stream(start, entry.compressedSize);
  if (onPosition) {
    let offset = start;
    raw.on('data', (chunk: Buffer) => onPosition((offset += chunk.length)));
  }
  let data: Readable = raw;
  const stages: Readable[] = [raw];
  if (entry.method === 8) {
    const inflate = createInflateRaw();
    stages.push(inflate);
    raw.on('error', (err) => inflate.destroy(err));
    let inflated = 0;
    const bounded = new Transform({
      transform(chunk: Buffer, _enc, done) {
        inflated += chunk.length;
        if (inflated > entry.size)
          return done(corrupt(`${entry.name} expands past its declared size of ${entry.size} bytes`));
        done(null, chunk);
      },
    });
    inflate.on('error', (err) => bounded.destroy(err));
    data = raw.pipe(inflate).pipe(bounded);
  } else if (entry.method !== 0) {
    raw.destroy();
    throw corrupt(`${entry.name} uses unsupported compression method ${entry.method}`);
  }
  // Strings out, split UTF-8 characters rejoined; every failure (read error, bad or cut-off
  // deflate data) surfaces as a SpreadsheetError; closing the text early releases the file.
  const text = new PassThrough({ encoding: 'utf8' });
  data.on('error', (err) => {
    text.destroy(err instanceof SpreadsheetError ? err : corrupt(`cannot decompress ${entry.name}`, err));
  });
  text.on('close', () => {
    for (const s of stages) s.destroy();
    data.destroy();
  });
  return data.pipe(text);
}

function bufferAccess(buffer: Buffer): RandomAccess {
  return {
    size: buffer.length,
    read: async (offset, length) => buffer.subarray(offset, offset + length),
    stream: (start, length) => Readable.from(slices(buffer.subarray(start, start + length))),
    close: async () => {},
  };
}

/** An s3:// object or https download, read in byte ranges (files/remote-object.ts). */
function remoteAccess(remote: RemoteObject): RandomAccess {
  const clamp = (offset: number, length: number) => Math.max(0, Math.min(length, remote.size - offset));
  return {
    size: remote.size,
    read: async (offset, length) =>
      clamp(offset, length) ? remote.read(offset, clamp(offset, length)) : Buffer.alloc(0),
    stream: (start, length) => (clamp(start, length) ? remote.stream(start, clamp(start, length)) : Readable.from([])),
    close: async () => {},
  };
}

async function fileAccess(path: string): Promise<RandomAccess> {
  const fh: FileHandle = await open(path, 'r');
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      if (buf.length === 0) return buf;
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      return buf.subarray(0, bytesRead);
    },
    stream: (start, length) =>
      length === 0
        ? Readable.from([])
        : createReadStream(path, { start, end: start + length - 1, highWaterMark: 256 * 1024 }),
    close: () => fh.close(),
  };
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
