/** Request bodies within limits: the bytes held across requests, reading one body, reading it as JSON. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { reject } from './answers.js';

/**
 * Bytes of request bodies held at once, across all requests. A body's bytes are taken as they arrive
 * (all of a declared Content-Length at once) and given back when its request has been answered.
 */
export class ByteBudget {
  private used = 0;

  constructor(readonly max: number) {}

  take(n: number): boolean {
    if (this.used + n > this.max) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  get inUse(): number {
    return this.used;
  }
}

export type BodyResult =
  | { ok: true; text: string; bytes: number; raw: Buffer }
  | { ok: false; status: 400 | 413 | 503; message: string; retryAfterS?: number; bytes: number };

/**
 * Reads a request body within `maxBytes` and the shared budget. A declared Content-Length over either
 * is refused before a byte is read; a body without one (chunked) is counted as it streams and cut when
 * it crosses either limit. The caller gives `bytes` back to the budget once the request is answered,
 * and — on a refusal — answers with `Connection: close`, so the rest of the body is never read.
 */
export function readBody(req: IncomingMessage, maxBytes: number, budget: ByteBudget): Promise<BodyResult> {
  const tooLarge = (bytes: number): BodyResult => ({
    ok: false,
    status: 413,
    message: `Request body over ${maxBytes} bytes (AGENTE_HTTP_MAX_BODY_BYTES); send large files with file_path instead.`,
    bytes,
  });
  const busy = (bytes: number): BodyResult => ({
    ok: false,
    status: 503,
    message: 'The server is reading too many request bodies at once; retry shortly.',
    retryAfterS: 1,
    bytes,
  });
  const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (declared !== null) {
    if (declared > maxBytes) return Promise.resolve(tooLarge(0));
    if (!budget.take(declared)) return Promise.resolve(busy(0));
  }
  let taken = declared ?? 0;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (r: BodyResult) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      if (!r.ok) req.pause();
      resolve(r);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (declared === null) {
        if (size > maxBytes) return finish(tooLarge(taken));
        if (!budget.take(c.length)) return finish(busy(taken));
        taken += c.length;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      const raw = Buffer.concat(chunks);
      finish({ ok: true, text: raw.toString('utf8'), bytes: taken, raw });
    };
    // The client went away or requestTimeout cut it: still resolve, so the caller gives the bytes back.
    const onAbort = () => finish({ ok: false, status: 400, message: 'The request body was cut off.', bytes: taken });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}

/** A request that was already answered (refused) while reading it. */
export const ANSWERED = Symbol('answered');

/** The request's body as JSON, or ANSWERED when it was refused (too large, too many at once, not JSON). */
export async function readJson(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  budget: ByteBudget,
): Promise<unknown> {
  const hold = holdUntilAnswered(res, budget);
  const read = await readBody(req, maxBytes, budget);
  hold(read.bytes);
  if (!read.ok) {
    reject(req, res, read.status, read.message, -32000, read.retryAfterS);
    return ANSWERED;
  }
  try {
    return JSON.parse(read.text);
  } catch {
    reject(req, res, 400, 'Parse error: the body is not JSON', -32700);
    return ANSWERED;
  }
}

/**
 * Gives a request's body bytes back to the budget once its response is closed (sent, or the client
 * gone) — also when that happened before the body was read to the end.
 */
export function holdUntilAnswered(res: ServerResponse, budget: ByteBudget): (bytes: number) => void {
  let held = 0;
  let answered = false;
  res.once('close', () => {
    answered = true;
    budget.give(held);
  });
  return (bytes) => {
    if (answered) budget.give(bytes);
    else held += bytes;
  };
}
