/**
 * Fixed-window counters per key ("addr:…", "prefix:…"): at most `limit` takes per key per window.
 * Used for database lookups of tokens not seen valid before, so a flood of bad tokens costs the database
 * `limit` lookups per client address per window, not one each. A take is handed back when the token
 * turns out valid: only failures use up a client's budget.
 *
 * @example
 * const limiter = new AttemptLimiter({ limit: 10, windowMs: 60_000 });
 * limiter.take(['addr:10.0.0.7', 'prefix:ada_AbCdEfGh'], Date.now()); // { ok: true } ten times, then
 * // { ok: false, retryAfterMs: 59_812 }
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly opts: { limit: number; windowMs: number; maxKeys?: number }) {}

  /** Takes one attempt from every key, or none when any key is used up (then: how long until it frees). */
  take(keys: readonly string[], now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    let wait = 0;
    for (const key of keys) {
      const w = this.windows.get(key);
      if (w && w.resetAt > now && w.count >= this.opts.limit) wait = Math.max(wait, w.resetAt - now);
    }
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    for (const key of keys) {
      let w = this.windows.get(key);
      if (!w || w.resetAt <= now) {
        this.windows.delete(key); // re-inserted at the end: the map stays in order of window start
        this.windows.set(key, (w = { count: 0, resetAt: now + this.opts.windowMs }));
      }
      w.count++;
    }
    this.bound(now);
    return { ok: true };
  }

  /** Hands back one attempt per key (the token was valid). */
  giveBack(keys: readonly string[]): void {
    for (const key of keys) {
      const w = this.windows.get(key);
      if (w && w.count > 0) w.count--;
    }
  }

  get size(): number {
    return this.windows.size;
  }

  /** Many addresses (a botnet, IPv6 ranges) must not grow the map without end: expired windows go first, then the oldest. */
  private bound(now: number): void {
    const max = this.opts.maxKeys ?? 50_000;
    if (this.windows.size <= max) return;
    for (const [key, w] of this.windows) {
      if (this.windows.size <= max * 0.9) break;
      if (w.resetAt <= now || this.windows.size > max) this.windows.delete(key);
    }
  }
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
