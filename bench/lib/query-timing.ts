/**
 * Wall time per SQL statement, measured from the client: wraps pg's Client#query (PostgreSQL) or the
 * PGlite instance's query (PGlite) in this process only. Statements are keyed by their text (parameters
 * are placeholders, so every chunk's merge maps to the same keys). src/ is not touched. Call it right
 * after openDb, before any statement: a pg client binds its query method when it connects (prepared.ts,
 * deferred-begin.ts wrap it), so a client connected earlier keeps the untimed one.
 */
import pg from 'pg';
import type { Db } from '../../src/db/connect.js';

export type QueryStats = Map<string, { label: string; calls: number; ms: number }>;

export function instrumentQueries(db: Db): { stats(): QueryStats; reset(): void } {
  const stats: QueryStats = new Map();
  const record = (text: string, ms: number) => {
    // A transaction's held begin and tenant scope travel with its next statement (db/deferred-begin.ts):
    // keyed by that statement.
    const key = text
      .replace(/\s+/g, ' ')
      .replace(/^(?:(?:begin|start transaction)[^;]*; |\/\*with-next\*\/[^;]*; )+/i, '')
      .trim();
    let s = stats.get(key);
    if (!s) stats.set(key, (s = { label: `#${stats.size + 1} ${key.slice(0, 110)}`, calls: 0, ms: 0 }));
    s.calls++;
    s.ms += ms;
  };
  const timed = <T>(text: string | undefined, result: T): T => {
    if (!text || !result || typeof (result as { then?: unknown }).then !== 'function') return result;
    const t0 = performance.now();
    (result as unknown as Promise<unknown>).then(
      () => record(text, performance.now() - t0),
      () => record(text, performance.now() - t0),
    );
    return result;
  };
  if (db.kind === 'postgres') {
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    proto.query = function (this: unknown, ...args: unknown[]) {
      const cfg = args[0] as string | { text?: string } | undefined;
      return timed(typeof cfg === 'string' ? cfg : cfg?.text, original.apply(this, args));
    };
  } else {
    const lite = db.pglite! as unknown as Record<'query' | 'exec', (...args: unknown[]) => Promise<unknown>>;
    for (const method of ['query', 'exec'] as const) {
      const original = lite[method].bind(lite);
      lite[method] = (...args: unknown[]) => timed(args[0] as string, original(...args));
    }
  }
  return { stats: () => stats, reset: () => stats.clear() };
}
