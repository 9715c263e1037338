/**
 * The pure parts of meetings, directly: business hours per zone, slot generation at its edges, the
 * start a caller gives, and the actions the meeting transition table allows.
 */
import { describe, expect, it } from 'vitest';
import { parseStart } from '../../src/core/meetings/check-slot.js';
import { checkBusinessHours, freeSlots, possibleActions, type SlotRequest } from '../../src/core/meetings/index.js';
import { AGENDAMENTO_STATUSES } from '../../src/core/model/index.js';
import { DEFAULT_SEND_WINDOW, type SendWindowConfig } from '../../src/core/policy/index.js';
import { localParts, toZonedIso, zonedTimeToUtc } from '../../src/core/time/index.js';

const ZONES = ['America/Sao_Paulo', 'America/Manaus', 'America/Rio_Branco', 'America/Noronha'];
const allDay = (o: Partial<SendWindowConfig> = {}): SendWindowConfig => ({
  dias: [0, 1, 2, 3, 4, 5, 6].map(() => ({ inicio: '00:00', fim: '24:00' })) as SendWindowConfig['dias'],
  respeitar_feriados: false,
  ...o,
});

describe('parseStart', () => {
  it('reads a local time in the lead zone, an offset as given', () => {
    expect(parseStart('2026-12-01T10:00', 'America/Manaus').toISOString()).toBe('2026-12-01T14:00:00.000Z');
    expect(parseStart('2026-12-01T10:00:00-03:00', 'America/Manaus').toISOString()).toBe('2026-12-01T13:00:00.000Z');
  });
  it.each(['amanhã às 10', '2026-13-01T10:00', '2026-02-30T10:00', '10:00'])('refuses %s with a hint', (input) => {
    expect(() => parseStart(input, 'America/Sao_Paulo')).toThrow(
      expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/ISO 8601 with an offset/) }),
    );
  });
});

describe('business hours, in each zone', () => {
  // [what, local date, local start, minutes, inside?] — 2026-12-01 is a Tuesday, 12-05 a Saturday.
  const cases: Array<[string, string, string, number, boolean]> = [
    ['the first half hour', '2026-12-01', '08:00', 30, true],
    ['straddling the opening', '2026-12-01', '07:45', 30, false],
    ['ending at the close (fim exclusive)', '2026-12-01', '19:30', 30, true],
    ['straddling the close', '2026-12-01', '19:45', 30, false],
    ['a whole day', '2026-12-01', '08:00', 720, true],
    ['one minute too long', '2026-12-01', '08:00', 721, false],
    ['Saturday until 14:00', '2026-12-05', '13:30', 30, true],
    ['Saturday past 14:00', '2026-12-05', '13:45', 30, false],
    ['Sunday', '2026-12-06', '10:00', 30, false],
    ['Christmas (national holiday)', '2026-12-25', '10:00', 30, false],
  ];
  for (const zone of ZONES) {
    it.each(cases)(`${zone}: %s`, (_what, date, time, minutes, inside) => {
      const start = zonedTimeToUtc(date, time, zone);
      const end = new Date(start.getTime() + minutes * 60_000);
      expect(checkBusinessHours(start, end, zone, DEFAULT_SEND_WINDOW).ok).toBe(inside);
    });
  }

  it('the same instant is inside in one zone and outside in another', () => {
    // 11:30 UTC: 08:30 in São Paulo, 07:30 in Manaus, 06:30 in Rio Branco, 09:30 in Noronha.
    const start = new Date('2026-12-01T11:30:00Z');
    const end = new Date('2026-12-01T12:00:00Z');
    const ok = ZONES.map((z) => checkBusinessHours(start, end, z, DEFAULT_SEND_WINDOW).ok);
    expect(ok).toEqual([true, false, false, true]);
  });

  it('says why, in pt-BR', () => {
    const at = (date: string, time: string, minutes = 30) => {
      const start = zonedTimeToUtc(date, time, 'America/Manaus');
      return checkBusinessHours(
        start,
        new Date(start.getTime() + minutes * 60_000),
        'America/Manaus',
        DEFAULT_SEND_WINDOW,
      );
    };
    expect(at('2026-12-06', '10:00')).toEqual({ ok: false, reason: 'domingo não é dia de atendimento' });
    expect(at('2026-12-25', '10:00')).toEqual({ ok: false, reason: '25/12 é feriado (Natal)' });
    expect(at('2026-12-01', '19:45')).toEqual({
      ok: false,
      reason: 'fora do horário de atendimento de terça (08:00–20:00, America/Manaus)',
    });
  });

  it('the tenant holiday rules: its own dates, pontos facultativos, or no holidays at all', () => {
    const tz = 'America/Sao_Paulo';
    const check = (date: string, cfg: SendWindowConfig) => {
      const start = zonedTimeToUtc(date, '10:00', tz);
      return checkBusinessHours(start, new Date(start.getTime() + 1_800_000), tz, cfg);
    };
    expect(check('2027-01-25', { ...DEFAULT_SEND_WINDOW, feriados_extras: ['2027-01-25'] })).toEqual({
      ok: false,
      reason: '25/01 é feriado (feriado local)',
    });
    expect(check('2026-02-17', DEFAULT_SEND_WINDOW).ok).toBe(true); // Carnaval: a working day by default
    expect(check('2026-02-17', { ...DEFAULT_SEND_WINDOW, incluir_pontos_facultativos: true })).toMatchObject({
      ok: false,
      reason: '17/02 é feriado (Carnaval)',
    });
    expect(check('2026-12-25', { ...DEFAULT_SEND_WINDOW, respeitar_feriados: false }).ok).toBe(true);
  });

  it('a window open until 24:00 takes a meeting ending at midnight, never one crossing it', () => {
    const tz = 'America/Manaus';
    const start = zonedTimeToUtc('2026-12-01', '23:30', tz);
    expect(checkBusinessHours(start, new Date(start.getTime() + 30 * 60_000), tz, allDay()).ok).toBe(true);
    expect(checkBusinessHours(start, new Date(start.getTime() + 45 * 60_000), tz, allDay()).ok).toBe(false);
  });
});

describe('freeSlots', () => {
  const base: Omit<SlotRequest, 'timeZone'> = {
    now: new Date('2026-11-30T13:00:00Z'), // Monday 10:00 in São Paulo
    hours: DEFAULT_SEND_WINDOW,
    days: 7,
    durationMinutes: 30,
    stepMinutes: 30,
    minNoticeMinutes: 60,
    maxSlots: 200,
    perDay: 100,
    busy: [],
  };
  const local = (r: SlotRequest) => freeSlots(r).map((s) => toZonedIso(s.start, r.timeZone));

  it.each(ZONES)('every slot in %s is inside local business hours, none before now + notice', (tz) => {
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
  });

  it('skips busy intervals, spreads a day and respects the limits', () => {
    const busy = [{ start: new Date('2026-12-01T11:00:00Z'), end: new Date('2026-12-01T20:00:00Z') }];
    expect(local({ ...base, timeZone: 'America/Sao_Paulo', days: 2, perDay: 3, maxSlots: 5, busy })).toEqual([
      '2026-11-30T11:00:00-03:00',
      '2026-11-30T15:30:00-03:00',
      '2026-11-30T19:30:00-03:00',
      '2026-12-01T17:00:00-03:00',
      '2026-12-01T19:30:00-03:00',
    ]);
  });

  it('a busy interval that only touches a slot (back to back) does not take it', () => {
    const tz = 'America/Sao_Paulo';
    const busy = [{ start: zonedTimeToUtc('2026-12-01', '09:00', tz), end: zonedTimeToUtc('2026-12-01', '10:00', tz) }];
    const now = zonedTimeToUtc('2026-12-01', '07:00', tz);
    const starts = local({ ...base, now, timeZone: tz, days: 1, minNoticeMinutes: 0, busy }).slice(0, 5);
    expect(starts.map((s) => s.slice(11, 16))).toEqual(['08:00', '08:30', '10:00', '10:30', '11:00']);
  });

  it("'today' is the lead's local date: 23:00 in São Paulo is already Tuesday in UTC", () => {
    const now = new Date('2026-12-01T02:00:00Z'); // Monday 23:00 in São Paulo
    expect(local({ ...base, now, timeZone: 'America/Sao_Paulo', days: 1 })).toEqual([]);
    const two = local({ ...base, now, timeZone: 'America/Sao_Paulo', days: 2, perDay: 1 });
    expect(two).toEqual(['2026-12-01T08:00:00-03:00']);
  });

  it('Sundays and holidays are skipped, days counted in calendar days', () => {
    // Thursday 24/12 → Friday 25/12 (Natal) → Saturday → Sunday → Monday 28/12.
    const now = zonedTimeToUtc('2026-12-24', '07:00', 'America/Manaus');
    const days = local({ ...base, now, timeZone: 'America/Manaus', days: 5, perDay: 1, minNoticeMinutes: 0 });
    expect(days).toEqual(['2026-12-24T08:00:00-04:00', '2026-12-26T08:00:00-04:00', '2026-12-28T08:00:00-04:00']);
  });

  it('starts step from the opening; the last one still ends by the close; a meeting longer than the day fits nowhere', () => {
    const cfg: SendWindowConfig = {
      ...allDay(),
      dias: allDay().dias.map(() => ({ inicio: '09:00', fim: '10:40' })) as SendWindowConfig['dias'],
    };
    const now = zonedTimeToUtc('2026-12-01', '00:00', 'America/Noronha');
    const req = { ...base, now, hours: cfg, timeZone: 'America/Noronha', days: 1, minNoticeMinutes: 0 };
    expect(local({ ...req, durationMinutes: 45, stepMinutes: 25 }).map((s) => s.slice(11, 16))).toEqual([
      '09:00',
      '09:25',
      '09:50',
    ]);
    expect(local({ ...req, durationMinutes: 120 })).toEqual([]);
  });

  it('a window open until 24:00: the last slot ends at midnight', () => {
    const now = zonedTimeToUtc('2026-12-01', '22:00', 'America/Rio_Branco');
    const req = { ...base, now, hours: allDay(), timeZone: 'America/Rio_Branco', days: 1, minNoticeMinutes: 0 };
    expect(local(req).map((s) => s.slice(11, 16))).toEqual(['22:00', '22:30', '23:00', '23:30']);
  });

  it('perDay spreads over the day: 1 → the first, 2 → first and last; maxSlots stops across days', () => {
    const tz = 'America/Sao_Paulo';
    const now = zonedTimeToUtc('2026-12-01', '07:00', tz);
    const req = { ...base, now, timeZone: tz, days: 3, minNoticeMinutes: 0 };
    expect(local({ ...req, perDay: 1 }).map((s) => s.slice(8, 16))).toEqual(['01T08:00', '02T08:00', '03T08:00']);
    expect(local({ ...req, perDay: 2, maxSlots: 3 }).map((s) => s.slice(8, 16))).toEqual([
      '01T08:00',
      '01T19:30',
      '02T08:00',
    ]);
  });
});

describe('the actions a meeting takes (AGENDAMENTO_TRANSITIONS)', () => {
  it.each<[string, string[]]>([
    ['pendente', ['cancel', 'reschedule']],
    ['agendado', ['confirm', 'cancel', 'reschedule', 'complete', 'no_show']],
    ['confirmado', ['confirm', 'cancel', 'reschedule', 'complete', 'no_show']],
    ['incerto', ['cancel', 'reschedule']],
    ['falhou', []],
    ['cancelado', []],
    ['realizado', []],
    ['nao_compareceu', []],
  ])('%s: %j', (status, actions) => {
    expect(possibleActions(status as (typeof AGENDAMENTO_STATUSES)[number])).toEqual(actions);
  });
  it('covers every status', () => {
    expect(new Set(AGENDAMENTO_STATUSES)).toEqual(
      new Set(['pendente', 'agendado', 'confirmado', 'incerto', 'falhou', 'cancelado', 'realizado', 'nao_compareceu']),
    );
  });
});
