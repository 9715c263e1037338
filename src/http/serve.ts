import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthTokens } from '../auth/oauth.js';
import { metadataPaths, protectedResourceMetadata } from '../auth/protected-resource.js';
import { verifyToken } from '../auth/tokens.js';
import { TokenVerifier } from '../auth/verifier.js';
import type { HttpLimits, OAuthConfig } from '../config.js';
import type { ServerDeps } from '../deps.js';
import { buildServer } from '../server.js';
import { json, reject, setCorsHeaders } from './answers.js';
import { ANSWERED, ByteBudget, readJson } from './body.js';
import { authenticate, callerDeps, refuseCaller, type CallerOptions } from './caller.js';
import { createMcpEndpoint, type McpEndpoint } from './mcp-endpoint.js';
import { listenBuses } from '../events-out/outbox-watcher.js';
import { sendWebResponse, toWebRequest } from './node-web.js';
import { allowedHostnames, hostnameOf, isAllowedOrigin } from './origin.js';
import { SessionStore } from './sessions.js';
import { readinessProbe } from '../metrics/health.js';
import { answerProbe, type ProbeOptions } from '../metrics/http.js';
import { EndpointCache } from './webhooks/endpoints.js';
import { StoreBatcher } from './webhooks/store-batcher.js';
import { serveWebhook, type WebhookContext, type WebhookCounts } from './webhooks/receive.js';

export interface HttpOptions extends CallerOptions {
  host: string;
  port: number;
  /** `serve --webhooks-only`: a public edge that serves /webhooks/… and /healthz, no MCP. */
  webhooksOnly?: boolean;
  /** Called when a webhook's raw event is stored (the inbound processor takes it from there). */
  inboundStored?: (tenantId: string) => void;
  /** The bearer token /metrics requires (AGENTE_METRICS_TOKEN); without one /metrics is not served here. */
  metricsToken?: string;
}

export interface HttpServerHandle {
  url: string;
  /** Webhook requests by provider and outcome (accepted, duplicate, unsigned, bad_signature, stale…). */
  webhookCounts: WebhookCounts;
  /**
   * Stops accepting connections and lets the requests in flight finish, up to deadlineMs (default: at
   * once); then closes what is left. /readyz answers 503 meanwhile, and answers carry Connection: close.
   */
  close(deadlineMs?: number): Promise<void>;
}

/** What serving a request needs, set up once per process from the config. */
interface HttpContext {
  deps: Omit<ServerDeps, 'transport'>;
  opts: HttpOptions;
  limits: HttpLimits;
  oauth: OAuthConfig | undefined;
  /** Hostnames accepted in Host; origins given CORS answers; RFC 9728 metadata paths. */
  hosts: Set<string>;
  cors: Set<string>;
  wellKnown: Set<string>;
  bodies: ByteBudget;
  verifier: TokenVerifier;
  endpoint: McpEndpoint;
  webhooks: WebhookContext;
  probes: ProbeOptions;
  /** Requests being served (not counting long-lived GET /mcp streams), and whether the server is draining. */
  drain: { inflight: number; draining: boolean; idle: (() => void) | null };
}

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
  const ctx = httpContext(deps, opts);
  const { limits } = ctx;
  const http = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // node:http enforces the two timeouts above on this tick (30 s by default, too coarse for them).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 4)),
    },
    (req, res) => {
      // In flight until its answer is done (an answer streamed as SSE outlives handle()).
      if (!(req.method === 'GET' && req.url?.startsWith('/mcp'))) {
        ctx.drain.inflight++;
        res.once('close', () => {
          if (--ctx.drain.inflight === 0) ctx.drain.idle?.();
        });
      }
      // Draining: every answer closes its connection, so clients reconnect to another replica.
      if (ctx.drain.draining) res.setHeader('Connection', 'close');
      handle(ctx, req, res).catch((err: unknown) => {
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
    webhookCounts: ctx.webhooks.counts,
    close: async (deadlineMs = 0) => {
      ctx.drain.draining = true;
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      await drained(ctx.drain, deadlineMs);
      await ctx.endpoint.close();
      http.closeAllConnections();
      await closed;
    },
  };
}

/** Resolves when no counted request is in flight, or after deadlineMs. */
function drained(d: HttpContext['drain'], deadlineMs: number): Promise<void> {
  if (!d.inflight || deadlineMs <= 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const t = setTimeout(done, deadlineMs);
    function done() {
      clearTimeout(t);
      d.idle = null;
      resolve();
    }
    d.idle = done;
  });
}

function httpContext(deps: Omit<ServerDeps, 'transport'>, opts: HttpOptions): HttpContext {
  const { limits, publicUrl } = deps.config.http;
  const oauth = deps.config.oauth;
  const publicHost = publicUrl ? [new URL(publicUrl).hostname] : [];
  const sessions = new SessionStore(deps.db.kysely, limits, () => deps.clock.now());
  const bodies = new ByteBudget(limits.maxBodyBytesInFlight);
  const drain = { inflight: 0, draining: false, idle: null };
  const depsOf = callerDeps(deps, opts);
  const readiness = readinessProbe({ db: deps.db, channels: deps.channels, stopping: () => drain.draining });
  return {
    drain,
    probes: { readiness, metricsToken: opts.metricsToken, openMetrics: false },
    deps,
    opts,
    limits,
    oauth,
    hosts: allowedHostnames(opts.host, [...deps.config.http.allowedHosts, ...publicHost]),
    cors: new Set(deps.config.http.corsOrigins),
    wellKnown: oauth ? metadataPaths(oauth) : new Set<string>(),
    bodies,
    webhooks: {
      db: deps.db.kysely,
      logger: deps.logger,
      endpoints: new EndpointCache(deps.db.kysely),
      store: new StoreBatcher(deps.db.kysely),
      bodies,
      maxBodyBytes: limits.webhookMaxBodyBytes,
      publicUrl,
      now: () => deps.clock.now().getTime(),
      stored: opts.inboundStored ?? (() => {}),
      counts: {},
    },
    verifier: new TokenVerifier(
      (token) => verifyToken(deps.db.kysely, token),
      deps.config.auth,
      Date.now,
      oauth ? new OAuthTokens(oauth, deps.db.kysely) : undefined,
    ),
    endpoint: createMcpEndpoint((principal, onlyTool) => buildServer(depsOf(principal), { onlyTool }), sessions, {
      maxBodyBytes: limits.maxBodyBytes,
      onerror: (err) => deps.logger.debug({ err: { message: err.message } }, 'mcp request refused'),
      busFor: listenBuses(deps),
    }),
  };
}

async function handle(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (answeredAtTheDoor(ctx, req, res)) return;
  const path = (req.url ?? '/').split('?')[0];
  return route(ctx, req, res, path);
}

/** Refuses a Host or Origin we do not serve (origin.ts) and answers CORS preflights; true when it answered. */
function answeredAtTheDoor(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): boolean {
  const host = hostnameOf(req.headers.host);
  if (!host || !ctx.hosts.has(host)) {
    reject(req, res, 403, `Host ${req.headers.host ?? '(none)'} is not allowed`);
    return true;
  }
  const origin = req.headers.origin;
  if (origin && !ctx.cors.has(origin) && !isAllowedOrigin(origin, ctx.hosts, ctx.deps.config.http.allowedOrigins)) {
    reject(req, res, 403, `Origin ${origin} is not allowed`);
    return true;
  }
  // CORS only for the origins listed in AGENTE_CORS_ORIGINS: no other page may read our answers.
  if (origin && ctx.cors.has(origin)) {
    setCorsHeaders(res, origin);
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return true;
    }
  }
  return false;
}

/** The routes, by path, in order; a new route is one line here. */
function route(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, path: string): void | Promise<void> {
  // /healthz, /readyz (public) and /metrics (AGENTE_METRICS_TOKEN): src/metrics/http.ts.
  if (PROBES.has(path)) return probe(ctx, req, res, path);
  // RFC 9728: public, so that a client refused with 401 can find the authorization server.
  if (ctx.oauth && ctx.wellKnown.has(path) && req.method === 'GET') {
    return json(res, 200, protectedResourceMetadata(ctx.oauth));
  }
  // Provider webhooks: signed by the provider, no bearer token (http/webhooks/receive.ts).
  if (path.startsWith('/webhooks/')) return serveWebhook(ctx.webhooks, req, res, path);
  if (ctx.opts.webhooksOnly) return reject(req, res, 404, 'Not found: this server serves /webhooks/… only');
  if (path === '/mcp') return serveMcp(ctx, req, res);
  return reject(req, res, 404, 'Not found: the MCP endpoint is /mcp');
}

/** /mcp: the declared body size, the caller's token, the JSON body, then the MCP endpoint (mcp-endpoint.ts). */
async function serveMcp(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { limits } = ctx;
  // A Content-Length over the limit is refused before anything else is done with the request.
  if (Number(req.headers['content-length'] ?? 0) > limits.maxBodyBytes) {
    return reject(req, res, 413, `Request body over ${limits.maxBodyBytes} bytes (AGENTE_HTTP_MAX_BODY_BYTES)`);
  }
  const auth = await authenticate(req, ctx.deps, ctx.opts, ctx.verifier);
  if (!auth.ok) return refuseCaller(req, res, auth, ctx.oauth, ctx.deps.config.auth.failDelayMs);

  const body = req.method === 'POST' ? await readJson(req, res, limits.maxBodyBytes, ctx.bodies) : undefined;
  if (body === ANSWERED) return;
  const url = new URL(req.url ?? '/mcp', `http://${req.headers.host}`);
  const response = await ctx.endpoint.handle(toWebRequest(req, res, url, undefined), body, auth.principal);
  await sendWebResponse(res, response);
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

async function probe(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (!(await answerProbe(ctx.probes, req, res, path))) reject(req, res, 405, `Method not allowed: ${path} takes GET`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
