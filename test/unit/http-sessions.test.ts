import { describe, expect, it } from 'vitest';
import { SessionRegistry, type Session } from '../../src/http/sessions.js';

const LIMITS = { maxSessions: 10, maxSessionsPerTenant: 6, maxSessionsPerToken: 3, sessionIdleMs: 60_000 };

function setup(limits = LIMITS) {
  const clock = { t: 0 };
  const closed: Array<[string, string]> = [];
  const registry = new SessionRegistry<null>(
    limits,
    (s, why) => closed.push([s.id, why]),
    () => clock.t,
  );
  let n = 0;
  const open = (tokenId: string, tenantId = 'acme') => {
    clock.t += 1;
    return registry.open(`s${++n}`, { tokenId, tenantId });
  };
  const ok = (a: ReturnType<typeof open>): Session<null> => {
    if (!a.ok) throw new Error(`refused: ${a.message}`);
    return a.session;
  };
  return { registry, clock, closed, open, ok };
}

describe('SessionRegistry', () => {
  it("at a token's cap, a new session closes that token's oldest idle one (least recently used)", () => {
    const { registry, closed, open, ok, clock } = setup();
    const [a, b, c] = [ok(open('t1')), ok(open('t1')), ok(open('t1'))];
    clock.t += 1;
    registry.begin(a)(); // a used again: b is now the least recently used
    ok(open('t1'));
    expect(closed).toEqual([[b.id, 'evicted']]);
    expect(registry.get(b.id)).toBeUndefined();
    expect([a, c].every((s) => registry.get(s.id))).toBe(true);
    expect(registry.size).toBe(3);
  });

  it('50,000 sessions opened by one token leave at most its cap open', () => {
    const { registry, closed, open, ok } = setup({
      ...LIMITS,
      maxSessionsPerToken: 100,
      maxSessionsPerTenant: 500,
      maxSessions: 2000,
    });
    for (let i = 0; i < 50_000; i++) ok(open('flood'));
    expect(registry.size).toBe(100);
    expect(closed).toHaveLength(49_900);
    ok(open('someone-else')); // the server still takes a new client
  });

  it('refuses with 429 and Retry-After when all of a token’s sessions are busy, and never evicts a busy one', () => {
    const { registry, closed, open, ok } = setup();
    const busy = [ok(open('t1')), ok(open('t1')), ok(open('t1'))].map((s) => registry.begin(s));
    const refused = open('t1');
    expect(refused).toMatchObject({ ok: false, status: 429, retryAfterS: 5 });
    expect(!refused.ok && refused.message).toMatch(/this token \(3\).*DELETE \/mcp/);
    expect(closed).toEqual([]);
    busy[1](); // one request ends: that session may now go
    expect(open('t1').ok).toBe(true);
    expect(closed).toHaveLength(1);
  });

  it("caps a tenant across its tokens (429), and the server in total (503) evicting anyone's oldest idle", () => {
    const { registry, closed, open, ok } = setup();
    for (const t of ['t1', 't1', 't2', 't2', 't3', 't3']) registry.begin(ok(open(t)));
    expect(open('t4')).toMatchObject({ ok: false, status: 429 });
    const others = [ok(open('u1', 'beta')), ok(open('u1', 'beta')), ok(open('u2', 'beta')), ok(open('u2', 'beta'))];
    expect(registry.size).toBe(10);
    // Full: a third tenant's session takes the place of the oldest idle session anywhere.
    const gama = ok(open('v1', 'gama'));
    expect(closed).toEqual([[others[0].id, 'evicted']]);
    for (const s of [...others.slice(1), gama]) registry.begin(s);
    const full = open('v2', 'gama');
    expect(full).toMatchObject({ ok: false, status: 503, retryAfterS: 5 });
    expect(!full.ok && full.message).toMatch(/this server \(10\)/);
  });

  it('closes sessions idle for sessionIdleMs, not busy ones', () => {
    const { registry, closed, open, ok, clock } = setup();
    const [a, b, c] = [ok(open('t1')), ok(open('t2')), ok(open('t3'))];
    const endB = registry.begin(b);
    clock.t += LIMITS.sessionIdleMs - 10;
    registry.begin(c)();
    clock.t += 20;
    expect(registry.sweep()).toBe(1);
    expect(closed).toEqual([[a.id, 'expired']]);
    endB();
    clock.t += LIMITS.sessionIdleMs + 1;
    expect(registry.sweep()).toBe(2);
    expect(registry.size).toBe(0);
  });
});
