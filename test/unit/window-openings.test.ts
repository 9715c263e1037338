import { describe, expect, it } from 'vitest';
import { windowOpenings } from '../../src/core/outreach/decide.js';
import type { DecisionContext } from '../../src/core/outreach/decision-context.js';
import { windowKey } from '../../src/core/outreach/decisions-sql.js';
import { collectionWindow, legalWindow, ruleSource } from '../../src/core/policy/index.js';
import { checkSendWindow, DEFAULT_SEND_WINDOW, type SendWindowConfig } from '../../src/core/policy/send-window.js';

const SP = 'America/Sao_Paulo';
const MANAUS = 'America/Manaus';
const ZONES = [
  { timezone: SP, uf: 'SP' },
  { timezone: MANAUS, uf: 'AM' },
  { timezone: SP, uf: null },
];

/** The parts of a decision context windowOpenings reads. */
function ctxAt(iso: string, janela: SendWindowConfig, collecting: boolean): DecisionContext {
  return {
    now: new Date(iso),
    policy: { janela },
    collection: { whatsapp: collecting, email: false },
  } as unknown as DecisionContext;
}

/** The openings straight from checkSendWindow, as windowOpenings promises them. */
function expected(now: Date, janela: SendWindowConfig, collecting: boolean) {
  const out = { opens: {} as Record<string, string | null>, why: {} as Record<string, string> };
  const coll = {
    opens: {} as Record<string, string | null>,
    why: {} as Record<string, string>,
    lawClosed: [] as string[],
  };
  for (const { timezone, uf } of ZONES) {
    const key = windowKey(timezone, uf);
    const w = checkSendWindow(now, timezone, { ...janela, uf });
    out.opens[key] = w.inside ? null : w.next!.toISOString();
    if (!w.inside) out.why[key] = w.motivo;
    if (!collecting) continue;
    const c = checkSendWindow(now, timezone, collectionWindow(janela, uf));
    coll.opens[key] = c.inside ? null : c.next!.toISOString();
    if (c.inside) continue;
    const law = checkSendWindow(now, timezone, legalWindow(uf));
    coll.why[key] = law.inside ? c.motivo : `${c.motivo} — horário de cobrança por lei (${ruleSource(uf)})`;
    if (!law.inside) coll.lawClosed.push(key);
  }
  return { ...out, collection: coll };
}

/**
 * windowOpenings keeps each zone's openings for the current minute and window configuration
 * (core/outreach/decide.ts): every call must still answer as checkSendWindow does at its own instant —
 * across the minute the window opens or closes, back in time (fixed clocks), and for another window.
 */
describe('windowOpenings, kept per minute and window', () => {
  // Tuesday 1 Dec 2026: São Paulo opens at 08:00 (11:00 UTC), Manaus at 08:00 (12:00 UTC).
  const instants = [
    '2026-12-01T10:59:00.000Z',
    '2026-12-01T10:59:59.999Z',
    '2026-12-01T11:00:00.000Z',
    '2026-12-01T11:00:30.000Z',
    '2026-12-01T10:59:30.000Z',
    '2026-12-01T11:59:59.000Z',
    '2026-12-01T12:00:00.000Z',
    // The other window (08:30–19:45) opens and closes within an hour.
    '2026-12-01T11:29:59.000Z',
    '2026-12-01T11:30:00.000Z',
    '2026-12-01T22:44:59.000Z',
    '2026-12-01T22:45:00.000Z',
    // Friday 20:00 in São Paulo: the tenant's window closes; the collection hours too.
    '2026-12-04T22:59:59.000Z',
    '2026-12-04T23:00:00.000Z',
    '2026-12-01T11:00:00.000Z',
  ];
  const other: SendWindowConfig = {
    ...DEFAULT_SEND_WINDOW,
    dias: DEFAULT_SEND_WINDOW.dias.map((d) =>
      d ? { inicio: '08:30', fim: '19:45' } : null,
    ) as SendWindowConfig['dias'],
  };

  it.each([false, true])('answers as checkSendWindow at each instant (collection: %s)', (collecting) => {
    for (const janela of [DEFAULT_SEND_WINDOW, other]) {
      for (const iso of instants) {
        const ctx = ctxAt(iso, janela, collecting);
        const got = windowOpenings(ctx, ZONES);
        const want = expected(ctx.now, janela, collecting);
        expect(got.opens, `${iso} opens`).toEqual(want.opens);
        expect(got.why, `${iso} why`).toEqual(want.why);
        if (collecting) expect(got.collection, `${iso} collection`).toEqual(want.collection);
        else expect(got.collection).toEqual({ opens: {}, why: {}, lawClosed: [] });
      }
    }
  });

  it('answers for the window asked about, at the same instant', () => {
    const iso = '2026-12-01T11:15:00.000Z';
    const key = windowKey(SP, 'SP');
    expect(windowOpenings(ctxAt(iso, DEFAULT_SEND_WINDOW, false), ZONES).opens[key]).toBeNull();
    expect(windowOpenings(ctxAt(iso, other, false), ZONES).opens[key]).toBe('2026-12-01T11:30:00.000Z');
    expect(windowOpenings(ctxAt(iso, DEFAULT_SEND_WINDOW, false), ZONES).opens[key]).toBeNull();
  });

  it('opens at the minute the window opens, and each call gets its own object', () => {
    const before = windowOpenings(ctxAt('2026-12-01T10:59:59.999Z', DEFAULT_SEND_WINDOW, true), ZONES);
    const at = windowOpenings(ctxAt('2026-12-01T11:00:00.000Z', DEFAULT_SEND_WINDOW, true), ZONES);
    const key = windowKey(SP, 'SP');
    expect(before.opens[key]).toBe('2026-12-01T11:00:00.000Z');
    expect(at.opens[key]).toBeNull();
    at.collection.lawClosed.push('x');
    expect(
      windowOpenings(ctxAt('2026-12-01T11:00:10.000Z', DEFAULT_SEND_WINDOW, true), ZONES).collection.lawClosed,
    ).not.toContain('x');
  });
});
