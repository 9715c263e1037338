import type pg from 'pg';

/**
 * One round trip less per transaction on PostgreSQL: kysely's `begin` is held back and sent with the
 * transaction's first statement, as one simple-protocol message (`begin; <statement>`), when that
 * statement has no parameters — withTenant's and withSystem's set_config statements are written so.
 * Over loopback on a VM each round trip costs both processes a wake-up, more than a short statement.
 *
 * Order is kept: a first statement with parameters (or a COPY stream, or a callback call) is queued
 * right behind a plain `begin`, as before. A transaction that ends before any statement sends
 * nothing at all. A client checked out again forgets a `begin` still held (forgetHeldBegin on the
 * pool's 'acquire').
 */

type Query = (...args: unknown[]) => unknown;
type Result = { command: string; rowCount: number | null; rows: unknown[] };

const plain = (command: string): Promise<Result> => Promise.resolve({ command, rowCount: null, rows: [] });

const heldOn = new WeakMap<pg.ClientBase, { held: boolean }>();

/** Drops a `begin` still held on this client (when the pool hands it out again). */
export function forgetHeldBegin(client: pg.ClientBase): void {
  const state = heldOn.get(client);
  if (state) state.held = false;
}

export function deferBegin(client: pg.ClientBase): void {
  const query = client.query.bind(client) as Query;
  const state = { held: false };
  heldOn.set(client, state);
  (client as unknown as { query: Query }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const simple = typeof text === 'string' && args.length <= 2 && (values === undefined || Array.isArray(values));
    if (simple && text === 'begin' && !(values as unknown[] | undefined)?.length && !state.held) {
      state.held = true;
      return plain('BEGIN');
    }
    if (!state.held) return query(...args);
    state.held = false;
    if (simple && (text === 'commit' || text === 'rollback')) return plain(text.toUpperCase());
    if (simple && !(values as unknown[] | undefined)?.length) {
      // Two results come back (BEGIN, then the statement's): the caller gets the statement's.
      return (query(`begin; ${text as string}`) as Promise<Result[]>).then((rs) => rs[rs.length - 1]);
    }
    // The held begin goes first; statements on one client run in order. Its failure (a broken
    // connection) fails the statement behind it too, which is what the caller then sees.
    (query('begin') as Promise<unknown>).catch(() => {});
    return query(...args);
  };
}
