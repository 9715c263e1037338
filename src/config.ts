import { readFileSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Limits of the Streamable HTTP server (SECURITY.md, "HTTP"). Every one has an AGENTE_HTTP_* variable. */
export interface HttpLimits {
  /** One request body, checked on Content-Length before reading and again while it streams. */
  maxBodyBytes: number;
  /** Request bodies being read or handled at once, across all requests. */
  maxBodyBytesInFlight: number;
  /** Time to receive a request's headers (node:http headersTimeout). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (node:http requestTimeout). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open (node:http keepAliveTimeout). */
  keepAliveTimeoutMs: number;
  /** Open connections; more are closed at once (node:http maxConnections). */
  maxConnections: number;
  /** A session with no request for this long is closed. */
  sessionIdleMs: number;
  maxSessions: number;
  maxSessionsPerTenant: number;
  maxSessionsPerToken: number;
}

/** Bearer-token verification over HTTP (src/auth/verifier.ts). */
export interface AuthLimits {
  /** How long a verified token is trusted without asking the database again (revocation takes at most this long). */
  cacheTtlMs: number;
  /** How long an unknown or revoked token is refused without asking the database again. */
  negativeTtlMs: number;
  /** Database lookups of not-yet-verified tokens allowed per client address (and per token prefix) per window. */
  failLimit: number;
  failWindowMs: number;
  /**
   * How long a client past failLimit waits for its 429. Its connection is held idle meanwhile, so a
   * flood of bad tokens runs at (connections / delay) requests per second instead of as fast as the
   * server can refuse them — which is what slowed valid clients down.
   */
  failDelayMs: number;
}

/** Everything the program reads from the environment, read once by the composition root. */
export interface Config {
  version: string;
  /** The installed package's root (where mcp.json, migrations/ and dist/ are). */
  packageRoot: string;
  databaseUrl?: string;
  dataDir: string;
  tenantSlug: string;
  /** True only when MICRO_AGENT_DISPARO_ENABLED is exactly "true". */
  dispatchEnabled: boolean;
  dispatchFlagRaw: string | undefined;
  mcpConfigPath: string;
  /**
   * The folders of AGENTE_INGEST_DIRS, absolute; empty when unset. Nothing is implied: no working
   * directory. Which folders a call may read is decided in src/files/allowed-path.ts.
   */
  ingestDirs: string[];
  logLevel: string;
  http: {
    allowedHosts: string[];
    allowedOrigins: string[];
    /** Browser origins that get CORS headers (AGENTE_CORS_ORIGINS); none by default. */
    corsOrigins: string[];
    limits: HttpLimits;
  };
  auth: AuthLimits;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

const list = (v: string | undefined, sep = ',') =>
  (v ?? '')
    .split(sep)
    .map((s) => s.trim())
    .filter(Boolean);

const MB = 1024 * 1024;

/** Defaults of the HTTP limits, with the variable that changes each (README, "Configuration"). */
export const HTTP_LIMIT_VARS: Record<keyof HttpLimits, [variable: string, fallback: number]> = {
  maxBodyBytes: ['AGENTE_HTTP_MAX_BODY_BYTES', 32 * MB],
  maxBodyBytesInFlight: ['AGENTE_HTTP_MAX_BODY_BYTES_IN_FLIGHT', 64 * MB],
  headersTimeoutMs: ['AGENTE_HTTP_HEADERS_TIMEOUT_MS', 10_000],
  requestTimeoutMs: ['AGENTE_HTTP_REQUEST_TIMEOUT_MS', 60_000],
  keepAliveTimeoutMs: ['AGENTE_HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000],
  maxConnections: ['AGENTE_HTTP_MAX_CONNECTIONS', 1024],
  sessionIdleMs: ['AGENTE_HTTP_SESSION_IDLE_MS', 30 * 60_000],
  maxSessions: ['AGENTE_HTTP_MAX_SESSIONS', 2000],
  maxSessionsPerTenant: ['AGENTE_HTTP_MAX_SESSIONS_PER_TENANT', 500],
  maxSessionsPerToken: ['AGENTE_HTTP_MAX_SESSIONS_PER_TOKEN', 100],
};

export const AUTH_LIMIT_VARS: Record<keyof AuthLimits, [variable: string, fallback: number]> = {
  cacheTtlMs: ['AGENTE_AUTH_CACHE_TTL_MS', 5_000],
  negativeTtlMs: ['AGENTE_AUTH_NEGATIVE_TTL_MS', 60_000],
  failLimit: ['AGENTE_AUTH_FAIL_LIMIT', 10],
  failWindowMs: ['AGENTE_AUTH_FAIL_WINDOW_MS', 60_000],
  failDelayMs: ['AGENTE_AUTH_FAIL_DELAY_MS', 1_000],
};

/** Variables that may be 0 (the rest must be ≥ 1). */
const ZERO_ALLOWED = new Set(['AGENTE_AUTH_FAIL_DELAY_MS']);

/** A whole number ≥ 1 (≥ 0 where allowed) from the environment, or the default; anything else stops the start with the variable named. */
function positiveInt(env: NodeJS.ProcessEnv, [name, fallback]: [string, number]): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  const min = ZERO_ALLOWED.has(name) ? 0 : 1;
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min}; got "${raw}"`);
  return n;
}

function readLimits<K extends string>(env: NodeJS.ProcessEnv, vars: Record<K, [string, number]>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(vars) as K[]) out[key] = positiveInt(env, vars[key]);
  return out;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const flag = env.MICRO_AGENT_DISPARO_ENABLED;
  const limits = readLimits(env, HTTP_LIMIT_VARS);
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    // node:http refuses this combination; say which variables to change instead of failing at listen().
    throw new Error(
      `AGENTE_HTTP_HEADERS_TIMEOUT_MS (${limits.headersTimeoutMs}) must not exceed AGENTE_HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs})`,
    );
  }
  return {
    version: packageVersion(),
    packageRoot: PACKAGE_ROOT.replace(/\/$/, ''),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(cwd, env.AGENTE_DATA_DIR || 'data'),
    tenantSlug: env.AGENTE_TENANT || 'default',
    dispatchEnabled: flag === 'true',
    dispatchFlagRaw: flag,
    mcpConfigPath: env.AGENTE_MCP_CONFIG ? resolve(cwd, env.AGENTE_MCP_CONFIG) : resolve(PACKAGE_ROOT, 'mcp.json'),
    ingestDirs: list(env.AGENTE_INGEST_DIRS, delimiter).map((d) => resolve(cwd, d)),
    logLevel: env.AGENTE_LOG_LEVEL || 'info',
    http: {
      allowedHosts: list(env.AGENTE_HTTP_ALLOWED_HOSTS),
      allowedOrigins: list(env.AGENTE_HTTP_ALLOWED_ORIGINS),
      corsOrigins: list(env.AGENTE_CORS_ORIGINS),
      limits,
    },
    auth: readLimits(env, AUTH_LIMIT_VARS),
  };
}
