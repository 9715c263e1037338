import { Readable, Transform } from 'node:stream';
import { AppError } from '../core/errors.js';

/**
 * A spreadsheet that is not on this server's disk (an s3:// object or an https:// download), read in
 * byte ranges and streamed — never held whole in memory. Opening it checked its size against the
 * limit (Content-Length first); every stream counts its bytes and fails past what was declared.
 */
export interface RemoteObject {
  /** As the caller gave it (s3://bucket/key or the URL without its query), for messages. */
  label: string;
  /** The file name for the job: the key's or the path's last segment. */
  filename: string;
  size: number;
  /** The bytes [start, start + length) as a stream, counted (more than length is an error). */
  stream(start: number, length: number): Readable;
  /** A small range, gathered (the zip reader's directory reads, the format sniff). */
  read(start: number, length: number): Promise<Buffer>;
}

/** A stream produced by an async opener, as a plain Readable (the readers want one synchronously). */
export function lazyReadable(open: () => Promise<AsyncIterable<Buffer> | Buffer[]>): Readable {
  let inner: ((AsyncIterable<Buffer> | Buffer[]) & { destroy?(): void }) | undefined;
  const out = Readable.from(
    (async function* () {
      inner = await open();
      yield* inner;
    })(),
    { objectMode: false },
  );
  out.once('close', () => inner?.destroy?.());
  return out;
}

/** Passes bytes through and fails once more than `max` arrive (a server that sends past what it declared). */
export function byteCounter(max: number, label: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) return done(tooBig(label, seen, max, 'sent'));
      done(null, chunk);
    },
  });
}

export async function gather(stream: Readable, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > max) {
      stream.destroy();
      break;
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).subarray(0, max);
}

export function tooBig(label: string, size: number, max: number, verb = 'has'): AppError {
  return new AppError(
    'invalid_argument',
    `${label} ${verb} ${mb(size)}, more than the ${mb(max)} allowed. Split it into smaller files and import them one at a time.`,
  );
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * Content types that are certainly not a spreadsheet (a login page instead of the file, an image…):
 * refused before any byte is read. Anything else is decided by content (spreadsheet.ts detectFormat).
 */
export function wrongType(label: string, contentType: string | undefined): AppError | null {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const what = /^text\/html|^application\/xhtml/.test(t)
    ? 'a web page (maybe a login or preview page, not the file itself)'
    : /^image\/|^video\/|^audio\//.test(t)
      ? 'media'
      : t === 'application/pdf'
        ? 'a PDF document'
        : t === 'application/json'
          ? 'JSON'
          : null;
  if (!what) return null;
  return new AppError(
    'unsupported_format',
    `${label} is ${what} (Content-Type ${t}), not a spreadsheet. Give the direct download link of the .xlsx or .csv file.`,
  );
}
