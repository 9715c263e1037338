import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, PostgresDialect, type DatabaseConnection } from 'kysely';
import pg from 'pg';
import { resolve } from 'node:path';
import { lockDataDir } from './lock.js';
import { PGliteDialect } from './pglite-dialect.js';
import { capHeapGrowth, PGLITE_START_PARAMS } from './pglite-memory.js';
import { deferBegin, forgetHeldBegin } from './deferred-begin.js';
import { prepareMarkedStatements } from './prepared.js';
import { APP_ROLE } from './roles.js';
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
  /** The role every connection runs as once useAppRole() was called; null before (migrations). */
  readonly appRole: string | null;
  /**
   * From now on every connection switches to APP_ROLE (not the owner, not a superuser) before its
   * first query, so row-level security applies to everything the program runs. Called after
   * migrations; checks the switch worked and throws otherwise (fail closed).
   */
  useAppRole(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Switches each connection to the app role the first time it is reserved after useAppRole(). A
 * connection whose SET ROLE failed is not marked, so it is tried again (and fails again) rather than
 * running as the owner.
 */
function roleSwitch() {
  let role: string | null = null;
  const ready = new WeakSet<DatabaseConnection>();
  return {
    get role() {
      return role;
    },
    enable(r: string) {
      role = r;
    },
    async onReserve(conn: DatabaseConnection) {
      if (!role || ready.has(conn)) return;
      await conn.executeQuery(CompiledQuery.raw(`set role ${role}`));
      ready.add(conn);
    },
  };
}

async function checkRole(kysely: Kysely<Database>, role: string): Promise<void> {
  const { rows } = await kysely.executeQuery<{ current_user: string }>(CompiledQuery.raw('select current_user'));
  if (rows[0]?.current_user !== role) {
    throw new Error(`Expected the database connection to run as ${role}, got ${rows[0]?.current_user}`);
  }
}

export interface DbOptions {
  /** postgres://... — when absent, an embedded PGlite in dataDir. */
  databaseUrl?: string;
  dataDir?: string;
  /** pg pool size (PostgreSQL only). */
  poolSize?: number;
  /** Run statements marked with prepared() as named prepared statements (PostgreSQL only; default true). */
  prepare?: boolean;
}

// bigint/count(*) come back as numbers from PGlite but as strings from pg: parse int8 as a number
// here (our counts stay far below 2^53) so both databases return the same shapes.
const int8AsNumber = (v: string) => Number(v);
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return int8AsNumber;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** Opens the configured database. Importing this module does nothing; calling this does. */
export async function openDb(options: DbOptions): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10, options.prepare ?? true);
  return openPglite(resolve(options.dataDir ?? './data'));
}

async function openPostgres(url: string, max: number, prepare: boolean): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max, types: pgTypes as never });
  // A client whose server went away (a restart, a failover) emits 'error': the pool reports it for
  // idle clients, nobody for a checked-out one between two queries (inside a transaction). Without a
  // listener either kills the process. The query in flight fails on its own and the pool drops the
  // broken client on release, so the next query reconnects.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    if (prepare) prepareMarkedStatements(client);
    deferBegin(client);
  });
  pool.on('acquire', forgetHeldBegin);
  const roles = roleSwitch();
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool, onReserveConnection: roles.onReserve }) });
  return {
    kind: 'postgres',
    kysely,
    pool,
    label: redactUrl(url),
    get appRole() {
      return roles.role;
    },
    async useAppRole() {
      roles.enable(APP_ROLE);
      await checkRole(kysely, APP_ROLE);
    },
    close: () => kysely.destroy(),
  };
}

async function openPglite(dataDir: string): Promise<Db> {
  const release = lockDataDir(dataDir);
  try {
    capHeapGrowth();
    const pglite = await PGlite.create(dataDir, { startParams: [...PGLITE_START_PARAMS] });
    const roles = roleSwitch();
    const kysely = new Kysely<Database>({
      dialect: new PGliteDialect(pglite, { onReserveConnection: roles.onReserve }),
    });
    return {
      kind: 'pglite',
      kysely,
      pglite,
      label: `pglite:${dataDir}`,
      get appRole() {
        return roles.role;
      },
      async useAppRole() {
        roles.enable(APP_ROLE);
        await checkRole(kysely, APP_ROLE);
      },
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
