import type { AuthLimits } from '../config.js';
import { AttemptLimiter } from './attempt-limiter.js';
import type { Checked } from './oauth.js';
import { hashToken, TOKEN_PREFIX_LENGTH, type Principal } from './tokens.js';

export type Verdict =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'invalid'; error?: OAuthRefusal; description?: string }
  | { ok: false; reason: 'rate_limited'; retryAfterMs: number };

/** How an OAuth access token was refused (RFC 6750 error codes): 401 invalid_token, 403 insufficient_scope. */
export type OAuthRefusal = 'invalid_token' | 'insufficient_scope';

/** The second kind of bearer token: OAuth access tokens (src/auth/oauth.ts). */
export interface AccessTokens {
  matches(token: string): boolean;
  check(token: string): Promise<Checked>;
}

/** What tokens.ts createToken hands out: "ada_" + 32 random bytes in base64url. */
const TOKEN_SHAPE = /^ada_[A-Za-z0-9_-]{43}$/;
const MAX_ENTRIES = 10_000;

type Kind = 'static' | 'oauth';
type Refused = { until: number; error?: OAuthRefusal; description?: string };
type Looked = { principal: Principal; until?: number } | { refused?: OAuthRefusal; description?: string };

/**
 * Bearer tokens → principals, asking the database (or checking a signature) as little as an attacker
 * can make it. Two kinds: our own static tokens (`token create`, looked up by hash) and, when
 * configured, OAuth access tokens (JWTs checked against the issuer's keys). Anything of neither shape
 * is not a token.
 *  - a verified token is trusted for `cacheTtlMs` (so a revocation takes effect within that time; a JWT
 *    never past its `exp`), then checked again — without counting against its client, since it was
 *    valid before;
 *  - a refused token is refused for `negativeTtlMs` without a query;
 *  - every failed authentication (no token, not token-shaped, unknown, revoked, expired, wrong
 *    audience, …) is counted per client address (and per prefix for static tokens): past `failLimit`
 *    per `failWindowMs` the client is refused at once (429, no query) until the window ends. A check
 *    holds one of those `failLimit` slots while it runs (attempt-limiter.ts), so 200 concurrent bad
 *    tokens cost at most `failLimit` checks;
 *  - concurrent checks of one token share one check.
 * Both caches are bounded (oldest out first) and keyed by the token's SHA-256, never the token.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, { principal: Principal; at: number; until?: number }>();
  private readonly refused = new Map<string, Refused>();
  private readonly pending = new Map<string, Promise<Looked>>();
  private readonly failures: AttemptLimiter;

  constructor(
    private readonly lookup: (token: string) => Promise<Principal | null>,
    private readonly limits: AuthLimits,
    private readonly now: () => number = Date.now,
    private readonly oauth?: AccessTokens,
  ) {
    this.failures = new AttemptLimiter({ limit: limits.failLimit, windowMs: limits.failWindowMs }, now);
  }

  /** `clientKey`: the caller's address key (attempt-limiter.ts addressKey); `token`: undefined when none was sent. */
  async verify(token: string | undefined, clientKey: string): Promise<Verdict> {
    const kind = this.kindOf(token);
    const hash = kind ? hashToken(token!) : null;
    const known = hash ? this.verified.get(hash) : undefined;
    if (known && this.fresh(known)) return { ok: true, principal: known.principal };
    // Seen valid before, cache expired: checked again, outside the failure budget (it is not a guess).
    if (known && hash) return this.answer(await this.check(token!, hash, kind!));

    const keys = kind === 'static' ? [clientKey, `prefix:${token!.slice(0, TOKEN_PREFIX_LENGTH)}`] : [clientKey];
    const blocked = this.failures.blockedFor(keys);
    if (blocked > 0) return { ok: false, reason: 'rate_limited', retryAfterMs: blocked };
    const refusal = hash ? this.refused.get(hash) : undefined;
    if (!kind || !hash || (refusal && refusal.until > this.now())) {
      this.failures.fail(keys);
      return this.answer(refusal ?? {});
    }
    // A check of this very token already running: join it (its failure counts for this request too).
    const running = this.pending.get(hash);
    if (running) {
      const looked = await running;
      if (!('principal' in looked)) this.failures.fail(keys);
      return this.answer(looked);
    }
    const slot = await this.failures.acquire(keys);
    if (!slot.ok) return { ok: false, reason: 'rate_limited', retryAfterMs: slot.retryAfterMs };
    const settled = this.settled(hash);
    if (settled) {
      // Decided while this request waited for a slot.
      slot.release('principal' in settled ? 'ok' : 'failed');
      return this.answer(settled);
    }
    try {
      const looked = await this.check(token!, hash, kind);
      slot.release('principal' in looked ? 'ok' : 'failed');
      return this.answer(looked);
    } catch (err) {
      slot.release('ok'); // the database or the issuer failed, not the client
      throw err;
    }
  }

  private kindOf(token: string | undefined): Kind | undefined {
    if (token === undefined) return undefined;
    if (TOKEN_SHAPE.test(token)) return 'static';
    return this.oauth?.matches(token) ? 'oauth' : undefined;
  }

  private fresh(v: { at: number; until?: number }): boolean {
    const now = this.now();
    return now - v.at < this.limits.cacheTtlMs && (v.until === undefined || now < v.until);
  }

  /** What the caches already say about a token, if anything. */
  private settled(hash: string): Looked | undefined {
    const v = this.verified.get(hash);
    if (v) return v;
    const r = this.refused.get(hash);
    return r && r.until > this.now() ? { refused: r.error, description: r.description } : undefined;
  }

  /** One check per token at a time: concurrent checks of the same token share it. */
  private check(token: string, hash: string, kind: Kind): Promise<Looked> {
    let pending = this.pending.get(hash);
    if (!pending) {
      const run: Promise<Looked> =
        kind === 'static'
          ? this.lookup(token).then((principal): Looked => (principal ? { principal } : {}))
          : this.oauth!.check(token).then((c): Looked =>
              'principal' in c ? c : { refused: c.refused, description: c.description },
            );
      pending = run.then((looked) => {
        this.record(hash, looked);
        return looked;
      });
      this.pending.set(hash, pending);
      pending.finally(() => this.pending.delete(hash)).catch(() => {});
    }
    return pending;
  }

  private answer(looked: Looked | Refused): Verdict {
    if ('principal' in looked) return { ok: true, principal: looked.principal };
    const error = 'error' in looked ? looked.error : 'refused' in looked ? looked.refused : undefined;
    const { description } = looked;
    return error ? { ok: false, reason: 'invalid', error, description } : { ok: false, reason: 'invalid' };
  }

  private record(hash: string, looked: Looked): void {
    this.verified.delete(hash);
    this.refused.delete(hash);
    if ('principal' in looked) {
      this.verified.set(hash, { principal: looked.principal, at: this.now(), until: looked.until });
      trim(this.verified);
    } else {
      this.refused.set(hash, {
        until: this.now() + this.limits.negativeTtlMs,
        error: looked.refused,
        description: looked.description,
      });
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
