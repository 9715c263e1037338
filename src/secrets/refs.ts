import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { createSecretsManagerSource, type SecretStore } from './aws-sm.js';

/**
 * Secrets by reference (SECURITY.md, "Secrets"): a value in mcp.json or in the environment may hold
 *  - `${env:NAME}`        — the environment variable NAME;
 *  - `${file:/abs/path}`  — the file's content, one trailing newline removed (Docker/Kubernetes secrets);
 *  - `${aws-sm:name}` or `${aws-sm:name#field}` — an AWS Secrets Manager secret (its SecretString, or
 *    one field of it when it is JSON), fetched at start (preload) and kept in memory.
 * Errors name the reference and where it was used, never a value.
 */
export const REF_PATTERN = /\$\{(env|file|aws-sm):([^}]+)\}/g;

export class SecretRefError extends Error {
  override readonly name = 'SecretRefError';
}

export interface SecretRefsOptions {
  env?: Record<string, string | undefined>;
  /** Secrets Manager; built on first use from the standard AWS chain when absent. */
  store?: SecretStore;
}

/** Resolves references; the Secrets Manager ones must have been preloaded (expand is synchronous). */
export class SecretRefs {
  private readonly cache = new Map<string, string>();
  private store: SecretStore | undefined;
  private readonly env: Record<string, string | undefined>;

  constructor(opts: SecretRefsOptions = {}) {
    this.env = opts.env ?? process.env;
    this.store = opts.store;
  }

  /** True when the text holds at least one reference. */
  static has(text: string): boolean {
    return new RegExp(REF_PATTERN.source).test(text);
  }

  /**
   * Fetches every Secrets Manager secret the texts name (each once), replacing what was cached: call
   * it at start and on reload. Rejects with the first missing secret's name (and `where`).
   */
  async preload(texts: string[], where: string): Promise<void> {
    const names = new Set<string>();
    for (const text of texts)
      for (const m of text.matchAll(REF_PATTERN)) if (m[1] === 'aws-sm') names.add(splitSm(m[2]).name);
    if (!names.size) return;
    this.store ??= createSecretsManagerSource();
    const store = this.store;
    const fetched = await Promise.all(
      [...names].map(async (name) => {
        try {
          return [name, await store.get(name)] as const;
        } catch (err) {
          throw new SecretRefError(`${where} uses \${aws-sm:${name}…}: ${(err as Error).message}`);
        }
      }),
    );
    for (const [name, value] of fetched) this.cache.set(name, value);
  }

  /** The text with every reference replaced; an unresolvable one throws naming it and `where`. */
  expand(text: string, where: string): string {
    return text.replace(REF_PATTERN, (_, kind: string, arg: string) => this.resolve(kind, arg.trim(), where));
  }

  private resolve(kind: string, arg: string, where: string): string {
    const ref = `\${${kind}:${arg}}`;
    if (kind === 'env') {
      const v = this.env[arg];
      if (v === undefined) throw new SecretRefError(`${where} uses ${ref} but ${arg} is not set`);
      return v;
    }
    if (kind === 'file') return readSecretFile(arg, ref, where);
    const { name, field } = splitSm(arg);
    const secret = this.cache.get(name);
    if (secret === undefined)
      throw new SecretRefError(`${where} uses ${ref}, which was not loaded at start (restart the server)`);
    return field === undefined ? secret : jsonField(secret, name, field, ref, where);
  }
}

function splitSm(arg: string): { name: string; field?: string } {
  const hash = arg.lastIndexOf('#');
  return hash < 0 ? { name: arg.trim() } : { name: arg.slice(0, hash).trim(), field: arg.slice(hash + 1).trim() };
}

function readSecretFile(path: string, ref: string, where: string): string {
  if (!isAbsolute(path)) throw new SecretRefError(`${where} uses ${ref}: the path must be absolute`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new SecretRefError(`${where} uses ${ref}: ${why} (mount the secret there or fix the path)`);
  }
  return text.replace(/\r?\n$/, '');
}

function jsonField(secret: string, name: string, field: string, ref: string, where: string): string {
  let obj: unknown;
  try {
    obj = JSON.parse(secret);
  } catch {
    throw new SecretRefError(`${where} uses ${ref}, but secret ${name} is not JSON: drop "#${field}" to use it whole`);
  }
  const v = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[field] : undefined;
  if (v === undefined || v === null || typeof v === 'object') {
    const keys = obj && typeof obj === 'object' ? Object.keys(obj).join(', ') : '';
    throw new SecretRefError(`${where} uses ${ref}, but secret ${name} has no field "${field}" (its fields: ${keys})`);
  }
  return String(v);
}

/** The process's resolver (mcp.json and the environment share one cache). */
export const secretRefs = new SecretRefs();

/**
 * Replaces, in `env` itself, every variable whose value holds a reference by its resolved value, after
 * preloading the Secrets Manager ones (DATABASE_URL=${aws-sm:…#url} works like any other).
 */
export async function resolveEnvRefs(
  env: Record<string, string | undefined>,
  refs: SecretRefs = secretRefs,
): Promise<string[]> {
  const names = Object.keys(env).filter((k) => env[k] !== undefined && SecretRefs.has(env[k]!));
  if (!names.length) return [];
  await refs.preload(
    names.map((k) => env[k]!),
    'the environment',
  );
  for (const k of names) env[k] = refs.expand(env[k]!, `environment variable ${k}`);
  return names;
}
