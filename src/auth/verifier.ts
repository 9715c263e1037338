import type { AuthLimits } from '../config.js';
import { AttemptLimiter } from './attempt-limiter.js';
import { hashToken, TOKEN_PREFIX_LENGTH, type Principal } from './tokens.js';

export type Verdict =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfterMs: number };

/** What tokens.ts createToken hands out: "ada_" + 32 random bytes in base64url. Anything else is not a token. */
const TOKEN_SHAPE = /^ada_[A-Za-z0-9_-]{43}$/;
const MAX_ENTRIES = 10_000;

/**
 * Bearer tokens → principals, asking the database as little as an attacker can make it:
 *  - a verified token is trusted for `cacheTtlMs` (so a revocation takes effect within that time), then
 *    checked again — without counting against its client, since it was valid before;
 *  - an unknown or revoked token is refused for `negativeTtlMs` without a query;
 *  - every failed authentication (no token, not token-shaped, unknown, revoked) is counted per client
 *    address and per token prefix: past `failLimit` per `failWindowMs` the client is refused at once
 *    (429, no query) until the window ends. A lookup holds one of those `failLimit` slots while it runs
 *    (attempt-limiter.ts), so 200 concurrent bad tokens cost at most `failLimit` queries;
 *  - concurrent checks of one token share one query.
 * Both caches are bounded (oldest out first) and keyed by the token's SHA-256, never the token.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, { principal: Principal; at: number }>();
  private readonly refused = new Map<string, number>();
  private readonly pending = new Map<string, Promise<Principal | null>>();
  private readonly failures: AttemptLimiter;

  constructor(
    private readonly lookup: (token: string) => Promise<Principal | null>,
    private readonly limits: AuthLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.failures = new AttemptLimiter({ limit: limits.failLimit, windowMs: limits.failWindowMs }, now);
  }

  /** `clientKey`: the caller's address key (attempt-limiter.ts addressKey); `token`: undefined when none was sent. */
  async verify(token: string | undefined, clientKey: string): Promise<Verdict> {
    const shaped = token !== undefined && TOKEN_SHAPE.test(token);
    const hash = shaped ? hashToken(token) : null;
    const known = hash ? this.verified.get(hash) : undefined;
    if (known && this.now() - known.at < this.limits.cacheTtlMs) return { ok: true, principal: known.principal };
    // Seen valid before, cache expired: checked again, outside the failure budget (it is not a guess).
    if (known && hash) return this.answer(await this.check(token!, hash));

    const keys = shaped ? [clientKey, `prefix:${token.slice(0, TOKEN_PREFIX_LENGTH)}`] : [clientKey];
    const blocked = this.failures.blockedFor(keys);
    if (blocked > 0) return { ok: false, reason: 'rate_limited', retryAfterMs: blocked };
    const refusedUntil = hash ? this.refused.get(hash) : undefined;
    if (!shaped || !hash || (refusedUntil !== undefined && refusedUntil > this.now())) {
      this.failures.fail(keys);
      return { ok: false, reason: 'invalid' };
    }
    // A lookup of this very token already running: join it (its failure counts for this request too).
    const running = this.pending.get(hash);
    if (running) {
      const principal = await running;
      if (!principal) this.failures.fail(keys);
      return this.answer(principal);
    }
    const slot = await this.failures.acquire(keys);
    if (!slot.ok) return { ok: false, reason: 'rate_limited', retryAfterMs: slot.retryAfterMs };
    const settled = this.verified.get(hash) ?? ((this.refused.get(hash) ?? 0) > this.now() ? null : undefined);
    if (settled !== undefined) {
      // Decided while this request waited for a slot.
      slot.release(settled ? 'ok' : 'failed');
      return this.answer(settled?.principal ?? null);
    }
    try {
      const principal = await this.check(token, hash);
      slot.release(principal ? 'ok' : 'failed');
      return this.answer(principal);
    } catch (err) {
      slot.release('ok'); // the database failed, not the client
      throw err;
    }
  }

  /** One lookup per token at a time: concurrent checks of the same token share it. */
  private check(token: string, hash: string): Promise<Principal | null> {
    let pending = this.pending.get(hash);
    if (!pending) {
      pending = this.lookup(token).then((principal) => {
        this.record(hash, principal);
        return principal;
      });
      this.pending.set(hash, pending);
      pending.finally(() => this.pending.delete(hash)).catch(() => {});
    }
    return pending;
  }

  private answer(principal: Principal | null): Verdict {
    return principal ? { ok: true, principal } : { ok: false, reason: 'invalid' };
  }

  private record(hash: string, principal: Principal | null): void {
    this.verified.delete(hash);
    this.refused.delete(hash);
    if (principal) {
      this.verified.set(hash, { principal, at: this.now() });
      trim(this.verified);
    } else {
      this.refused.set(hash, this.now() + this.limits.negativeTtlMs);
      trim(this.refused);
    }
  }
}

function trim(map: Map<string, unknown>): void {
  for (const key of map.keys()) {
    if (map.size <= MAX_ENTRIES) return;
    map.delete(key);
  }
}
