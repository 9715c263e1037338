import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { appliedMigrations, listMigrations } from '../db/migrate.js';
import type { ChannelStatus } from '../deps.js';

/** What /readyz checks, each 'ok' or why not. */
export interface Readiness {
  ready: boolean;
  checks: { database: string; migrations: string; channels: string };
}

export interface ReadinessDeps {
  db: Db;
  /** The channels as this process knows them (mcp.json, verification); none may be config_error. */
  channels: () => ChannelStatus[];
  /** True once the process is stopping: it is no longer ready for new work. */
  stopping: () => boolean;
}

/** How long a readiness answer is reused: probes every second cost one database round trip per 3 s. */
export const READINESS_CACHE_MS = 3000;
const DB_PROBE_TIMEOUT_MS = 1000;

/**
 * /readyz: the database answers (within a second), every migration file of this build is applied, and
 * no channel's configuration is broken. Cached for READINESS_CACHE_MS; a stopping process is not ready
 * whatever the cache says.
 */
export function readinessProbe(d: ReadinessDeps): () => Promise<Readiness> {
  let cached: { at: number; value: Promise<Readiness> } | null = null;
  return async () => {
    if (d.stopping())
      return { ready: false, checks: { database: 'stopping', migrations: 'stopping', channels: 'stopping' } };
    if (!cached || performance.now() - cached.at > READINESS_CACHE_MS)
      cached = { at: performance.now(), value: check(d) };
    return cached.value;
  };
}

async function check(d: ReadinessDeps): Promise<Readiness> {
  const database = await timed(sql`select 1`.execute(d.db.kysely), DB_PROBE_TIMEOUT_MS).then(
    () => 'ok',
    (err: Error) => `unreachable: ${err.message.slice(0, 200)}`,
  );
  let migrations = 'not checked: database unreachable';
  if (database === 'ok') {
    try {
      const applied = new Set(await appliedMigrations(d.db, 0));
      const missing = (await listMigrations()).filter((f) => !applied.has(f.name)).map((f) => f.name);
      migrations = missing.length ? `pending: ${missing.join(', ')}` : 'ok';
    } catch (err) {
      migrations = `unreadable: ${(err as Error).message.slice(0, 200)}`;
    }
  }
  const broken = d.channels().filter((c) => c.state === 'config_error');
  const channels = broken.length ? `config_error: ${broken.map((c) => c.channel).join(', ')}` : 'ok';
  return {
    ready: database === 'ok' && migrations === 'ok' && channels === 'ok',
    checks: { database, migrations, channels },
  };
}

function timed<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(t));
}
