import { readFileSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  ingestDirs: string[];
  logLevel: string;
  http: {
    allowedHosts: string[];
    allowedOrigins: string[];
    /** Browser origins that get CORS headers (AGENTE_CORS_ORIGINS); none by default. */
    corsOrigins: string[];
  };
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const flag = env.MICRO_AGENT_DISPARO_ENABLED;
  return {
    version: packageVersion(),
    packageRoot: PACKAGE_ROOT.replace(/\/$/, ''),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(cwd, env.AGENTE_DATA_DIR || 'data'),
    tenantSlug: env.AGENTE_TENANT || 'default',
    dispatchEnabled: flag === 'true',
    dispatchFlagRaw: flag,
    mcpConfigPath: env.AGENTE_MCP_CONFIG ? resolve(cwd, env.AGENTE_MCP_CONFIG) : resolve(PACKAGE_ROOT, 'mcp.json'),
    ingestDirs: [cwd, ...list(env.AGENTE_INGEST_DIRS, delimiter).map((d) => resolve(cwd, d))],
    logLevel: env.AGENTE_LOG_LEVEL || 'info',
    http: {
      allowedHosts: list(env.AGENTE_HTTP_ALLOWED_HOSTS),
      allowedOrigins: list(env.AGENTE_HTTP_ALLOWED_ORIGINS),
      corsOrigins: list(env.AGENTE_CORS_ORIGINS),
    },
  };
}
