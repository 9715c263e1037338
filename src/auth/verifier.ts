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
 *    (429, no hashing, no query) until the window ends. A lookup takes its count up front — so 200
 *    concurrent bad tokens cost at most `failLimit` queries — and hands it back if the token is valid;
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
    this.failures = new AttemptLimiter({ limit: limits.failLimit, windowMs: limits.failWindowMs });
  }

  /** `clientKey`: the caller's address key (attempt-limiter.ts addressKey); `token`: undefined when none was sent. */
  async verify(token: string | undefined, clientKey: string): Promise<Verdict> {
    const shaped = token !== undefined && TOKEN_SHAPE.test(token);
    const hash = shaped ? hashToken(token) : null;
    const now = this.now();
    const known = hash ? this.verified.get(hash) : undefined;
    if (known && now - known.at < this.limits.cacheTtlMs) return { ok: true, principal: known.principal };

    const keys = shaped ? [clientKey, `prefix:${token.slice(0, TOKEN_PREFIX_LENGTH)}`] : [clientKey];
    // A check already running for this token is joined (its outcome counted after); otherwise a token
    // not seen valid takes its failure up front.
    let check = hash ? this.pending.get(hash) : undefined;
    const counted = !known && !check;
    if (counted) {
      const took = this.failures.take(keys, now);
      if (!took.ok) return { ok: false, reason: 'rate_limited', retryAfterMs: took.retryAfterMs };
    }
    if (!shaped || !hash) return { ok: false, reason: 'invalid' };
    const refusedUntil = this.refused.get(hash);
    if (refusedUntil !== undefined && refusedUntil > now) return { ok: false, reason: 'invalid' };

    if (!check) {
      check = this.lookup(token).then((principal) => {
        this.record(hash, principal);
        return principal;
      });
      this.pending.set(hash, check);
      check.finally(() => this.pending.delete(hash)).catch(() => {});
    }
    const principal = await check;
    if (!principal) {
      if (!counted && !known) this.failures.take(keys, this.now());
      return { ok: false, reason: 'invalid' };
    }
    if (counted) this.failures.giveBack(keys);
    return { ok: true, principal };
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
