import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registry } from './registry.js';
import type { Readiness } from './health.js';

/**
 * /healthz, /readyz and /metrics, answered the same way by `serve --http` (on its own port, beside
 * /mcp) and by `worker` (on a small port of its own, startProbeServer). SECURITY.md "Metrics" says who
 * may read what: /healthz and /readyz say nothing but ok / what is not ready; /metrics needs
 * AGENTE_METRICS_TOKEN as a bearer token, except on the worker's loopback-only port.
 */
export interface ProbeOptions {
  readiness: () => Promise<Readiness>;
  /** The bearer token /metrics requires; undefined: /metrics is open (loopback listeners only) or off. */
  metricsToken?: string;
  /** Whether /metrics may be served without a token (a listener on a loopback address). */
  openMetrics: boolean;
}

/** Answers a probe path; false when the path is not one (the caller routes it). */
export async function answerProbe(
  o: ProbeOptions,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/healthz') {
    send(res, 200, 'application/json', JSON.stringify({ ok: true }));
    return true;
  }
  if (path === '/readyz') {
    const r = await o.readiness();
    send(res, r.ready ? 200 : 503, 'application/json', JSON.stringify(r));
    return true;
  }
  if (path !== '/metrics') return false;
  if (!o.metricsToken && !o.openMetrics) {
    send(
      res,
      404,
      'text/plain',
      'Not found: set AGENTE_METRICS_TOKEN to serve /metrics here (SECURITY.md, "Metrics")\n',
    );
    return true;
  }
  if (o.metricsToken && !bearerMatches(req.headers.authorization, o.metricsToken)) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    send(res, 401, 'text/plain', 'Unauthorized: /metrics needs the bearer token in AGENTE_METRICS_TOKEN\n');
    return true;
  }
  send(res, 200, registry.contentType, await registry.metrics());
  return true;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}

/** Constant-time comparison of the presented bearer token with the expected one (hashes: equal lengths). */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(m[1]), h(expected));
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Where the worker's probe server listens: AGENTE_METRICS_PORT (unset: none), AGENTE_METRICS_HOST (127.0.0.1). */
export interface ProbeListen {
  port: number;
  host: string;
  token?: string;
}

/** The probe listener from the environment, or null when AGENTE_METRICS_PORT is unset; throws on bad values. */
export function probeListenFromEnv(env: Record<string, string | undefined>): ProbeListen | null {
  const raw = env.AGENTE_METRICS_PORT?.trim();
  if (!raw) return null;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`AGENTE_METRICS_PORT must be a port number (0–65535), got "${raw.slice(0, 20)}"`);
  const host = env.AGENTE_METRICS_HOST?.trim() || '127.0.0.1';
  const token = metricsTokenFromEnv(env);
  if (!token && !isLoopbackHost(host))
    throw new Error(
      `AGENTE_METRICS_HOST=${host} is not a loopback address: set AGENTE_METRICS_TOKEN so /metrics is not open to the network`,
    );
  return { port, host, token };
}

/** AGENTE_METRICS_TOKEN, when set: at least 16 characters. */
export function metricsTokenFromEnv(env: Record<string, string | undefined>): string | undefined {
  const token = env.AGENTE_METRICS_TOKEN?.trim();
  if (!token) return undefined;
  if (token.length < 16) throw new Error('AGENTE_METRICS_TOKEN must be at least 16 characters');
  return token;
}

/** The worker's own small HTTP server: /healthz, /readyz, /metrics and nothing else. */
export async function startProbeServer(
  listen: ProbeListen,
  readiness: () => Promise<Readiness>,
): Promise<{ url: string; close(): Promise<void> }> {
  const o: ProbeOptions = { readiness, metricsToken: listen.token, openMetrics: isLoopbackHost(listen.host) };
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    answerProbe(o, req, res, path)
      .then((answered) => {
        if (!answered) send(res, 404, 'text/plain', 'Not found: /healthz, /readyz, /metrics\n');
      })
      .catch(() => {
        if (!res.headersSent) send(res, 500, 'text/plain', 'metrics failed\n');
        else res.end();
      });
  });
  server.maxConnections = 32;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
