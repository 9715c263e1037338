import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { addressKey } from '../auth/attempt-limiter.js';
import { OAuthTokens } from '../auth/oauth.js';
import { bearerChallenge, metadataPaths, protectedResourceMetadata } from '../auth/protected-resource.js';
import { verifyToken, type Principal } from '../auth/tokens.js';
import { TokenVerifier, type Verdict } from '../auth/verifier.js';
import type { ServerDeps } from '../deps.js';
import { buildServer } from '../server.js';
import { ByteBudget, readBody } from './body.js';
import { createMcpEndpoint } from './mcp-endpoint.js';
import { sendWebResponse, toWebRequest } from './node-web.js';
import { allowedHostnames, hostnameOf, isAllowedOrigin } from './origin.js';
import { SessionStore } from './sessions.js';

export interface HttpOptions {
  host: string;
  port: number;
  /** 'token': every request needs a bearer token (the default). 'none': loopback only, default tenant. */
  auth: 'token' | 'none';
}

export interface HttpServerHandle {
  url: string;
  close(): Promise<void>;
}

/** A request that was already answered (refused) while reading it. */
const ANSWERED = Symbol('answered');

/**
 * Streamable HTTP on /mcp, both protocol eras (mcp-endpoint.ts), for callers authenticated by a static
 * bearer token or, when configured, an OAuth access token (src/auth). Every request is served by a
 * server built for its caller's tenant and scopes; 2025-11-25 sessions live in the database, so any
 * number of these processes can serve one database behind a load balancer without affinity.
 * The limits (config.http.limits, config.auth; SECURITY.md "HTTP") bound what a client can make the
 * process hold: sessions per token / tenant / in total with idle expiry, body bytes per request and in
 * flight, connections, and the time to send headers and a body; bad tokens are refused from memory.
 */
export async function serveHttp(deps: Omit<ServerDeps, 'transport'>, opts: HttpOptions): Promise<HttpServerHandle> {
  if (opts.auth === 'none' && !isLoopback(opts.host)) {
    throw new Error(
      `Refusing to serve without tokens on ${opts.host}: --no-auth is allowed on loopback addresses only`,
    );
  }
  const { limits, publicUrl } = deps.config.http;
  const oauth = deps.config.oauth;
  const publicHost = publicUrl ? [new URL(publicUrl).hostname] : [];
  const hosts = allowedHostnames(opts.host, [...deps.config.http.allowedHosts, ...publicHost]);
  const cors = new Set(deps.config.http.corsOrigins);
  const bodies = new ByteBudget(limits.maxBodyBytesInFlight);
  const verifier = new TokenVerifier(
    (token) => verifyToken(deps.db.kysely, token),
    deps.config.auth,
    Date.now,
    oauth ? new OAuthTokens(oauth, deps.db.kysely) : undefined,
  );
  const wellKnown = oauth ? metadataPaths(oauth) : new Set<string>();
  const sessions = new SessionStore(deps.db.kysely, limits, () => deps.clock.now());
  const endpoint = createMcpEndpoint(
    (principal, onlyTool) => buildServer(depsFor(deps, principal, opts), { onlyTool }),
    sessions,
    {
      maxBodyBytes: limits.maxBodyBytes,
      onerror: (err) => deps.logger.debug({ err: { message: err.message } }, 'mcp request refused'),
    },
  );

  /** The request's body as JSON, or ANSWERED when it was refused (too large, too many at once, not JSON). */
  const readJson = async (req: IncomingMessage, res: ServerResponse): Promise<unknown> => {
    const hold = holdUntilAnswered(res, bodies);
    const read = await readBody(req, limits.maxBodyBytes, bodies);
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
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const host = hostnameOf(req.headers.host);
    if (!host || !hosts.has(host)) return reject(req, res, 403, `Host ${req.headers.host ?? '(none)'} is not allowed`);
    const origin = req.headers.origin;
    if (origin && !cors.has(origin) && !isAllowedOrigin(origin, hosts, deps.config.http.allowedOrigins)) {
      return reject(req, res, 403, `Origin ${origin} is not allowed`);
    }
    // CORS only for the origins listed in AGENTE_CORS_ORIGINS: no other page may read our answers.
    if (origin && cors.has(origin)) {
      setCorsHeaders(res, origin);
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && req.method === 'GET') return json(res, 200, { ok: true });
    // RFC 9728: public, so that a client refused with 401 can find the authorization server.
    if (oauth && wellKnown.has(path) && req.method === 'GET') return json(res, 200, protectedResourceMetadata(oauth));
    if (path !== '/mcp') return reject(req, res, 404, 'Not found: the MCP endpoint is /mcp');

    // A Content-Length over the limit is refused before anything else is done with the request.
    if (Number(req.headers['content-length'] ?? 0) > limits.maxBodyBytes) {
      return reject(req, res, 413, `Request body over ${limits.maxBodyBytes} bytes (AGENTE_HTTP_MAX_BODY_BYTES)`);
    }

    const auth = await authenticate(req, deps, opts, verifier);
    if (!auth.ok) {
      if (auth.reason === 'rate_limited') {
        await tarpit(res, deps.config.auth.failDelayMs);
        if (res.destroyed) return;
        return reject(
          req,
          res,
          429,
          'Too many failed authentications from this address; retry later with a valid bearer token.',
          -32000,
          Math.ceil(auth.retryAfterMs / 1000),
        );
      }
      res.setHeader('WWW-Authenticate', bearerChallenge(oauth, auth));
      if (auth.error === 'insufficient_scope') {
        return reject(req, res, 403, `Forbidden: ${auth.description ?? 'the token lacks the scope this needs'}`);
      }
      return reject(
        req,
        res,
        401,
        auth.description
          ? `Invalid bearer token: ${auth.description}`
          : 'Missing or invalid bearer token (create one with: agente-disparo-agenda token create --tenant SLUG)',
      );
    }

    const body = req.method === 'POST' ? await readJson(req, res) : undefined;
    if (body === ANSWERED) return;
    const url = new URL(req.url ?? '/mcp', `http://${req.headers.host}`);
    const response = await endpoint.handle(toWebRequest(req, res, url, undefined), body, auth.principal);
    await sendWebResponse(res, response);
  };

  const http = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // node:http enforces the two timeouts above on this tick (30 s by default, too coarse for them).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 4)),
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        deps.logger.error({ err: { message: (err as Error).message } }, 'http request failed');
        if (!res.headersSent) reject(req, res, 500, 'Internal server error');
        else res.end();
      });
    },
  );
  http.maxConnections = limits.maxConnections;
  await new Promise<void>((resolve, rejectListen) => {
    http.once('error', rejectListen);
    http.listen(opts.port, opts.host, () => resolve());
  });
  const addr = http.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/mcp`,
    close: async () => {
      await endpoint.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The dependencies of the server built for one caller: its tenant, its scopes, and who acts in audits. */
function depsFor(deps: Omit<ServerDeps, 'transport'>, p: Principal, opts: HttpOptions): ServerDeps {
  return {
    ...deps,
    tenant: p.tenant,
    scopes: p.scopes,
    transport: 'http',
    actor:
      opts.auth === 'none'
        ? { kind: 'stdio', tenantSlug: deps.tenant.slug }
        : { kind: 'token', tokenId: p.token_id, name: p.name },
  };
}

async function authenticate(
  req: IncomingMessage,
  deps: Omit<ServerDeps, 'transport'>,
  opts: HttpOptions,
  verifier: TokenVerifier,
): Promise<Verdict> {
  if (opts.auth === 'none')
    return {
      ok: true,
      principal: {
        token_id: 'none',
        name: null,
        tenant: deps.tenant,
        scopes: ['read', 'dispatch', 'admin'],
        source: 'none',
      },
    };
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return verifier.verify(bearer, addressKey(req.socket.remoteAddress));
}

/** Waits before a refusal (the client's connection stays idle meanwhile); returns early if the client leaves. */
function tarpit(res: ServerResponse, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done() {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}

/**
 * Gives a request's body bytes back to the budget once its response is closed (sent, or the client
 * gone) — also when that happened before the body was read to the end.
 */
function holdUntilAnswered(res: ServerResponse, budget: ByteBudget): (bytes: number) => void {
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

function setCorsHeaders(res: ServerResponse, origin: string) {
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

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * A JSON-RPC error answer. When the request still has body bytes we have not read, the connection is
 * closed after the answer, so a refused body is never read (node:http would otherwise drain it to keep
 * the connection alive).
 */
function reject(
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

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
