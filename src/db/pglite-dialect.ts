import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { WITH_NEXT } from './deferred-begin.js';
import { executeStatement, FINAL_MARK, PREPARE_MARK, statementName } from './prepared.js';

/** A final statement (finalRead), alone or marked prepared too. */
const isFinal = (text: string) => text.startsWith(FINAL_MARK) || text.startsWith(`${PREPARE_MARK} ${FINAL_MARK}`);

/**
 * A kysely dialect for PGlite.
 *
 * PGlite is one connection. The npm dialects let a second caller's statement run inside the first
 * caller's open transaction (STACK.md), so this driver hands out that single connection to one
 * caller at a time: `acquireConnection` waits in a FIFO queue until the previous holder releases it.
 * A transaction therefore owns the database until it commits or rolls back.
 *
 * @example
 * const db = new Kysely<Database>({ dialect: new PGliteDialect(await PGlite.create('./data')) });
 */
export interface PGliteDialectConfig {
  /** Called each time a caller gets the connection, before its first statement (like kysely's pg dialect). */
  onReserveConnection?: (connection: DatabaseConnection) => Promise<void>;
}

export class PGliteDialect implements Dialect {
  constructor(
    private readonly pglite: PGlite,
    private readonly config: PGliteDialectConfig = {},
  ) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite, this.config);
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;
  private queue: Promise<void> = Promise.resolve();
  private releaseCurrent: (() => void) | null = null;

  constructor(
    pglite: PGlite,
    private readonly config: PGliteDialectConfig,
  ) {
    this.connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.releaseCurrent = release;
    try {
      await this.config.onReserveConnection?.(this.connection);
    } catch (err) {
      this.releaseCurrent = null;
      release();
      throw err;
    }
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.releaseCurrent;
    this.releaseCurrent = null;
    release?.();
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let text = 'begin';
    if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) text += ` ${settings.accessMode}`;
    // A read-only transaction's begin waits for its first statement (one call to PGlite instead of several).
    if (settings.accessMode === 'read only' && conn instanceof PGliteConnection) conn.holdBegin(text);
    else await conn.executeQuery(CompiledQuery.raw(text));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    if (conn instanceof PGliteConnection && !conn.endHeld()) return;
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    if (conn instanceof PGliteConnection && !conn.endHeld()) return;
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  // Savepoint names come from kysely's own API (identifiers chosen by our code), never from input.
  async savepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdent(name)}`));
  }

  async rollbackToSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdent(name)}`));
  }

  async releaseSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdent(name)}`));
  }

  async destroy(): Promise<void> {}
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * PGlite's one connection. Statements marked with prepared() (db/prepared.ts) run as SQL-level prepared
 * statements: `prepare s_… as <text>` once per database, then `execute s_…('v1', …)`. PGlite (PostgreSQL
 * in WASM) plans a statement of several CTEs in 30–60 ms, and decide_channel's runs on every call; a
 * prepared one keeps its generic plan (after five custom ones, when it costs no more). A prepared
 * statement outlives a rolled-back transaction, so once made it stays for this connection.
 */
class PGliteConnection implements DatabaseConnection {
  private readonly preparedNames = new Set<string>();
  /**
   * A read-only transaction begun by holdBegin, as on PostgreSQL (db/deferred-begin.ts): its begin (and
   * WITH_NEXT statements) wait in `held` and go with its next statement in one exec(); its final
   * statement (db/prepared.ts finalRead) takes the commit along when it can share that call.
   */
  private held: string[] = [];
  private readOnly = false;
  private final: 'no' | 'sent' | 'committed' = 'no';

  constructor(private readonly pglite: PGlite) {}

  holdBegin(text: string): void {
    Object.assign(this, { held: [text], readOnly: true, final: 'no' });
  }

  /** Ends the transaction's bookkeeping; false when there is nothing to send (never begun, or committed). */
  endHeld(): boolean {
    const send = !this.held.length && this.final !== 'committed';
    Object.assign(this, { held: [], readOnly: false, final: 'no' });
    return send;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.readOnly) return this.run<R>(compiled);
    if (this.final !== 'no') throw new Error('A statement after the final statement of a read-only transaction');
    const params = compiled.parameters as unknown[];
    if (this.held.length && !params.length && compiled.sql.startsWith(WITH_NEXT)) {
      this.held.push(compiled.sql);
      return { rows: [] };
    }
    const final = isFinal(compiled.sql);
    if (final) this.final = 'sent';
    if (!this.held.length && !final) return this.run<R>(compiled);
    const name = compiled.sql.startsWith(PREPARE_MARK) ? statementName(compiled.sql) : undefined;
    const inline = name
      ? this.preparedNames.has(name)
        ? executeStatement(name, params)
        : undefined
      : !params.length && !isMultiStatement(compiled.sql)
        ? compiled.sql
        : undefined;
    const held = this.held;
    this.held = [];
    if (inline === undefined) {
      if (held.length) await this.pglite.exec(held.join(';\n'));
      return this.run<R>(compiled);
    }
    const results = await this.pglite.exec([...held, inline, ...(final ? ['commit'] : [])].join(';\n'));
    if (final) this.final = 'committed';
    // The statement's result: the last one, or the one before the commit (a held text may hold several
    // statements, the tenant scope's `set local`s).
    const r = results[results.length - (final ? 2 : 1)]!;
    return { rows: r.rows as R[], numAffectedRows: r.affectedRows === undefined ? undefined : BigInt(r.affectedRows) };
  }

  private async run<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const params = compiled.parameters as unknown[];
    if (compiled.sql.startsWith(PREPARE_MARK)) {
      const name = statementName(compiled.sql);
      const execute = name && executeStatement(name, params);
      if (name && execute) {
        if (!this.preparedNames.has(name)) {
          await this.pglite.query(`prepare ${name} as ${compiled.sql}`);
          this.preparedNames.add(name);
        }
        return resultOf<R>(await this.pglite.query<R>(execute));
      }
    }
    // A parameterless script with several statements (migration files) needs exec(): query()
    // runs exactly one statement.
    if (params.length === 0 && isMultiStatement(compiled.sql)) {
      const results = await this.pglite.exec(compiled.sql);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as R[], numAffectedRows: BigInt(last?.affectedRows ?? 0) };
    }
    return resultOf<R>(await this.pglite.query<R>(compiled.sql, params));
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(compiled);
  }
}

function resultOf<R>(result: { rows: R[]; affectedRows?: number }): QueryResult<R> {
  return {
    rows: result.rows,
    numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
  };
}

function isMultiStatement(text: string): boolean {
  const trimmed = text.trim().replace(/;+\s*$/, '');
  return trimmed.includes(';');
}
