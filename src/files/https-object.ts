import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '../core/errors.js';
import { hostAllowed, urlLabel } from './remote-allow.js';
import { byteCounter, gather, lazyReadable, tooBig, wrongType, type RemoteObject } from './remote-object.js';

const PROBE_BYTES = 64 * 1024;
const MAX_REDIRECTS = 3;
const TIMEOUT_MS = 30_000;

/**
 * Opens an https URL already checked against the allow-list: one GET with a Range header reads its
 * first bytes and learns its size (Content-Range, else Content-Length — checked against maxBytes before
 * the body is read) and whether it serves ranges. TLS is verified against Node's CAs plus
 * NODE_EXTRA_CA_CERTS; it is never turned off. Redirects go only to https hosts on the same list.
 */
export async function openHttpsObject(url: URL, hosts: string[], maxBytes: number): Promise<RemoteObject> {
  const label = urlLabel(url);
  const probe = await get(url, hosts, `bytes=0-${PROBE_BYTES - 1}`);
  if (probe.statusCode === 416) {
    probe.resume();
    return emptyObject(label, url);
  }
  const ranged = probe.statusCode === 206;
  const size = ranged
    ? Number(/\/(\d+)$/.exec(String(probe.headers['content-range']))?.[1] ?? NaN)
    : Number(probe.headers['content-length'] ?? NaN);
  const refuse = (err: AppError) => {
    probe.destroy();
    throw err;
  };
  if (!Number.isSafeInteger(size))
    refuse(
      new AppError(
        'unsupported_format',
        `${label} did not say its size (no Content-Length). Give a direct download link of the file, or upload it to S3.`,
      ),
    );
  if (size > maxBytes) refuse(tooBig(label, size, maxBytes));
  const bad = wrongType(label, probe.headers['content-type']);
  if (bad) refuse(bad);
  const head = await gather(probe.pipe(byteCounter(ranged ? PROBE_BYTES : size, label)), PROBE_BYTES);
  const whole = head.length >= size; // the first read brought all of it
  if (!ranged && !whole && head.subarray(0, 2).toString('latin1') === 'PK')
    throw new AppError(
      'unsupported_format',
      `The server of ${label} does not serve byte ranges, which reading an .xlsx needs. Export the sheet as .csv, or upload it to S3.`,
    );

  const stream = (start: number, length: number): Readable =>
    lazyReadable(async () => {
      if (whole) return [head.subarray(start, start + length)];
      if (!ranged && (start !== 0 || length !== size))
        throw new AppError('unsupported_format', `The server of ${label} does not serve byte ranges.`);
      const res = await get(url, hosts, ranged ? `bytes=${start}-${start + length - 1}` : undefined);
      const expected = ranged ? 206 : 200;
      if (res.statusCode !== expected) {
        res.destroy();
        throw new AppError('unavailable', `${label} answered ${res.statusCode} while being read; try again.`);
      }
      return res.pipe(byteCounter(length, label));
    });
  return {
    label,
    filename: filenameOf(url),
    size,
    stream,
    read: async (start, length) =>
      start + length <= head.length ? head.subarray(start, start + length) : gather(stream(start, length), length),
  };
}

function emptyObject(label: string, url: URL): RemoteObject {
  return {
    label,
    filename: filenameOf(url),
    size: 0,
    stream: () => Readable.from([]),
    read: async () => Buffer.alloc(0),
  };
}

const filenameOf = (url: URL) => {
  const base = posix.basename(url.pathname);
  try {
    return decodeURIComponent(base) || 'download';
  } catch {
    return base || 'download';
  }
};

/** GET with redirects followed (to allowed https hosts only); resolves on a 2xx/416, rejects otherwise. */
async function get(url: URL, hosts: string[], range: string | undefined, hops = 0): Promise<IncomingMessage> {
  const res = await send(url, range);
  const status = res.statusCode ?? 0;
  if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
    res.resume();
    const next = new URL(res.headers.location, url);
    if (hops >= MAX_REDIRECTS)
      throw new AppError('unavailable', `${urlLabel(url)} redirects too many times; give the final link.`);
    if (next.protocol !== 'https:' || !hostAllowed(next, hosts))
      throw new AppError(
        'forbidden',
        `${urlLabel(url)} redirects to ${next.protocol}//${next.host}, which is not on the list of hosts to import from ` +
          '(AGENTE_INGEST_URL_HOSTS). Give a link on an allowed host.',
      );
    return get(next, hosts, range, hops + 1);
  }
  if ((status >= 200 && status < 300) || status === 416) return res;
  res.resume();
  const label = urlLabel(url);
  if (status === 404 || status === 410)
    throw new AppError('not_found', `${label} answered ${status}: there is no file there. Check the link.`);
  if (status === 401 || status === 403)
    throw new AppError(
      'forbidden',
      `${label} answered ${status}: the link needs a sign-in or has expired. ` +
        'Give a link that downloads without signing in (e.g. a fresh presigned URL).',
    );
  throw new AppError('unavailable', `${label} answered ${status}; try again later.`);
}

function send(url: URL, range: string | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: { ...(range && { range }), 'accept-encoding': 'identity' } });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('timed out')));
    req.on('response', (res) => {
      res.setTimeout(TIMEOUT_MS, () => res.destroy(new Error('timed out while reading')));
      resolve(res);
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(networkError(url, err)));
    req.end();
  });
}

function networkError(url: URL, err: NodeJS.ErrnoException): AppError {
  const label = urlLabel(url);
  const code = err.code ?? err.message;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code))
    return new AppError(
      'unavailable',
      `${label}: its TLS certificate is not trusted (${code}). ` +
        'The operator can add the CA with NODE_EXTRA_CA_CERTS; verification is never turned off.',
    );
  return new AppError('unavailable', `${label} could not be reached (${code}); check the link or try again later.`);
}
