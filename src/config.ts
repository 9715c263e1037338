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
  /** One provider webhook body (/webhooks/…): providers send small JSON or form bodies. */
  webhookMaxBodyBytes: number;
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

/**
 * OAuth 2.1 resource server (src/auth/oauth.ts): JWT access tokens from one authorization server,
 * beside the static bearer tokens. On when AGENTE_OAUTH_ISSUER is set (README, "OAuth").
 */
export interface OAuthConfig {
  /** The authorization server: tokens must carry exactly this `iss`. */
  issuer: string;
  /** Its key set; when absent, the jwks_uri of its metadata (RFC 8414, then OpenID discovery). */
  jwksUrl?: string;
  /** This server as a protected resource (RFC 9728 `resource`): the URL clients use for /mcp. */
  resource: string;
  /** The `aud` tokens must carry: the resource, unless the issuer names APIs otherwise. */
  audience: string;
  /** The claim with the granted scopes (a space-separated string, or an array). */
  scopeClaim: string;
  /** The issuer's scope names → ours. */
  scopeMap: Record<string, 'read' | 'dispatch' | 'admin'>;
  /** The claim that names the tenant (its slug). */
  tenantClaim: string;
  /** Create a tenant named by a token on first use (false: it must exist — see README). */
  createTenants: boolean;
  clockToleranceS: number;
}

/** Everything the program reads from the environment, read once by the composition root. */
export interface Config {
  version: string;
  /** The installed package's root (where mcp.json, migrations/ and dist/ are). */
  packageRoot: string;
  databaseUrl?: string;
  /** Run the hot statements as named prepared statements on PostgreSQL (AGENTE_PG_PREPARE=false turns it off). */
  pgPrepare: boolean;
  /**
   * How many connections a dry run over many leads splits its work over on PostgreSQL
   * (AGENTE_DRY_RUN_CONNECTIONS, 1–8, default 2; core/outreach/dry-run-parts.ts). PGlite has one.
   */
  dryRunConnections: number;
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
  /** AGENTE_INGEST_S3: buckets (optionally bucket/prefix) ingest_leads may read s3:// objects from (files/remote-allow.ts). */
  ingestS3: string[];
  /** AGENTE_INGEST_URL_HOSTS: https hosts ingest_leads may download from; empty: none. */
  ingestUrlHosts: string[];
  logLevel: string;
  http: {
    allowedHosts: string[];
    allowedOrigins: string[];
    /** Browser origins that get CORS headers (AGENTE_CORS_ORIGINS); none by default. */
    corsOrigins: string[];
    /** The URL clients use for /mcp, when it differs from where the process listens (behind a load balancer). */
    publicUrl?: string;
    limits: HttpLimits;
  };
  auth: AuthLimits;
  oauth?: OAuthConfig;
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
  webhookMaxBodyBytes: ['AGENTE_WEBHOOK_MAX_BODY_BYTES', MB],
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
    pgPrepare: env.AGENTE_PG_PREPARE?.trim() !== 'false',
    dryRunConnections: dryRunConnections(env.AGENTE_DRY_RUN_CONNECTIONS),
    dataDir: resolve(cwd, env.AGENTE_DATA_DIR || 'data'),
    tenantSlug: env.AGENTE_TENANT || 'default',
    dispatchEnabled: flag === 'true',
    dispatchFlagRaw: flag,
    mcpConfigPath: env.AGENTE_MCP_CONFIG ? resolve(cwd, env.AGENTE_MCP_CONFIG) : resolve(PACKAGE_ROOT, 'mcp.json'),
    ingestDirs: list(env.AGENTE_INGEST_DIRS, delimiter).map((d) => resolve(cwd, d)),
    ingestS3: list(env.AGENTE_INGEST_S3),
    ingestUrlHosts: list(env.AGENTE_INGEST_URL_HOSTS),
    logLevel: env.AGENTE_LOG_LEVEL || 'info',
    http: {
      allowedHosts: list(env.AGENTE_HTTP_ALLOWED_HOSTS),
      allowedOrigins: list(env.AGENTE_HTTP_ALLOWED_ORIGINS),
      corsOrigins: list(env.AGENTE_CORS_ORIGINS),
      publicUrl: env.AGENTE_HTTP_PUBLIC_URL?.trim() || undefined,
      limits,
    },
    auth: readLimits(env, AUTH_LIMIT_VARS),
    oauth: readOAuth(env),
  };
}

const SCOPES = ['read', 'dispatch', 'admin'] as const;

/** The AGENTE_OAUTH_* variables, checked as a whole: a half-configured resource server does not start. */
function readOAuth(env: NodeJS.ProcessEnv): OAuthConfig | undefined {
  const issuer = env.AGENTE_OAUTH_ISSUER?.trim();
  if (!issuer) return undefined;
  const url = (name: string, v: string | undefined) => {
    if (!v) return undefined;
    try {
      return new URL(v).toString();
    } catch {
      throw new Error(`${name} must be a URL; got "${v}"`);
    }
  };
  url('AGENTE_OAUTH_ISSUER', issuer);
  const resource = url('AGENTE_HTTP_PUBLIC_URL', env.AGENTE_HTTP_PUBLIC_URL?.trim());
  if (!resource) {
    throw new Error(
      'AGENTE_OAUTH_ISSUER needs AGENTE_HTTP_PUBLIC_URL: the URL clients use for /mcp (the resource tokens are issued for)',
    );
  }
  const scopeMap: OAuthConfig['scopeMap'] = {};
  for (const pair of list(env.AGENTE_OAUTH_SCOPES || SCOPES.map((s) => `${s}=${s}`).join(','))) {
    const [theirs, ours] = pair.split('=').map((x) => x.trim());
    if (!theirs || !SCOPES.includes(ours as (typeof SCOPES)[number])) {
      throw new Error(`AGENTE_OAUTH_SCOPES: "${pair}" must be issuer_scope=read|dispatch|admin`);
    }
    scopeMap[theirs] = ours as (typeof SCOPES)[number];
  }
  const tolerance = Number(env.AGENTE_OAUTH_CLOCK_TOLERANCE_S ?? 30);
  if (!Number.isSafeInteger(tolerance) || tolerance < 0 || tolerance > 300) {
    throw new Error('AGENTE_OAUTH_CLOCK_TOLERANCE_S must be a whole number of seconds from 0 to 300');
  }
  const create = env.AGENTE_OAUTH_CREATE_TENANTS?.trim() ?? 'false';
  if (create !== 'true' && create !== 'false') throw new Error('AGENTE_OAUTH_CREATE_TENANTS must be "true" or "false"');
  return {
    issuer,
    jwksUrl: url('AGENTE_OAUTH_JWKS_URL', env.AGENTE_OAUTH_JWKS_URL?.trim()),
    resource,
    audience: env.AGENTE_OAUTH_AUDIENCE?.trim() || resource,
    scopeClaim: env.AGENTE_OAUTH_SCOPE_CLAIM?.trim() || 'scope',
    scopeMap,
    tenantClaim: env.AGENTE_OAUTH_TENANT_CLAIM?.trim() || 'tenant',
    createTenants: create === 'true',
    clockToleranceS: tolerance,
  };
}

/** AGENTE_DRY_RUN_CONNECTIONS: a whole number from 1 to 8; 2 when unset. */
function dryRunConnections(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 2;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 1 || n > 8)
    throw new Error(`AGENTE_DRY_RUN_CONNECTIONS must be a whole number from 1 to 8 (got ${JSON.stringify(raw)})`);
  return n;
}
