import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reserveSlots, setRateLimit, type SlotGrant } from '../../src/core/dispatch/rate-limit.js';
import { withTenant } from '../../src/db/tenant.js';
import { ensureTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { plantDisparo } from '../helpers/disparos.js';
import { insertLead } from '../helpers/fixtures.js';

const NOW = new Date('2026-11-24T13:00:00Z');
const after = (ms: number) => new Date(NOW.getTime() + ms);
/** The slots of a grant, as ms since NOW. */
const slotsOf = (g: SlotGrant) =>
  Array.from({ length: g.granted }, (_, i) => g.first.getTime() - NOW.getTime() + i * g.intervalMs);

/*
 * reserveSlots, directly: the GCRA pace (slots 3% wider than 1/R), the horizon that bounds a
 * reservation, the rolling 24 h cap on distinct recipients, and two reservations at once.
 */
describe(`reserveSlots: pace, horizon, distinct-recipient cap, concurrency (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  const tenant = async (perSecond: number | null, maxRecipients?: number) => {
    const t = (await ensureTenant(db.kysely, `rl-${Math.random().toString(36).slice(2, 10)}`)).tenant_id;
    await withTenant(db.kysely, t, (tx) => setRateLimit(tx, t, 'whatsapp', perSecond, maxRecipients));
    return t;
  };
  const reserve = (t: string, want: number, now: Date, horizonMs = 1000, leadMs = 50) =>
    withTenant(db.kysely, t, (tx) => reserveSlots(tx, t, 'whatsapp', want, now, horizonMs, leadMs));

  it('paces at 1/R × 1.03, starts leadMs after now, and hands out at most a horizon of slots', async () => {
    const t = await tenant(10);
    const g = await reserve(t, 200, NOW);
    expect(g.intervalMs).toBeCloseTo(103, 6);
    expect(g.first).toEqual(after(50));
    // floor(1000 / 103) + 1 slots fit in [now + 50, now + 50 + 1000].
    expect(g.granted).toBe(10);
    // The next reservation at the same moment gets nothing: the horizon is taken.
    expect((await reserve(t, 200, NOW)).granted).toBe(0);
    // A second later it continues the pace exactly where the first ended.
    const next = await reserve(t, 200, after(1000));
    expect(next.first.getTime()).toBeCloseTo(after(50).getTime() + 10 * 103, 6);
    expect(next.granted).toBe(10);
  });

  it('a shorter horizon or a smaller want grants fewer slots', async () => {
    const t = await tenant(10);
    expect((await reserve(t, 200, NOW, 500)).granted).toBe(5); // floor(500 / 103) + 1
    const u = await tenant(10);
    expect((await reserve(u, 3, NOW)).granted).toBe(3);
    // The pace continues after the 3 slots actually granted, not after the horizon.
    expect((await reserve(u, 1, NOW)).first.getTime()).toBeCloseTo(after(50 + 3 * 103).getTime(), 6);
  });

  it('without a pace every slot is now; the recipient cap still applies', async () => {
    const t = await tenant(null, 100);
    const g = await reserve(t, 40, NOW);
    expect(g).toMatchObject({ granted: 40, first: NOW, intervalMs: 0, capped: false });
    expect((await reserve(t, 100, NOW)).granted).toBe(60);
    expect((await reserve(t, 100, NOW)).granted).toBe(0);
  });

  it('counts distinct recipients reached in the last 24 h (the one definition) against the cap', async () => {
    const t = await tenant(null, 6);
    const lead = await insertLead(db.kysely, t, { nome: 'Cap' });
    const planted = [
      // Counted: reached within 24 h (enviado_em, or the last attempt of a row in flight / unknown).
      { status: 'enviado', destino: '+5511900000001', enviado_em: '2026-11-24T12:00:00Z' },
      { status: 'enviado', destino: '+5511900000001', enviado_em: '2026-11-24T11:00:00Z' }, // same person
      { status: 'incerto', destino: '+5511900000002', updated_at: '2026-11-24T09:00:00Z' },
      { status: 'em_execucao', destino: '+5511900000003', updated_at: '2026-11-24T12:59:00Z' },
      // Queued days ago, sent an hour ago: it reached the person an hour ago.
      {
        status: 'enviado',
        destino: '+5511900000004',
        created_at: '2026-11-20T10:00:00Z',
        enviado_em: '2026-11-24T12:00:00Z',
      },
      // Not counted: sent 25 h ago, failed, still queued, or another channel.
      { status: 'enviado', destino: '+5511900000005', enviado_em: '2026-11-23T12:00:00Z' },
      { status: 'falhou', destino: '+5511900000006', updated_at: '2026-11-24T12:00:00Z' },
      { status: 'pendente', destino: '+5511900000007', updated_at: '2026-11-24T12:00:00Z' },
      { status: 'enviado', destino: 'x@y.com', canal: 'email', enviado_em: '2026-11-24T12:00:00Z' },
    ] as const;
    for (const d of planted) await plantDisparo(db.kysely, t, lead, d);
    // 4 distinct recipients counted: 2 of the 6 left.
    expect((await reserve(t, 10, NOW)).granted).toBe(2);
    // Within the same second the reservations themselves count (the sends are not recorded yet).
    expect((await reserve(t, 10, NOW)).granted).toBe(0);
    // A second later it counts again from the disparos (the 2 reserved were never sent).
    expect((await reserve(t, 10, after(1001))).granted).toBe(2);
    // A day later the window has moved past every planted send.
    expect((await reserve(t, 10, after(24 * 3600_000))).granted).toBe(6);
  });

  it('two reservations at once get disjoint slots, one after the other, and never more than the pace', async () => {
    const t = await tenant(20);
    // A holds the rate_limits row lock for a while; B, started meanwhile, must wait and continue after A.
    const a = withTenant(db.kysely, t, async (tx) => {
      const g = await reserveSlots(tx, t, 'whatsapp', 6, NOW, 1000, 50);
      await sql`select pg_sleep(0.2)`.execute(tx);
      return g;
    });
    await new Promise((r) => setTimeout(r, 50));
    const b = reserve(t, 6, NOW);
    const [ga, gb] = await Promise.all([a, b]);
    expect(ga.granted + gb.granted).toBe(12);
    const all = [...slotsOf(ga), ...slotsOf(gb)].sort((x, y) => x - y);
    expect(new Set(all).size).toBe(12);
    for (let i = 1; i < all.length; i++) expect(all[i] - all[i - 1]).toBeCloseTo(ga.intervalMs, 6);
    // Whichever committed first, the other's slots start where its slots end.
    const [first, second] = ga.first < gb.first ? [ga, gb] : [gb, ga];
    expect(second.first.getTime()).toBeCloseTo(first.first.getTime() + first.granted * first.intervalMs, 6);
  });

  it('many concurrent reservations over time never put more than R slots in any second', async () => {
    const t = await tenant(25);
    const grants = await Promise.all(
      Array.from({ length: 8 }, (_, i) => reserve(t, 10, after(Math.floor(i / 2) * 400))),
    );
    const slots = grants.flatMap(slotsOf).sort((x, y) => x - y);
    expect(new Set(slots).size).toBe(slots.length);
    let worst = 0;
    for (let i = 0, j = 0; i < slots.length; i++) {
      while (slots[j] <= slots[i] - 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(25);
  });
});
