import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashToken, type Principal } from '../../src/auth/tokens.js';
import { TokenVerifier } from '../../src/auth/verifier.js';
import type { ServerDeps } from '../../src/deps.js';
import { callerDeps } from '../../src/http/caller.js';

const LIMITS = { cacheTtlMs: 5_000, negativeTtlMs: 60_000, failLimit: 10, failWindowMs: 60_000 };
const newToken = () => `ada_${randomBytes(32).toString('base64url')}`;
const acme = { tenant_id: 't1', slug: 'acme', nome: 'acme' };
const other = { tenant_id: 't2', slug: 'other', nome: 'other' };
// The process's deps as far as depsFor looks at them: it copies the rest as they are.
const processDeps = { tenant: { tenant_id: 't0', slug: 'default', nome: 'default' } } as Omit<ServerDeps, 'transport'>;

describe('callerDeps (the deps of the server built for a caller, kept per principal)', () => {
  it('gives the same deps for the principal the verifier keeps, and new ones once the token was checked again', async () => {
    const token = newToken();
    const table = new Map<string, Principal>([
      [token, { token_id: 'tok-1', name: 'a', tenant: acme, scopes: ['read'] }],
    ]);
    const clock = { t: 1_000_000 };
    const verifier = new TokenVerifier(
      async (t) => table.get(t) ?? null,
      LIMITS,
      () => clock.t,
    );
    const depsOf = callerDeps(processDeps, { auth: 'token' });
    const principalNow = async () => {
      const v = await verifier.verify(token, 'addr:a');
      if (!v.ok) throw new Error('refused');
      return v.principal;
    };

    const first = depsOf(await principalNow());
    expect(first).toMatchObject({ tenant: acme, scopes: ['read'], transport: 'http' });
    expect(first.actor).toEqual({ kind: 'token', tokenId: 'tok-1', name: 'a' });
    expect(depsOf(await principalNow())).toBe(first);

    // The token's row changed (another tenant and scopes: what a re-issued token would be): within the
    // verifier's cache the old principal, and its deps, still serve; after it, the new ones.
    table.set(token, { token_id: 'tok-1', name: 'a', tenant: other, scopes: ['read', 'dispatch'] });
    clock.t += LIMITS.cacheTtlMs - 1;
    expect(depsOf(await principalNow())).toBe(first);
    clock.t += 1;
    const second = depsOf(await principalNow());
    expect(second).not.toBe(first);
    expect(second).toMatchObject({ tenant: other, scopes: ['read', 'dispatch'] });
    expect(depsOf(await principalNow())).toBe(second);
  });

  it('keeps principals apart: two tokens of two tenants never share deps', () => {
    const depsOf = callerDeps(processDeps, { auth: 'token' });
    const a = depsOf({ token_id: 'a', name: null, tenant: acme, scopes: ['admin'] });
    const b = depsOf({ token_id: 'b', name: null, tenant: other, scopes: ['read'] });
    expect(a).toMatchObject({ tenant: acme, scopes: ['admin'] });
    expect(b).toMatchObject({ tenant: other, scopes: ['read'] });
  });
});

describe('hashToken', () => {
  it('is the hex sha256 the tokens already stored were hashed with', () => {
    for (const t of [newToken(), 'ada_ção', '']) {
      expect(hashToken(t)).toBe(createHash('sha256').update(t, 'utf8').digest('hex'));
    }
  });
});
