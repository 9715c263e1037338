import { describe, expect, it } from 'vitest';
import {
  checkBusinessHours,
  freeSlots,
  localLabel,
  parseStart,
  toZonedIso,
  zoneLabel,
} from '../../src/core/meetings/index.js';
import { DEFAULT_SEND_WINDOW, localParts } from '../../src/core/policy/index.js';

describe('meeting times', () => {
  it.each([
    ['2026-12-01T10:00:00-03:00', 'America/Manaus', '2026-12-01T13:00:00.000Z'],
    ['2026-12-01T13:00:00Z', 'America/Manaus', '2026-12-01T13:00:00.000Z'],
    ['2026-12-01T10:00', 'America/Manaus', '2026-12-01T14:00:00.000Z'],
    ['2026-12-01 10:00:00', 'America/Rio_Branco', '2026-12-01T15:00:00.000Z'],
    ['2026-12-01T10:00', 'America/Noronha', '2026-12-01T12:00:00.000Z'],
    ['2026-12-01T10:00', 'America/Sao_Paulo', '2026-12-01T13:00:00.000Z'],
  ])('parseStart(%s in %s) = %s', (input, tz, iso) => {
    expect(parseStart(input, tz).toISOString()).toBe(iso);
  });

  it.each(['amanhã às 10', '2026-13-01T10:00', '2026-02-30T10:00', '10:00'])('refuses %s with a hint', (input) => {
    expect(() => parseStart(input, 'America/Sao_Paulo')).toThrow(/ISO 8601 with an offset/);
  });

  it('writes instants with the zone offset and pt-BR labels', () => {
    const at = new Date('2026-12-01T14:00:00Z');
    expect(toZonedIso(at, 'America/Manaus')).toBe('2026-12-01T10:00:00-04:00');
    expect(toZonedIso(at, 'America/Noronha')).toBe('2026-12-01T12:00:00-02:00');
    expect(localLabel(at, 'America/Manaus')).toMatchObject({
      rotulo: 'terça, 01/12 às 10:00 (horário de Manaus)',
      vars: { data_reuniao: 'terça-feira, 01/12/2026', hora_reuniao: '10:00', fuso: 'horário de Manaus' },
    });
    expect(localLabel(new Date('2026-12-01T04:00:00Z'), 'America/Sao_Paulo').rotulo).toBe(
      'terça, 01/12 à 01:00 (horário de Brasília)',
    );
    expect(zoneLabel('America/Recife')).toBe('horário de Brasília');
    expect(zoneLabel('America/Rio_Branco')).toBe('horário do Acre');
  });
});

describe('business hours', () => {
  const h = (a: string, b: string, tz: string) => checkBusinessHours(new Date(a), new Date(b), tz, DEFAULT_SEND_WINDOW);
  it('a meeting must start and end inside one local day window', () => {
    expect(h('2026-12-01T12:00:00Z', '2026-12-01T12:30:00Z', 'America/Manaus')).toEqual({ ok: true }); // 08:00–08:30
    expect(h('2026-12-01T11:30:00Z', '2026-12-01T12:00:00Z', 'America/Manaus')).toMatchObject({ ok: false }); // 07:30
    expect(h('2026-12-01T22:30:00Z', '2026-12-01T23:00:00Z', 'America/Sao_Paulo')).toEqual({ ok: true }); // 19:30–20:00
    expect(h('2026-12-01T22:45:00Z', '2026-12-01T23:15:00Z', 'America/Sao_Paulo')).toMatchObject({
      ok: false,
      motivo: expect.stringContaining('08:00–20:00'),
    });
    expect(h('2026-12-05T16:30:00Z', '2026-12-05T17:00:00Z', 'America/Sao_Paulo')).toEqual({ ok: true }); // Saturday 13:30–14:00
    expect(h('2026-12-05T16:45:00Z', '2026-12-05T17:15:00Z', 'America/Sao_Paulo')).toMatchObject({ ok: false }); // past 14:00
    expect(h('2026-12-05T16:00:00Z', '2026-12-05T16:30:00Z', 'America/Sao_Paulo')).toEqual({ ok: true }); // Saturday 13:00–13:30
    expect(h('2026-12-06T13:00:00Z', '2026-12-06T13:30:00Z', 'America/Sao_Paulo')).toMatchObject({
      ok: false,
      motivo: 'domingo não é dia de atendimento',
    });
    expect(h('2026-11-20T13:00:00Z', '2026-11-20T13:30:00Z', 'America/Sao_Paulo')).toMatchObject({
      ok: false,
      motivo: expect.stringContaining('feriado'),
    });
  });
});

describe('freeSlots', () => {
  const base = {
    now: new Date('2026-11-30T13:00:00Z'),
    hours: DEFAULT_SEND_WINDOW,
    days: 7,
    durationMinutes: 30,
    stepMinutes: 30,
    minNoticeMinutes: 60,
    maxSlots: 200,
    perDay: 100,
    busy: [],
  };
  it.each(['America/Manaus', 'America/Rio_Branco', 'America/Noronha', 'America/Sao_Paulo'])(
    'every slot in %s is inside local business hours, none before now + notice',
    (tz) => {
      const slots = freeSlots({ ...base, timeZone: tz });
      expect(slots.length).toBeGreaterThan(50);
      for (const s of slots) {
        const a = localParts(s.start, tz);
        const b = localParts(new Date(s.end.getTime() - 1), tz);
        expect(a.weekday).not.toBe(0);
        expect(a.minutes).toBeGreaterThanOrEqual(8 * 60);
        expect(b.minutes + 1).toBeLessThanOrEqual(a.weekday === 6 ? 14 * 60 : 20 * 60);
        expect(s.start.getTime()).toBeGreaterThanOrEqual(base.now.getTime() + 3_600_000);
      }
    },
  );
  it('skips busy intervals, spreads a day and respects the limits', () => {
    const busy = [{ start: new Date('2026-12-01T11:00:00Z'), end: new Date('2026-12-01T20:00:00Z') }];
    const slots = freeSlots({ ...base, timeZone: 'America/Sao_Paulo', days: 2, perDay: 3, maxSlots: 5, busy });
    expect(slots.map((s) => toZonedIso(s.start, 'America/Sao_Paulo'))).toEqual([
      '2026-11-30T11:00:00-03:00',
      '2026-11-30T15:30:00-03:00',
      '2026-11-30T19:30:00-03:00',
      '2026-12-01T17:00:00-03:00',
      '2026-12-01T19:30:00-03:00',
    ]);
  });
});
