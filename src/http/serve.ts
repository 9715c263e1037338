import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { verifyToken, type Principal } from '../auth/tokens.js';
import type { ServerDeps } from '../deps.js';
import { buildServer } from '../server.js';
import { allowedHostnames, hostnameOf, isAllowedOrigin } from './origin.js';

export interface HttpOptions {
  host: string;
  port: number;
  /** 'token': every request needs a bearer token (the default). 'none': loopback only, default tenant. */
  auth: 'token' | 'none';
  maxBodyBytes?: number;
}

export interface HttpServerHandle {
  url: string;
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  tenantId: string;
}

/**
 * Streamable HTTP on /mcp. Each MCP session gets its own McpServer built for the tenant of the
 * bearer token that opened it; later requests of the session must carry a token of the same tenant.
 */
export async function serveHttp(deps: Omit<ServerDeps, 'transport'>, opts: HttpOptions): Promise<HttpServerHandle> {
  if (opts.auth === 'none' && !isLoopback(opts.host)) {
    throw new Error(
      `Refusing to serve without tokens on ${opts.host}: --no-auth is allowed on loopback addresses only`,
    );
  }
  const sessions = new Map<string, Session>();
  const hosts = allowedHostnames(opts.host, deps.config.http.allowedHosts);
  // Large enough for ingest_leads with a 20 MB file in content_base64 (~27 MB of base64 + JSON).
  const maxBody = opts.maxBodyBytes ?? 32 * 1024 * 1024;

  const cors = new Set(deps.config.http.corsOrigins);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const host = hostnameOf(req.headers.host);
    if (!host || !hosts.has(host)) return reject(res, 403, `Host ${req.headers.host ?? '(none)'} is not allowed`);
    const origin = req.headers.origin;
    if (origin && !cors.has(origin) && !isAllowedOrigin(origin, hosts, deps.config.http.allowedOrigins)) {
      return reject(res, 403, `Origin ${origin} is not allowed`);
    }
    // CORS only for the origins listed in AGENTE_CORS_ORIGINS: no other page may read our answers.
    if (origin && cors.has(origin)) {
      setCorsHeaders(res, origin);
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && req.method === 'GET') return json(res, 200, { ok: true });
    if (path !== '/mcp') return reject(res, 404, 'Not found: the MCP endpoint is /mcp');

    const principal = await authenticate(req, deps, opts);
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="agente-disparo-agenda"');
      return reject(
        res,
        401,
        'Missing or invalid bearer token (create one with: agente-disparo-agenda token create --tenant SLUG)',
      );
    }

    let body: unknown;
    if (req.method === 'POST') {
      const read = await readBody(req, maxBody);
      if (read === 'too_large') return reject(res, 413, `Request body over ${maxBody} bytes`);
      try {
        body = JSON.parse(read);
      } catch {
        return reject(res, 400, 'Parse error: the body is not JSON', -32700);
      }
    }

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      // Another tenant's session is reported exactly like a missing one.
      if (!session || session.tenantId !== principal.tenant.tenant_id)
        return reject(res, 404, 'Session not found', -32001);
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return reject(res, 400, 'Bad Request: no valid session id; start with an initialize request');
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, tenantId: principal.tenant.tenant_id });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    const server = buildServer({
      ...deps,
      tenant: principal.tenant,
      scopes: principal.scopes,
      transport: 'http',
      actor:
        opts.auth === 'none'
          ? { kind: 'stdio', tenantSlug: deps.tenant.slug }
          : { kind: 'token', tokenId: principal.token_id, name: principal.name },
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      deps.logger.error({ err: { message: (err as Error).message } }, 'http request failed');
      if (!res.headersSent) reject(res, 500, 'Internal server error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, rejectListen) => {
    http.once('error', rejectListen);
    http.listen(opts.port, opts.host, () => resolve());
  });
  const addr = http.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/mcp`,
    close: async () => {
      await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function authenticate(
  req: IncomingMessage,
  deps: Omit<ServerDeps, 'transport'>,
  opts: HttpOptions,
): Promise<Principal | null> {
  if (opts.auth === 'none')
    return { token_id: 'none', name: null, tenant: deps.tenant, scopes: ['read', 'dispatch', 'admin'] };
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? verifyToken(deps.db.kysely, m[1]) : null;
}

function readBody(req: IncomingMessage, max: number): Promise<string | 'too_large'> {
  return new Promise((resolve, rejectRead) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too_large' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', rejectRead);
  });
}

function setCorsHeaders(res: ServerResponse, origin: string) {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
  res.setHeader(
    'Access-Control-Allow-Headers',
    'authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id',
  );
  res.setHeader('Access-Control-Expose-Headers', 'mcp-session-id, www-authenticate');
  res.setHeader('Access-Control-Max-Age', '600');
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function reject(res: ServerResponse, status: number, message: string, code = -32000) {
  json(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
