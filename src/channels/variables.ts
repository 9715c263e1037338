import type { McpConfig } from './config.js';
import type { PresetVariable } from './presets.js';

type ServerConfig = McpConfig['mcpServers'][string];

/** An optional variable that is unset: the argument whose whole value it is gets left out. */
export const UNSET = Symbol('unset');

const E164 = /^\+[1-9]\d{7,14}$/;

/** "whatsapp:+1 (415) 523-8886" → "+14155238886"; throws when what remains is not E.164. */
export function normalizeE164(name: string, value: string): string {
  const bare = value.trim().replace(/^whatsapp:/i, '');
  const digits = bare.replace(/[\s().-]/g, '');
  const e164 = digits.startsWith('+') ? digits : `+${digits}`;
  if (!E164.test(e164))
    throw new Error(
      `${name} is "${value}", not a phone number in E.164 (+ country code and number, e.g. +14155238886)`,
    );
  return e164;
}

/**
 * Looks up the ${VAR}s of one channel's profile: this server's environment first, then the downstream
 * server's env block in mcp.json (its own name, then the names the server itself reads), then the
 * server's launch arguments. The error names the variable and both places to set it.
 */
export function variableLookup(
  serverName: string,
  server: ServerConfig | undefined,
  env: Record<string, string | undefined>,
  specs: Record<string, PresetVariable> = {},
): (name: string) => string | typeof UNSET {
  const serverEnv = server && 'env' in server ? server.env : {};
  const args = server && 'args' in server ? server.args.join(' ') : '';
  return (name) => {
    const spec = specs[name];
    let v: string | undefined = env[name] ?? serverEnv[name];
    for (const alias of spec?.serverEnv ?? []) v ??= serverEnv[alias];
    if (v === undefined && spec?.fromArgs) v = spec.fromArgs.exec(args)?.[1];
    if (v === undefined || v === '') {
      if (spec?.optional) return UNSET;
      const what = spec ? ` (${spec.describe})` : '';
      const alias = spec?.serverEnv?.length ? ` or ${spec.serverEnv.join(' / ')}` : '';
      throw new Error(
        `${name}${what} is not set: set it in mcp.json under mcpServers.${serverName}.env${alias}, or in this server's environment`,
      );
    }
    return spec?.normalize === 'e164' ? normalizeE164(name, v) : v;
  };
}

/** Expands ${VAR} in every string of a template; a string that is exactly an unset optional one → UNSET. */
export function expandTemplate(value: unknown, lookup: (name: string) => string | typeof UNSET): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    if (whole) return lookup(whole[1]);
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = lookup(name);
      return v === UNSET ? '' : v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => expandTemplate(v, lookup)).filter((v) => v !== UNSET);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = expandTemplate(v, lookup);
      if (r !== UNSET) out[k] = r;
    }
    return out;
  }
  return value;
}

/**
 * The preset's argument map with mcp.json's overrides merged in: a key given replaces the preset's,
 * a key set to null removes it, the rest stay.
 */
export function mergeArguments(
  base: Record<string, unknown> | undefined,
  override: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(base ?? {}) };
  for (const [k, v] of Object.entries(override ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
