import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { McpSession } from './session.js';

/** Small helpers of the demo's narrative (stdout) and checks. */
export const say = (s: string) => process.stdout.write(`${s}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `    │ ${l}`)
    .join('\n');
export const phoneLine = (p: any) =>
  `phone "${p.original}" → ${p.e164 ?? '—'}: ` +
  `${p.sendable ? `WhatsApp-capable ${p.type}` : `not for WhatsApp: ${p.invalid_reason ?? p.type}`}${p.repaired ? ' (repaired)' : ''}`;
export const queued = (d: any) =>
  `${d.job_id}: queued ${d.queued}, already queued before ${d.already_queued}, not queued: ${fmt(d.blocked)}`;
export const fmt = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

/** Prints a title, runs the step; a failure names the step. */
export async function step<T>(title: string, fn: () => Promise<T>): Promise<T> {
  say(`\n▶ ${title}`);
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${title}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function check(ok: unknown, message: string): asserts ok {
  if (!ok) throw new Error(message);
}

/** The child's environment: ours, minus anything that would point it elsewhere, plus the demo's. */
export function childEnv(dataDir: string, inbox: string, sending: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    const foreign = /^(DATABASE_URL|AGENTE_|MICRO_AGENT_DISPARO_ENABLED$|SANDBOX_)/.test(k);
    if (v !== undefined && !foreign) env[k] = v;
  }
  return {
    ...env,
    AGENTE_DATA_DIR: dataDir,
    AGENTE_INGEST_DIRS: inbox,
    AGENTE_LOG_LEVEL: process.env.AGENTE_LOG_LEVEL ?? 'warn',
    ...(sending ? { MICRO_AGENT_DISPARO_ENABLED: 'true' } : {}),
  };
}

/** Closes the client; the server exits and releases the PGlite data directory. */
export async function closeSession(s: McpSession, dataDir: string): Promise<void> {
  await s.close();
  const locked = existsSync(join(dataDir, 'agente.lock'));
  say(
    `Client closed; the server exited${locked ? ' (its lock file is still there: it did not shut down cleanly)' : ' and released the data directory'}.`,
  );
  check(!locked, 'the server did not release its PGlite lock');
}

/** Real sends recorded by a sandbox server (idempotent replays are marked duplicate and left out). */
export function records(
  dataDir: string,
  channel: 'whatsapp' | 'email' | 'calendar',
): Array<{ args: Record<string, any> }> {
  const path = join(dataDir, 'sandbox', `${channel}.jsonl`);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => r.duplicate !== true);
}
