import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { withSystem, withTenant } from '../db/tenant.js';

/** Who opened a session: caps are counted per owner (a token, an OAuth subject) and per tenant. */
export interface SessionOwner {
  /** 'token:<token_id>', 'oauth:<subject>' or 'none'. */
  owner: string;
  tenantId: string;
}

export interface SessionLimits {
  maxSessions: number;
  maxSessionsPerTenant: number;
  maxSessionsPerToken: number;
  sessionIdleMs: number;
}

// Any constant: it only has to be the same in every replica (opening sessions is serialised on it).
const OPEN_LOCK_KEY = 7_310_442_030;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_CACHED = 10_000;

/**
 * The MCP sessions of clients that speak 2025-11-25, in the database (migration 030) so that every
 * replica of `serve --http` knows every session: a load balancer may send any request anywhere, and a
 * replica that dies loses none. A session is only an identity — who opened it, last used when — since
 * every request is served by a server built for it (src/http/mcp-endpoint.ts) and tools keep their
 * state in the tenant's tables.
 *
 * Bounds (SECURITY.md, "HTTP"): at most `maxSessionsPerToken` per owner, `maxSessionsPerTenant` per
 * tenant and `maxSessions` in total. Opening one more at a cap closes the least recently used session
 * within that cap — the same owner's first, so a client that never sends DELETE recycles its own
 * sessions, not other people's. A session idle for `sessionIdleMs` is gone. Nothing is refused: a
 * session holds no memory or stream in any process, and closing one never interrupts a request in
 * flight (it finishes on its own server); the client's next request gets 404 and it starts a new one.
 *
 * Each replica remembers for `cacheMs` the sessions it has just seen in use, so a busy session costs one
 * query per second per replica instead of one per request; a session closed (DELETE, eviction, expiry)
 * is refused by the other replicas within that time, by this one at once.
 */
export class SessionStore {
  private readonly seen = new Map<string, { owner: string; at: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly limits: SessionLimits,
    private readonly now: () => Date = () => new Date(),
    private readonly cacheMs = 1000,
  ) {}

  /** Records a new session for `who`, first closing what the caps require; returns how many were closed. */
  async open(id: string, who: SessionOwner): Promise<{ closed: number }> {
    const now = this.now();
    const cutoff = new Date(now.getTime() - this.limits.sessionIdleMs);
    const { maxSessionsPerToken, maxSessionsPerTenant, maxSessions } = this.limits;
    return withSystem(this.db, async (tx) => {
      await sql`select pg_advisory_xact_lock(${OPEN_LOCK_KEY})`.execute(tx);
      const gone = await tx
        .deleteFrom('mcp_sessions')
        .where('last_used_at', '<', cutoff)
        .returning('session_id')
        .execute();
      // Keep the newest (cap - 1) of each scope, in order: the owner's, then the tenant's, then all.
      for (const [scope, max] of [
        [sql`owner = ${who.owner}`, maxSessionsPerToken],
        [sql`tenant_id = ${who.tenantId}`, maxSessionsPerTenant],
        [sql`true`, maxSessions],
      ] as const) {
        const r = await sql<{ session_id: string }>`
          delete from mcp_sessions where session_id in (
            select session_id from mcp_sessions where ${scope}
            order by last_used_at desc, session_id offset ${max - 1})
          returning session_id`.execute(tx);
        gone.push(...r.rows);
      }
      // This replica refuses what it closed at once, not when its cache entry runs out.
      for (const { session_id } of gone) this.seen.delete(session_id);
      const closed = gone.length;
      await tx
        .insertInto('mcp_sessions')
        .values({ session_id: id, tenant_id: who.tenantId, owner: who.owner, created_at: now, last_used_at: now })
        .execute();
      this.remember(id, who.owner);
      return { closed };
    });
  }

  /**
   * Whether session `id` is open and belongs to `who` (marking it used). Another owner's session is
   * answered exactly like a missing one.
   */
  async use(id: string, who: SessionOwner): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const known = this.seen.get(id);
    if (known && known.owner === who.owner && Date.now() - known.at < this.cacheMs) return true;
    const now = this.now();
    const row = await withTenant(this.db, who.tenantId, (tx) =>
      tx
        .updateTable('mcp_sessions')
        .set({ last_used_at: now })
        .where('session_id', '=', id)
        .where('owner', '=', who.owner)
        .where('last_used_at', '>=', new Date(now.getTime() - this.limits.sessionIdleMs))
        .returning('session_id')
        .executeTakeFirst(),
    );
    if (!row) {
      this.seen.delete(id);
      return false;
    }
    this.remember(id, who.owner);
    return true;
  }

  /** Closes session `id` of `who` (HTTP DELETE); false when there was none. */
  async close(id: string, who: SessionOwner): Promise<boolean> {
    this.seen.delete(id);
    if (!UUID.test(id)) return false;
    const row = await withTenant(this.db, who.tenantId, (tx) =>
      tx
        .deleteFrom('mcp_sessions')
        .where('session_id', '=', id)
        .where('owner', '=', who.owner)
        .returning('session_id')
        .executeTakeFirst(),
    );
    return !!row;
  }

  private remember(id: string, owner: string): void {
    this.seen.delete(id);
    this.seen.set(id, { owner, at: Date.now() });
    for (const key of this.seen.keys()) {
      if (this.seen.size <= MAX_CACHED) break;
      this.seen.delete(key);
    }
  }
}
