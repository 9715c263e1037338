/** Who opened a session: caps are counted per token and per tenant. */
export interface SessionOwner {
  tokenId: string;
  tenantId: string;
}

export interface Session<T> {
  readonly id: string;
  readonly owner: SessionOwner;
  /** The session's transport and server; set once they are built. */
  value?: T;
  lastSeen: number;
  /** Requests of this session in progress (an open GET stream counts): a busy session is never evicted. */
  active: number;
}

export interface SessionLimits {
  maxSessions: number;
  maxSessionsPerTenant: number;
  maxSessionsPerToken: number;
  sessionIdleMs: number;
}

export type Admission<T> =
  { ok: true; session: Session<T> } | { ok: false; status: 429 | 503; retryAfterS: number; message: string };

/** Busy sessions free up when their requests end: a few seconds is the honest guess. */
const RETRY_AFTER_S = 5;

/**
 * The open MCP sessions of the HTTP server, capped per token, per tenant and in total. Opening one more
 * when a cap is reached closes the oldest idle session within that cap (the same token's first, so a
 * client that never sends DELETE recycles its own sessions, not other people's); when every session in
 * the cap is busy, the caller is refused (429 for a token or tenant cap, 503 for the server's) with
 * Retry-After. Sessions idle for `sessionIdleMs` are closed by sweep().
 *
 * Each scope is a Map in order of last use (touch = delete + set), so the oldest idle session is found
 * from the front, and nothing grows without bound.
 */
export class SessionRegistry<T> {
  private readonly all = new Map<string, Session<T>>();
  private readonly byToken = new Map<string, Map<string, Session<T>>>();
  private readonly byTenant = new Map<string, Map<string, Session<T>>>();

  constructor(
    private readonly limits: SessionLimits,
    /** Closes what an evicted or expired session holds; the session is already gone from the registry. */
    private readonly close: (session: Session<T>, why: 'evicted' | 'expired') => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserves a session for `owner`, closing old idle sessions to make room, or says why not. */
  open(id: string, owner: SessionOwner): Admission<T> {
    const caps: Array<[Map<string, Session<T>> | undefined, number, string, 429 | 503]> = [
      [this.byToken.get(owner.tokenId), this.limits.maxSessionsPerToken, 'this token', 429],
      [this.byTenant.get(owner.tenantId), this.limits.maxSessionsPerTenant, 'this tenant', 429],
      [this.all, this.limits.maxSessions, 'this server', 503],
    ];
    for (const [scope, max, who, status] of caps) {
      while (scope && scope.size >= max) {
        const idle = oldestIdle(scope);
        if (!idle) {
          return {
            ok: false,
            status,
            retryAfterS: RETRY_AFTER_S,
            message:
              `Too many MCP sessions open for ${who} (${max}), all of them busy. Close sessions you no longer ` +
              `use (HTTP DELETE /mcp with their Mcp-Session-Id) or retry after ${RETRY_AFTER_S} s.`,
          };
        }
        this.remove(idle);
        this.close(idle, 'evicted');
      }
    }
    const session: Session<T> = { id, owner, lastSeen: this.now(), active: 0 };
    this.all.set(id, session);
    scopeOf(this.byToken, owner.tokenId).set(id, session);
    scopeOf(this.byTenant, owner.tenantId).set(id, session);
    return { ok: true, session };
  }

  get(id: string): Session<T> | undefined {
    return this.all.get(id);
  }

  /** A request of the session starts; returns the function that marks its end. */
  begin(session: Session<T>): () => void {
    session.active++;
    this.touch(session);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      session.active--;
      this.touch(session);
    };
  }

  /** Forgets a session (closed by its client, or its initialize failed). */
  delete(id: string): void {
    const s = this.all.get(id);
    if (s) this.remove(s);
  }

  /** Closes sessions idle for longer than sessionIdleMs; returns how many. */
  sweep(): number {
    const cutoff = this.now() - this.limits.sessionIdleMs;
    const expired: Session<T>[] = [];
    for (const s of this.all.values()) {
      if (s.lastSeen > cutoff) break; // in order of last use: the rest are more recent
      if (s.active === 0) expired.push(s);
    }
    for (const s of expired) {
      this.remove(s);
      this.close(s, 'expired');
    }
    return expired.length;
  }

  get size(): number {
    return this.all.size;
  }

  values(): IterableIterator<Session<T>> {
    return this.all.values();
  }

  private touch(s: Session<T>): void {
    if (!this.all.has(s.id)) return;
    s.lastSeen = this.now();
    for (const scope of [this.all, this.byToken.get(s.owner.tokenId), this.byTenant.get(s.owner.tenantId)]) {
      scope?.delete(s.id);
      scope?.set(s.id, s);
    }
  }

  private remove(s: Session<T>): void {
    this.all.delete(s.id);
    for (const [index, key] of [
      [this.byToken, s.owner.tokenId],
      [this.byTenant, s.owner.tenantId],
    ] as const) {
      const scope = index.get(key);
      scope?.delete(s.id);
      if (scope?.size === 0) index.delete(key);
    }
  }
}

function oldestIdle<T>(scope: Map<string, Session<T>>): Session<T> | undefined {
  for (const s of scope.values()) if (s.active === 0) return s;
  return undefined;
}

function scopeOf<T>(index: Map<string, Map<string, Session<T>>>, key: string): Map<string, Session<T>> {
  let scope = index.get(key);
  if (!scope) index.set(key, (scope = new Map()));
  return scope;
}
