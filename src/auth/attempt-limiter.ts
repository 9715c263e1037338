/**
 * Failed authentications per key ("addr:…", "prefix:…"), in fixed windows: past `limit` failures in a
 * window the key is blocked until the window ends. A database lookup of a token not seen valid holds a
 * slot while it runs: failures plus lookups in flight never pass `limit`, so 200 concurrent bad tokens
 * from one address reach the database `limit` times, not 200. Lookups past the slots wait for one (a
 * lookup takes milliseconds), so many valid tokens first seen at once from one address (a proxy, an
 * orchestrator starting its clients) are delayed, not refused.
 *
 * @example
 * const limiter = new AttemptLimiter({ limit: 10, windowMs: 60_000 });
 * const slot = await limiter.acquire(['addr:10.0.0.7', 'prefix:ada_AbCdEfGh']);
 * if (slot.ok) slot.release(tokenWasValid ? 'ok' : 'failed'); // else: 429, retry after slot.retryAfterMs
 */
export class AttemptLimiter {
  private readonly keys = new Map<string, KeyState>();

  constructor(
    private readonly opts: { limit: number; windowMs: number; maxKeys?: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** How long the keys are blocked for (0: not blocked). */
  blockedFor(keys: readonly string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const s = this.keys.get(key);
      if (s && s.resetAt > now && s.failures >= this.opts.limit) wait = Math.max(wait, s.resetAt - now);
    }
    return wait;
  }

  /** Counts a failure that needed no lookup (no token, malformed, known bad). */
  fail(keys: readonly string[]): void {
    for (const key of keys) this.state(key).failures++;
    this.bound();
  }

  /** A slot for one lookup, once failures + lookups in flight leave room on every key; or how long to wait. */
  async acquire(
    keys: readonly string[],
  ): Promise<{ ok: true; release(outcome: 'ok' | 'failed'): void } | { ok: false; retryAfterMs: number }> {
    for (;;) {
      const blocked = this.blockedFor(keys);
      if (blocked > 0) return { ok: false, retryAfterMs: blocked };
      const states = keys.map((k) => this.state(k));
      if (states.every((s) => s.failures + s.inflight < this.opts.limit)) {
        for (const s of states) s.inflight++;
        let released = false;
        return {
          ok: true,
          release: (outcome) => {
            if (released) return;
            released = true;
            for (const s of states) {
              s.inflight--;
              if (outcome === 'failed') s.failures++;
              s.waiters.splice(0).forEach((wake) => wake());
            }
            this.bound();
          },
        };
      }
      const full = states.find((s) => s.failures + s.inflight >= this.opts.limit)!;
      await new Promise<void>((wake) => full.waiters.push(wake));
    }
  }

  get size(): number {
    return this.keys.size;
  }

  private state(key: string): KeyState {
    const now = this.now();
    let s = this.keys.get(key);
    if (s && s.resetAt <= now) {
      // A new window: failures start again; lookups in flight and their waiters carry over.
      s.failures = 0;
      s.resetAt = now + this.opts.windowMs;
      this.keys.delete(key);
      this.keys.set(key, s); // the map stays in order of window start
    }
    if (!s) this.keys.set(key, (s = { failures: 0, inflight: 0, resetAt: now + this.opts.windowMs, waiters: [] }));
    return s;
  }

  /** Many addresses (a botnet, IPv6 ranges) must not grow the map without end: expired keys go first, then the oldest. */
  private bound(): void {
    const now = this.now();
    const max = this.opts.maxKeys ?? 50_000;
    if (this.keys.size <= max) return;
    for (const [key, s] of this.keys) {
      if (this.keys.size <= max * 0.9) break;
      if (s.inflight > 0 || s.waiters.length) continue;
      if (s.resetAt <= now || this.keys.size > max) this.keys.delete(key);
    }
  }
}

interface KeyState {
  failures: number;
  inflight: number;
  resetAt: number;
  waiters: Array<() => void>;
}

/**
 * The key of a client address: IPv4 as it is, IPv6 by its /64 (one host usually owns a whole /64, so
 * per-address limits on single IPv6 addresses would be free to dodge).
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'addr:unknown';
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return `addr:${v4[1]}`;
  if (!address.includes(':')) return `addr:${address}`;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `addr:${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
