import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';

/**
 * Named prepared statements for the hot statements (the decision query, the tenant scope's set_config,
 * the decision context): PostgreSQL parses and plans a statement of several CTEs in 1.5–4 ms, and runs
 * it in ~0.2 ms. A statement marked with prepared() runs through pg's `{ name, text, values }` query
 * config, so each connection prepares it once and afterwards only binds and executes (PostgreSQL keeps
 * a generic plan after five custom ones when it costs no more).
 *
 * Only statements whose text is stable should be marked: parameters in place of anything that varies
 * (`= any($1::uuid[])`, never an IN list of varying length), since each distinct text is one statement
 * per connection. On PGlite they run as SQL-level `prepare`/`execute` (db/pglite-dialect.ts). Turned off with
 * AGENTE_PG_PREPARE=false (PostgreSQL), e.g. behind a PgBouncer in transaction mode older than 1.21.
 */

/** The comment a marked statement starts with. */
export const PREPARE_MARK = '/*prepared*/';

/** Marks a whole statement to run as a named prepared statement on PostgreSQL. */
export function prepared<T>(statement: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`${sql.raw(PREPARE_MARK)} ${statement}`;
}

/** At most this many distinct marked texts get a name (their names are remembered; the rest run unnamed). */
const MAX_NAMES = 500;
const names = new Map<string, string>();

/** The statement name of a marked text: a hash of the text, so one name never stands for two texts. */
export function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name) return name;
  if (names.size >= MAX_NAMES) return undefined;
  name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
  names.set(text, name);
  return name;
}

/**
 * Makes a pg client run marked statements as named prepared statements (called on each new pool
 * client). Everything else, and every call with a callback or a query object, passes through untouched.
 */
export function prepareMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (args.length === 2 && typeof text === 'string' && Array.isArray(values) && text.startsWith(PREPARE_MARK)) {
      const name = statementName(text);
      if (name) return query({ name, text, values });
    }
    return query(...args);
  };
}

/**
 * Marks the last statement of a read-only transaction (scope.tx(fn, { readOnly: true })): on PostgreSQL
 * its commit travels with it (db/deferred-begin.ts). Nothing may run in that transaction after it.
 */
export function finalRead<T>(statement: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`${sql.raw(FINAL_MARK)} ${statement}`;
}

/** The comment a final statement carries (after PREPARE_MARK when both). */
export const FINAL_MARK = '/*final*/';

const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(v: unknown): unknown };

/**
 * A marked statement already prepared on this client as SQL text that runs it — `execute s_…('v1', …)`,
 * each value as pg would send it, quoted as a literal — so that it can share a simple-protocol message
 * with other statements (one round trip). Undefined when it cannot: not marked, not prepared on this
 * connection yet, or a value that is not text (a Buffer) or holds a NUL.
 */
export function executeText(client: pg.ClientBase, text: string, values: unknown[]): string | undefined {
  if (!text.startsWith(PREPARE_MARK)) return undefined;
  const name = names.get(text);
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection
    ?.parsedStatements;
  if (!name || parsed?.[name] !== text) return undefined;
  return executeStatement(name, values);
}

/**
 * `execute name('v1', …)`: the prepared statement `name` run with these values, each as pg would send
 * it, quoted as a literal. Undefined when a value is not text (a Buffer) or holds a NUL.
 */
export function executeStatement(name: string, values: unknown[]): string | undefined {
  const literals: string[] = [];
  for (const v of values) {
    const p = prepareValue(v);
    if (p === null) literals.push('null');
    else if (typeof p !== 'string' || p.includes('\0')) return undefined;
    else literals.push(quote(p));
  }
  return literals.length ? `execute ${name}(${literals.join(', ')})` : `execute ${name}`;
}

/** A string as an SQL literal, as pg's escapeLiteral writes it (E'' when it holds a backslash), with native replaces. */
function quote(s: string): string {
  if (!s.includes('\\')) return `'${s.replaceAll("'", "''")}'`;
  return ` E'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}
