import { finished, pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { CopyValue, TenantCopyTx } from '../core/ingest/ports.js';
import type { Db } from './connect.js';
import type { Database } from './schema.js';
import { APP_ROLE } from './roles.js';
import { withTenant } from './tenant.js';

/**
 * Tenant transactions that can also COPY rows into tables, inside the same transaction: the ingest
 * merge writes new leads, phones, e-mails and events with COPY (no staging table, no set-based
 * re-aggregation) and keeps SQL only for lookups and the updates of existing leads. Rows go straight
 * into the final table when the session user bypasses row-level security (always on PGlite), else
 * through a temp table (see CopyTxOptions and moveSql).
 * PostgreSQL: a pool client is checked out per transaction and kysely runs on that very client, so
 * COPY FROM STDIN and the kysely statements share it. PGlite: the transaction already owns the single
 * connection (see pglite-dialect.ts), so COPY from a blob lands inside it.
 */
export function createCopyTx(db: Db, opts: CopyTxOptions = {}): TenantCopyTx {
  if (db.kind === 'postgres') {
    const pool = db.pool!;
    return {
      async run(tenantId, fn) {
        const client = await pool.connect();
        let failed: Error | undefined;
        try {
          const kysely = onClient(client);
          const once = oneCopyPerTable();
          const direct = opts.direct ?? (await sessionBypassesRls(client));
          // The last table copied (its move, or its direct COPY), still running in the server: the next
          // table's rows are encoded meanwhile. Statements on one client run in order, so whatever fn
          // sends next (kysely included) runs after it; its failure is reported as the cause (what
          // follows it only sees an aborted transaction).
          let moving: Promise<unknown> | null = null;
          let moveError: unknown = null;
          const settle = async () => {
            const m = moving;
            moving = null;
            await m;
          };
          return await withTenant(kysely, tenantId, async (tx) => {
            try {
              const out = await fn(tx, async (table, columns, rows) => {
                if (!rows.length) return;
                once(table);
                if (direct && checkTenant(tenantId, table, columns, rows)) {
                  // One message: the role switches travel with the COPY (simple protocol runs them in
                  // order; the SETs only answer CommandComplete, which the copy stream ignores), not as
                  // two round trips of their own. A failed COPY aborts the transaction, role and all.
                  // Sent before the rows are encoded: the server's answer (CopyInResponse) comes back
                  // meanwhile; the stream holds the rows until it has.
                  const stream = client.query(
                    copyStreams.from(
                      `${AS_SESSION_USER}; ${copySql(table, columns, 'stdin')}; set local role ${APP_ROLE}`,
                    ),
                  );
                  let pieces: string[];
                  try {
                    pieces = [...copyPieces(rows)];
                  } catch (err) {
                    stream.destroy(err as Error); // CopyFail: the server leaves COPY mode
                    throw err;
                  }
                  const done = finished(stream);
                  done.catch((err: unknown) => (moveError ??= err));
                  // Returns once the rows are handed to the socket (the last write's callback), not when
                  // the server has stored them: the next table's rows are encoded while it does, and its
                  // COPY waits its turn on the client. The table's end joins `moving` (settled last).
                  const written = new Promise<void>((resolve, reject) =>
                    pieces.forEach((p, i) =>
                      stream.write(p, i === pieces.length - 1 ? (err) => (err ? reject(err) : resolve()) : undefined),
                    ),
                  );
                  stream.end();
                  const all = Promise.all([moving, done]);
                  all.catch(() => {});
                  moving = all;
                  await Promise.race([written, done]);
                  return;
                }
                const pieces = [...copyPieces(rows)];
                await settle();
                await ensureTempTable(client, table);
                const stream = client.query(copyStreams.from(copySql(temp(table), columns, 'stdin')));
                await pipeline(Readable.from(pieces), stream);
                moving = client.query(moveSql(table, columns));
                moving.catch((err: unknown) => (moveError ??= err));
              });
              await settle();
              return out;
            } catch (err) {
              throw moveError ?? err;
            }
          });
        } catch (err) {
          // A connection that failed mid-COPY may be in any state: close it rather than reuse it.
          failed = err instanceof Error ? err : new Error(String(err));
          throw err;
        } finally {
          client.release(failed);
        }
      },
    };
  }
  const pglite = db.pglite!;
  // PGlite's only user is its superuser: the final tables take the COPY directly (see CopyTxOptions).
  const direct = opts.direct ?? true;
  return {
    run(tenantId, fn) {
      const once = oneCopyPerTable();
      return withTenant(db.kysely, tenantId, (tx) =>
        fn(tx, async (table, columns, rows) => {
          if (!rows.length) return;
          once(table);
          const blob = new Blob([...copyPieces(rows)]);
          // One exec() each (a simple-protocol script, the blob for its COPY), not a call per statement:
          // every PGlite call is a full protocol exchange on this thread. The role switches are
          // transaction-local, and a failed statement aborts the transaction, role and all.
          if (direct && checkTenant(tenantId, table, columns, rows)) {
            await pglite.exec(`${AS_SESSION_USER};\n${copySql(table, columns, `'/dev/blob'`)};\n${AS_APP_ROLE}`, {
              blob,
            });
            return;
          }
          // COPY from PGlite's virtual file needs its superuser: the app role creates (and so owns) the
          // temp table, the superuser fills it, the app role moves the rows under the tenant policy.
          await pglite.exec(
            [
              tempTableSql(table),
              AS_SESSION_USER,
              copySql(temp(table), columns, `'/dev/blob'`),
              AS_APP_ROLE,
              moveSql(table, columns),
            ].join(';\n'),
            { blob },
          );
        }),
      );
    },
  };
}

export interface CopyTxOptions {
  /**
   * COPY straight into the final table, as the session user, when that user bypasses row-level
   * security (a superuser: PGlite's only user; on PostgreSQL, checked once per connection), instead of
   * COPY into a temp table and one INSERT … SELECT under the tenant policy. The move was the largest
   * share of an import's database time (issue #22): every row written twice, and the indexes'
   * work done in a second statement. The tenant policy's check is then done here, on every row, before
   * a byte is sent (checkTenant): a row of another tenant still cannot get in. Default: whenever the
   * session user can; false forces the temp table (tests of both paths).
   */
  direct?: boolean;
}

const AS_SESSION_USER = 'set local role none';
const AS_APP_ROLE = `select set_config('role', '${APP_ROLE}', true)`;

/**
 * The tenant policy's check (tenant_id = the transaction's tenant), on the rows before a direct COPY.
 * False when the rows carry no tenant_id (a column default would fill it): those take the temp table,
 * where the policy checks what the default wrote.
 */
function checkTenant(
  tenantId: string,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly CopyValue[]>,
): boolean {
  const at = columns.indexOf('tenant_id');
  if (at < 0) return false;
  for (const row of rows)
    if (row[at] !== tenantId)
      throw new Error(
        `copy-tx: a row of another tenant for ${table} refused (new row violates row-level security policy: tenant_id must be the transaction's tenant)`,
      );
  return true;
}

/** Whether the connection's session user bypasses row-level security (a superuser), once per connection. */
const bypassOf = new WeakMap<pg.PoolClient, boolean>();
async function sessionBypassesRls(client: pg.PoolClient): Promise<boolean> {
  let ok = bypassOf.get(client);
  if (ok === undefined) {
    const { rows } = await client.query<{ ok: boolean }>(
      'select rolsuper as ok from pg_roles where rolname = session_user',
    );
    ok = rows[0]?.ok === true;
    bypassOf.set(client, ok);
  }
  return ok;
}

/** A kysely instance whose only connection is this client (released by the caller, not by kysely). */
function onClient(client: pg.PoolClient): Kysely<Database> {
  const borrowed = { query: client.query.bind(client), release() {} };
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: { connect: async () => borrowed as never, end: async () => {} } }),
  });
}

// Table and column names come from our code (merge.ts), never from input.
const copySql = (table: string, columns: readonly string[], source: string) =>
  `copy ${table} (${columns.join(', ')}) from ${source} with (format text)`;

/*
 * COPY FROM refuses a table with row-level security (every tenant table has it, migration 017) to a
 * user the policy applies to, so for such a session user the rows land in a session temp table without indexes first and move with one INSERT … SELECT that
 * the tenant policy checks: a row of another tenant cannot get in even through a bug here.
 */
const temp = (table: string) => `copia_${table}`;
const tempTableSql = (table: string) =>
  `create temp table if not exists ${temp(table)} (like ${table} including defaults) on commit delete rows`;
/**
 * Each table is copied at most once per transaction (merge.ts), and ON COMMIT DELETE ROWS empties the
 * temp table at the end of it: the move needs no DELETE. A rollback also empties it.
 */
const moveSql = (table: string, columns: readonly string[]) =>
  `insert into ${table} (${columns.join(', ')}) select ${columns.join(', ')} from ${temp(table)}`;

/** The move reads the whole temp table, so a second COPY into one table in one transaction would repeat rows. */
function oneCopyPerTable(): (table: string) => void {
  const copied = new Set<string>();
  return (table) => {
    if (copied.has(table))
      throw new Error(`copy-tx: ${table} was already copied in this transaction (one COPY per table per transaction)`);
    copied.add(table);
  };
}

/**
 * Temp tables live as long as the session: create each once per pooled connection. A transaction that
 * fails releases its connection as broken (see run), so a table created in a rolled-back transaction is
 * never assumed to exist on a connection that is reused.
 */
const tempTablesOf = new WeakMap<pg.PoolClient, Set<string>>();
async function ensureTempTable(client: pg.PoolClient, table: string): Promise<void> {
  let made = tempTablesOf.get(client);
  if (!made) tempTablesOf.set(client, (made = new Set()));
  if (made.has(table)) return;
  await client.query(tempTableSql(table));
  made.add(table);
}

/**
 * COPY text format in 500-row pieces: tab-separated, NULL is \N, and only backslash, tab, newline and
 * carriage return need escaping — most values need none, and JSON (origem, extras) keeps its quotes as
 * they are, which CSV would have to double. Built with array joins, not `+=`: flat strings encode and
 * convert to bytes several times faster than rope strings.
 */
function* copyPieces(rows: ReadonlyArray<readonly CopyValue[]>): Generator<string> {
  let lines: string[] = [];
  for (const row of rows) {
    const fields = new Array<string>(row.length);
    for (let i = 0; i < row.length; i++) fields[i] = field(row[i]);
    lines.push(fields.join('\t'));
    if (lines.length === 500) {
      lines.push('');
      yield lines.join('\n');
      lines = [];
    }
  }
  if (lines.length) {
    lines.push('');
    yield lines.join('\n');
  }
}

function field(v: CopyValue): string {
  if (v === null || v === undefined) return '\\N';
  switch (typeof v) {
    case 'string':
      return escape(v);
    case 'boolean':
      return v ? 't' : 'f';
    case 'number':
      return String(v);
    default: {
      // jsonb rejects the \u0000 escape JSON.stringify writes for a NUL character: drop NULs then.
      const json = JSON.stringify(v);
      return escape(
        json.includes('\\u0000')
          ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' ? x.replace(/\u0000/g, '') : x))
          : json,
      );
    }
  }
}

// PostgreSQL text cannot hold NUL, which a hostile file may contain: it is dropped.
function escape(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(SPECIAL, (c) => ESCAPES[c]);
}
const NEEDS_ESCAPE = /[\\\t\n\r\u0000]/;
const SPECIAL = /[\\\t\n\r\u0000]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u0000': '' };
