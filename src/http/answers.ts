/** How the HTTP layer answers by itself: JSON, JSON-RPC errors (closing politely over unread bodies), CORS headers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export function setCorsHeaders(res: ServerResponse, origin: string) {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
  res.setHeader(
    'Access-Control-Allow-Headers',
    'authorization, content-type, accept, mcp-session-id, mcp-protocol-version, mcp-method, mcp-name, last-event-id',
  );
  res.setHeader('Access-Control-Expose-Headers', 'mcp-session-id, www-authenticate, retry-after');
  res.setHeader('Access-Control-Max-Age', '600');
}

export function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * A JSON-RPC error answer. When the request still has body bytes we have not read, the connection is
 * closed after the answer, so a refused body is never read (node:http would otherwise drain it to keep
 * the connection alive).
 */
export function reject(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  code = -32000,
  retryAfterS?: number,
) {
  if (retryAfterS !== undefined) res.setHeader('Retry-After', String(Math.max(1, retryAfterS)));
  if (!req.complete && hasBody(req)) {
    res.setHeader('Connection', 'close');
    lingerBeforeClosing(req.socket);
  }
  json(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

const LINGER_MS = 2000;
const LINGER_BYTES = 4 * 1024 * 1024;

/**
 * After an answer given with body bytes still unread, node:http destroys the socket as soon as the
 * answer is written; the client, still sending, then gets a reset that can throw our answer away before
 * it reads it. Instead: stop writing (FIN), drop what the client still sends — at most LINGER_BYTES for
 * LINGER_MS — and close when it stops (what nginx calls a lingering close).
 */
function lingerBeforeClosing(socket: Socket): void {
  socket.destroySoon = () => {
    socket.end();
    let dropped = 0;
    const cut = () => socket.destroy();
    const timer = setTimeout(cut, LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', cut);
    socket.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) cut();
    });
    socket.resume();
  };
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
