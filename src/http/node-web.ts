import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The web-standard Request the SDK's handlers take, built from a node:http request whose body we have
 * already read (within our limits, src/http/body.ts). Its signal aborts when the client goes away before
 * the answer is sent, so the SDK stops the exchange and the tool's AbortSignal fires.
 */
export function toWebRequest(req: IncomingMessage, res: ServerResponse, url: URL, body: string | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort(new Error('the client closed the connection'));
  });
  return new Request(url, {
    method: req.method,
    headers,
    body: body !== undefined && req.method !== 'GET' && req.method !== 'HEAD' ? body : undefined,
    signal: gone.signal,
  });
}

/**
 * Writes a web-standard Response to node:http: status, headers, then the body as it streams (an SSE
 * answer is written event by event). A client that leaves stops the copy and cancels the body.
 */
export async function sendWebResponse(res: ServerResponse, response: Response, extraHeaders?: Headers): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  const cookies = response.headers.getSetCookie();
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  extraHeaders?.forEach((value, name) => (headers[name] = value));
  if (cookies.length) headers['set-cookie'] = cookies;
  if (!response.body) return void res.writeHead(response.status, response.statusText || undefined, headers).end();
  if (!String(headers['content-type'] ?? '').startsWith('text/event-stream')) {
    // A whole answer (JSON): headers and body in one write.
    const body = Buffer.from(await response.arrayBuffer());
    headers['content-length'] = String(body.length);
    return void res.writeHead(response.status, response.statusText || undefined, headers).end(body);
  }
  res.writeHead(response.status, response.statusText || undefined, headers);
  const reader = response.body.getReader();
  const stop = () => reader.cancel().catch(() => {});
  res.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // An SSE event goes out as soon as it is read (write() does not buffer it behind later ones).
      if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
      if (res.destroyed) break;
    }
  } catch {
    // The body failed or was cancelled because the client left: nothing more to send.
  } finally {
    res.off('close', stop);
    res.end();
  }
}
