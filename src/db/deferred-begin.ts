import type pg from 'pg';
import { executeText, FINAL_MARK, PREPARE_MARK } from './prepared.js';

/**
 * Fewer round trips per transaction on PostgreSQL (the `pg` driver sends one message and waits for its
 * answer): over loopback on a VM each round trip costs both processes a wake-up, more than a short
 * statement. kysely's `begin` (or `start transaction read only`) is held back, and so is a statement
 * marked with WITH_NEXT (the tenant scope's set_config: its result is not read); they travel with the
 * transaction's next statement as one simple-protocol message (`begin; select set_config(…); <statement>`)
 * when that statement has no parameters or is a named prepared statement already prepared on this
 * connection, sent as `execute s_…('v1', …)` (prepared.ts executeText). The final statement of a
 * read-only transaction (prepared.ts finalRead) takes the `commit` along too: a read-only decision
 * is two round trips, begin + scope + context, then decision + commit.
 *
 * Order is kept: a statement that cannot join (the first run of a prepared statement, a COPY stream, a
 * callback call) is queued right behind the held ones, sent as one message. A transaction that ends
 * before any statement sends nothing at all. A client checked out again forgets what it still held
 * (forgetHeldBegin on the pool's 'acquire').
 */

/** The comment of a statement that may wait for the transaction's next one (its result is not read). */
export const WITH_NEXT = '/*with-next*/';

type Query = (...args: unknown[]) => unknown;
type Result = { command: string; rowCount: number | null; rows: unknown[] };

const plain = (command: string): Promise<Result> => Promise.resolve({ command, rowCount: null, rows: [] });

interface State {
  /** Statements not sent yet: the begin, then statements marked WITH_NEXT. */
  held: string[];
  /** Inside a transaction started through here, and whether it is read-only. */
  inTx: boolean;
  readOnly: boolean;
  /** The read-only transaction's final statement was sent ('sent'), with the commit ('committed'). */
  final: 'no' | 'sent' | 'committed';
}

const states = new WeakMap<pg.ClientBase, State>();
const fresh = (): State => ({ held: [], inTx: false, readOnly: false, final: 'no' });

/** Drops what is still held on this client (when the pool hands it out again). */
export function forgetHeldBegin(client: pg.ClientBase): void {
  if (states.has(client)) states.set(client, fresh());
}

const BEGIN = /^(begin|start transaction)( read only| read write)?$/;
const isFinal = (text: string) => text.startsWith(FINAL_MARK) || text.startsWith(`${PREPARE_MARK} ${FINAL_MARK}`);

export function deferBegin(client: pg.ClientBase): void {
  const query = client.query.bind(client) as Query;
  states.set(client, fresh());
  (client as unknown as { query: Query }).query = (...args: unknown[]) => {
    const state = states.get(client)!;
    const [text, values] = args;
    const simple = typeof text === 'string' && args.length <= 2 && (values === undefined || Array.isArray(values));
    if (simple && (text === 'commit' || text === 'rollback')) return endTx(state, query, text);
    if (state.final !== 'no')
      return Promise.reject(new Error('A statement after the final statement of a read-only transaction'));
    if (!simple) return sendAfterHeld(state, query, args);
    const params = (values as unknown[] | undefined) ?? [];
    if (!params.length && BEGIN.test(text) && !state.held.length && !state.inTx) {
      Object.assign(state, { held: [text], inTx: true, readOnly: text.endsWith(' read only') });
      return plain('BEGIN');
    }
    const final = state.readOnly && isFinal(text);
    if (final) state.final = 'sent';
    if (!state.held.length && !final) return query(...args);
    if (!params.length && text.startsWith(WITH_NEXT) && state.held.length) {
      state.held.push(text);
      return plain('SELECT');
    }
    const inline = params.length ? executeText(client, text, params) : text;
    if (inline === undefined) return sendAfterHeld(state, query, args);
    const parts = [...state.held, inline, ...(final ? ['commit'] : [])];
    state.held = [];
    if (parts.length === 1) return query(...args);
    return (query(parts.join('; ')) as Promise<Result[]>).then((rs) => {
      if (final) state.final = 'committed';
      // The statement's result: the last one, or the one before the commit.
      return rs[rs.length - (final ? 2 : 1)];
    });
  };
}

/**
 * kysely's commit or rollback: nothing to send when the transaction sent nothing yet or committed with
 * its final statement (a rollback then undoes nothing: the transaction was read-only).
 */
function endTx(state: State, query: Query, text: 'commit' | 'rollback'): Promise<unknown> {
  const sent = state.held.length === 0 && state.final !== 'committed';
  Object.assign(state, fresh());
  return sent ? (query(text) as Promise<unknown>) : plain(text.toUpperCase());
}

/**
 * Sends the held statements as one message, then the statement as it was asked (queued right behind:
 * statements on one client run in order). A failure of the held ones (a broken connection, a scope that
 * could not be set) is what the caller sees, and the statement behind them fails too.
 */
function sendAfterHeld(state: State, query: Query, args: unknown[]): unknown {
  if (!state.held.length) return query(...args);
  const held = query(state.held.join('; ')) as Promise<unknown>;
  state.held = [];
  const main = query(...args);
  if (!(main instanceof Promise)) {
    held.catch(() => {});
    return main;
  }
  return held.then(
    () => main,
    (e: unknown) => {
      main.catch(() => {});
      throw e;
    },
  );
}
