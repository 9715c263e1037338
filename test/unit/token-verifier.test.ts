import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addressKey, AttemptLimiter } from '../../src/auth/attempt-limiter.js';
import type { Principal } from '../../src/auth/tokens.js';
import type { Checked } from '../../src/auth/oauth.js';
import { TokenVerifier } from '../../src/auth/verifier.js';

const newToken = () => `ada_${randomBytes(32).toString('base64url')}`;
const LIMITS = { cacheTtlMs: 5_000, negativeTtlMs: 60_000, failLimit: 10, failWindowMs: 60_000 };
const principal = (id: string): Principal => ({
  token_id: id,
  tenant: { tenant_id: 't1', slug: 'acme', nome: 'acme' },
  scopes: ['read'],
});

/** A verifier over a fake token table that counts its lookups; the clock is ours. */
function setup(valid: string[] = []) {
  const table = new Map(valid.map((t, i) => [t, principal(`tok-${i}`)]));
  const clock = { t: 1_000_000 };
  let lookups = 0;
  const verifier = new TokenVerifier(
    async (token) => {
      lookups++;
      await new Promise((r) => setTimeout(r, 5)); // a database round trip: concurrent checks overlap
      return table.get(token) ?? null;
    },
    LIMITS,
    () => clock.t,
  );
  return { verifier, table, clock, lookups: () => lookups };
}

describe('TokenVerifier', () => {
  it('asks the database once per token per cacheTtlMs, and a revocation takes effect within it', async () => {
    const token = newToken();
    const { verifier, table, clock, lookups } = setup([token]);
    expect((await verifier.verify(token, 'addr:a')).ok).toBe(true);
    for (let i = 0; i < 100; i++) expect((await verifier.verify(token, 'addr:a')).ok).toBe(true);
    expect(lookups()).toBe(1);
    table.delete(token); // token revoke
    clock.t += LIMITS.cacheTtlMs - 1;
    expect((await verifier.verify(token, 'addr:a')).ok).toBe(true); // still trusted, within the TTL
    clock.t += 1;
    expect(await verifier.verify(token, 'addr:a')).toEqual({ ok: false, reason: 'invalid' });
    expect(lookups()).toBe(2);
    // Then refused from the negative cache.
    for (let i = 0; i < 5; i++) expect((await verifier.verify(token, 'addr:a')).ok).toBe(false);
    expect(lookups()).toBe(2);
  });

  it('200 concurrent bad tokens from one address cost at most failLimit lookups; the rest get 429 with a wait', async () => {
    const { verifier, lookups } = setup();
    const verdicts = await Promise.all(Array.from({ length: 200 }, () => verifier.verify(newToken(), 'addr:x')));
    expect(lookups()).toBe(LIMITS.failLimit);
    expect(verdicts.filter((v) => !v.ok && v.reason === 'invalid')).toHaveLength(LIMITS.failLimit);
    const limited = verdicts.filter((v) => !v.ok && v.reason === 'rate_limited') as Array<{ retryAfterMs: number }>;
    expect(limited).toHaveLength(190);
    for (const v of limited) expect(v.retryAfterMs).toBeGreaterThan(0);
    // Another address is not affected.
    expect(await verifier.verify(newToken(), 'addr:y')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('one bad token repeated is looked up once (negative cache), and still counts as failures', async () => {
    const { verifier, lookups } = setup();
    const bad = newToken();
    const verdicts = await Promise.all(Array.from({ length: 5 }, () => verifier.verify(bad, 'addr:a')));
    expect(verdicts.every((v) => !v.ok)).toBe(true);
    for (let i = 0; i < 5; i++) await verifier.verify(bad, 'addr:a');
    expect(lookups()).toBe(1);
    expect((await verifier.verify(bad, 'addr:a')) as any).toMatchObject({ reason: 'rate_limited' });
  });

  it('missing and malformed tokens cost no lookup but count as failures', async () => {
    const { verifier, lookups } = setup();
    for (const t of [undefined, 'ada_nope', 'x'.repeat(47), `ada_${'!'.repeat(43)}`]) {
      expect(await verifier.verify(t, 'addr:a')).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(lookups()).toBe(0);
    for (let i = 0; i < 6; i++) await verifier.verify(undefined, 'addr:a');
    expect((await verifier.verify(undefined, 'addr:a')) as any).toMatchObject({ reason: 'rate_limited' });
  });

  it('valid tokens do not use up the budget, and a client already verified keeps working while its address is blocked', async () => {
    const tokens = Array.from({ length: 30 }, newToken);
    const { verifier, clock, lookups } = setup(tokens);
    for (const t of tokens) expect((await verifier.verify(t, 'addr:a')).ok).toBe(true);
    for (let i = 0; i < LIMITS.failLimit; i++) await verifier.verify(newToken(), 'addr:a');
    expect((await verifier.verify(newToken(), 'addr:a')) as any).toMatchObject({ reason: 'rate_limited' });
    expect((await verifier.verify(tokens[0], 'addr:a')).ok).toBe(true); // cached
    clock.t += LIMITS.cacheTtlMs;
    const before = lookups();
    expect((await verifier.verify(tokens[0], 'addr:a')).ok).toBe(true); // re-checked despite the block
    expect(lookups()).toBe(before + 1);
    clock.t += LIMITS.failWindowMs;
    expect(await verifier.verify(newToken(), 'addr:a')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('one token prefix tried from many addresses is limited too', async () => {
    const { verifier } = setup();
    const prefix = newToken().slice(0, 12);
    const variant = () => prefix + newToken().slice(12);
    for (let i = 0; i < LIMITS.failLimit; i++) await verifier.verify(variant(), `addr:10.0.0.${i}`);
    expect((await verifier.verify(variant(), 'addr:10.0.1.1')) as any).toMatchObject({ reason: 'rate_limited' });
  });

  it('many valid tokens first seen at once from one address all get in (lookups wait for a slot, they are not refused)', async () => {
    const tokens = Array.from({ length: 40 }, newToken);
    const { verifier, lookups } = setup(tokens);
    const verdicts = await Promise.all(tokens.map((t) => verifier.verify(t, 'addr:proxy')));
    expect(verdicts.every((v) => v.ok)).toBe(true);
    expect(lookups()).toBe(40);
  });

  it('concurrent checks of one token share a lookup', async () => {
    const token = newToken();
    const { verifier, lookups } = setup([token]);
    const verdicts = await Promise.all(Array.from({ length: 50 }, () => verifier.verify(token, 'addr:a')));
    expect(verdicts.every((v) => v.ok)).toBe(true);
    expect(lookups()).toBe(1);
  });
});

/**
 * The same guarantees for OAuth access tokens (src/auth/oauth.ts behind the AccessTokens port): a fake
 * issuer whose checks we count; a JWT is any three base64url parts.
 */
describe('TokenVerifier with OAuth access tokens', () => {
  const jwt = (n: number | string) => `eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIke${n}In0.c2lnbmF0dXJl${n}`;
  function setupOAuth(answers: Record<string, Checked>) {
    const clock = { t: 1_000_000 };
    let checks = 0;
    const verifier = new TokenVerifier(
      async () => null,
      LIMITS,
      () => clock.t,
      {
        matches: (t) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(t),
        check: async (t) => {
          checks++;
          await new Promise((r) => setTimeout(r, 5));
          return answers[t] ?? { refused: 'invalid_token', description: 'the token signature is not valid' };
        },
      },
    );
    return { verifier, clock, checks: () => checks };
  }

  it('trusts a verified JWT for cacheTtlMs but never past its exp, then checks it again', async () => {
    const { verifier, clock, checks } = setupOAuth({
      [jwt(1)]: { principal: { ...principal('oauth:u1'), source: 'oauth' }, until: 1_000_000 + 2_000 },
    });
    for (let i = 0; i < 20; i++) expect((await verifier.verify(jwt(1), 'addr:a')).ok).toBe(true);
    expect(checks()).toBe(1);
    clock.t += 2_000; // past exp, within cacheTtlMs (5 s): checked again
    await verifier.verify(jwt(1), 'addr:a');
    expect(checks()).toBe(2);
  });

  it('refuses a bad JWT saying why, once per negativeTtlMs, and insufficient_scope apart from invalid_token', async () => {
    const { verifier, checks } = setupOAuth({
      [jwt(2)]: { refused: 'insufficient_scope', description: 'the token grants none of our scopes' },
    });
    expect(await verifier.verify(jwt(3), 'addr:a')).toEqual({
      ok: false,
      reason: 'invalid',
      error: 'invalid_token',
      description: 'the token signature is not valid',
    });
    expect(await verifier.verify(jwt(2), 'addr:a')).toMatchObject({ error: 'insufficient_scope' });
    for (let i = 0; i < 3; i++) await verifier.verify(jwt(3), 'addr:b');
    expect(checks()).toBe(2);
  });

  it('200 concurrent bad JWTs from one address cost at most failLimit checks; the rest get 429', async () => {
    const { verifier, checks } = setupOAuth({});
    const verdicts = await Promise.all(Array.from({ length: 200 }, (_, i) => verifier.verify(jwt(`x${i}`), 'addr:x')));
    expect(checks()).toBe(LIMITS.failLimit);
    expect(verdicts.filter((v) => !v.ok && v.reason === 'rate_limited')).toHaveLength(190);
  });

  it('without an issuer configured a JWT is no token at all: refused without a check', async () => {
    const { verifier } = setup();
    expect(await verifier.verify(jwt(1), 'addr:a')).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('AttemptLimiter and address keys', () => {
  it('keeps its map bounded under many addresses', () => {
    const limiter = new AttemptLimiter({ limit: 3, windowMs: 60_000, maxKeys: 1000 }, () => 0);
    for (let i = 0; i < 10_000; i++) limiter.fail([`addr:${i}`]);
    expect(limiter.size).toBeLessThanOrEqual(1000);
  });

  it('groups IPv6 by /64 and unwraps IPv4-mapped addresses', () => {
    expect(addressKey('127.0.0.1')).toBe('addr:127.0.0.1');
    expect(addressKey('::ffff:10.1.2.3')).toBe('addr:10.1.2.3');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::1')).toBe('addr:0:0:0:0::/64');
  });
});
