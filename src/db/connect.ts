import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { resolve } from 'node:path';
import { lockDataDir } from './lock.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type DbKind = 'pglite' | 'postgres';

/** The database as the rest of the program sees it. */
export interface Db {
  kind: DbKind;
  kysely: Kysely<Database>;
  /** Where the data lives, without credentials (for status and logs). */
  label: string;
  /** The raw pg pool (PostgreSQL only), for COPY and LISTEN. */
  pool?: pg.Pool;
  /** The raw PGlite instance (PGlite only), for COPY from a blob. */
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgres://... — when absent, an embedded PGlite in dataDir. */
  databaseUrl?: string;
  dataDir?: string;
  /** pg pool size (PostgreSQL only). */
  poolSize?: number;
}

// bigint/count(*) come back as numbers from PGlite but as strings from pg: parse int8 as a number
// here (our counts stay far below 2^53) so both databases return the same shapes.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** Opens the configured database. Importing this module does nothing; calling this does. */
export async function openDb(options: DbOptions): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(resolve(options.dataDir ?? './data'));
}

async function openPostgres(url: string, max: number): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max, types: pgTypes as never });
  // A client whose server went away (a restart, a failover) emits 'error': the pool reports it for
  // idle clients, nobody for a checked-out one between two queries (inside a transaction). Without a
  // listener either kills the process. The query in flight fails on its own and the pool drops the
  // broken client on release, so the next query reconnects.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    kysely,
    pool,
    label: redactUrl(url),
    close: () => kysely.destroy(),
  };
}

async function openPglite(dataDir: string): Promise<Db> {
  const release = lockDataDir(dataDir);
  try {
    const pglite = await PGlite.create(dataDir);
    const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    return {
      kind: 'pglite',
      kysely,
      pglite,
      label: `pglite:${dataDir}`,
      close: async () => {
        await kysely.destroy();
        await pglite.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}
