import { describe, expect, it } from 'vitest';
import {
  checkSendWindow,
  DEFAULT_SEND_WINDOW,
  nextWindowStart,
  parseSendWindow,
  type SendWindowConfig,
} from '../../src/core/policy/send-window.js';
import { localParts, zonedTimeToUtc } from '../../src/core/time/index.js';

const SP = 'America/Sao_Paulo'; // UTC−3
const MANAUS = 'America/Manaus'; // UTC−4
const RIO_BRANCO = 'America/Rio_Branco'; // UTC−5
const NORONHA = 'America/Noronha'; // UTC−2

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('checkSendWindow with the default window', () => {
  // [label, instant (UTC), zone, expected next (UTC) or 'inside']
  const table: Array<[string, string, string, string]> = [
    ['Tuesday 10:00 São Paulo', '2026-03-10T13:00:00Z', SP, 'inside'],
    ['Tuesday 08:00 São Paulo (inicio inclusive)', '2026-03-10T11:00:00Z', SP, 'inside'],
    ['Tuesday 19:59 São Paulo', '2026-03-10T22:59:00Z', SP, 'inside'],
    ['Tuesday 07:59 São Paulo → 08:00 same day', '2026-03-10T10:59:00Z', SP, '2026-03-10T11:00:00.000Z'],
    ['Friday 20:00 São Paulo (fim exclusive) → Saturday 08:00', '2026-03-13T23:00:00Z', SP, '2026-03-14T11:00:00.000Z'],
    ['Saturday 13:59 São Paulo', '2026-03-14T16:59:00Z', SP, 'inside'],
    ['Saturday 14:00 São Paulo → Monday 08:00', '2026-03-14T17:00:00Z', SP, '2026-03-16T11:00:00.000Z'],
    ['Sunday 10:00 São Paulo → Monday 08:00', '2026-03-15T13:00:00Z', SP, '2026-03-16T11:00:00.000Z'],
    ['Monday 07/09/2026 (Independência) 10:00 → Tuesday 08:00', '2026-09-07T13:00:00Z', SP, '2026-09-08T11:00:00.000Z'],
    [
      'Sunday 06/09/2026 → skips the holiday Monday → Tuesday 08:00',
      '2026-09-06T15:00:00Z',
      SP,
      '2026-09-08T11:00:00.000Z',
    ],
    ['Friday 03/04/2026 (Sexta-feira Santa) → Saturday 08:00', '2026-04-03T15:00:00Z', SP, '2026-04-04T11:00:00.000Z'],
    [
      'Thursday 31/12/2026 20:30 → Friday 01/01 holiday → Saturday 02/01 08:00',
      '2026-12-31T23:30:00Z',
      SP,
      '2027-01-02T11:00:00.000Z',
    ],
    ['Carnaval Monday is a normal day by default', '2026-02-16T13:00:00Z', SP, 'inside'],
    ['12:30 UTC is 09:30 in São Paulo', '2026-03-10T12:30:00Z', SP, 'inside'],
    [
      '12:30 UTC is 07:30 in Rio Branco → 08:00 Rio Branco',
      '2026-03-10T12:30:00Z',
      RIO_BRANCO,
      '2026-03-10T13:00:00.000Z',
    ],
    ['Manaus Tuesday 08:00', '2026-03-10T12:00:00Z', MANAUS, 'inside'],
    [
      'Manaus Tuesday 07:00 (08:00 in São Paulo) → 08:00 Manaus',
      '2026-03-10T11:00:00Z',
      MANAUS,
      '2026-03-10T12:00:00.000Z',
    ],
    ['Manaus Saturday 14:00 → Monday 08:00 Manaus', '2026-03-14T18:00:00Z', MANAUS, '2026-03-16T12:00:00.000Z'],
    ['Noronha Tuesday 08:00', '2026-03-10T10:00:00Z', NORONHA, 'inside'],
    ['Noronha Tuesday 07:30 → 08:00 Noronha', '2026-03-10T09:30:00Z', NORONHA, '2026-03-10T10:00:00.000Z'],
    [
      'Noronha Friday 20:00 (19:00 in São Paulo) → Saturday 08:00 Noronha',
      '2026-03-13T22:00:00Z',
      NORONHA,
      '2026-03-14T10:00:00.000Z',
    ],
    [
      '22:30 Friday UTC−3 is already Saturday 01:30 UTC: date is local',
      '2026-03-14T04:30:00Z',
      SP,
      '2026-03-14T11:00:00.000Z',
    ],
  ];

  it.each(table)('%s', (_label, instant, zone, expected) => {
    const result = checkSendWindow(at(instant), zone);
    if (expected === 'inside') {
      expect(result).toEqual({ inside: true });
      expect(iso(nextWindowStart(at(instant), zone))).toBe(at(instant).toISOString());
    } else {
      expect(result.inside).toBe(false);
      expect(iso(result.inside ? null : result.next)).toBe(expected);
      expect(iso(nextWindowStart(at(instant), zone))).toBe(expected);
    }
  });

  it.each([SP, MANAUS, RIO_BRANCO, NORONHA])('midnight is never inside (%s)', (zone) => {
    for (let day = 8; day <= 14; day++) {
      const midnight = zonedTimeToUtc(`2026-03-${String(day).padStart(2, '0')}`, '00:00', zone);
      expect(checkSendWindow(midnight, zone).inside).toBe(false);
    }
  });

  it('explains why and when, in pt-BR', () => {
    const cases: Array<[string, string, string]> = [
      [
        '2026-03-14T18:00:00Z',
        MANAUS,
        'fora da janela de envio em America/Manaus (sábado, a partir das 14:00); próximo horário: segunda 16/03 às 08:00',
      ],
      [
        '2026-03-10T10:59:00Z',
        SP,
        'fora da janela de envio em America/Sao_Paulo (terça, antes das 08:00); próximo horário: hoje às 08:00',
      ],
      [
        '2026-03-15T13:00:00Z',
        SP,
        'fora da janela de envio em America/Sao_Paulo (domingo, dia sem envios); próximo horário: segunda 16/03 às 08:00',
      ],
      [
        '2026-09-07T13:00:00Z',
        SP,
        'fora da janela de envio em America/Sao_Paulo (segunda 07/09, feriado: Independência do Brasil); próximo horário: terça 08/09 às 08:00',
      ],
      [
        '2026-12-31T23:30:00Z',
        SP,
        'fora da janela de envio em America/Sao_Paulo (quinta, a partir das 20:00); próximo horário: sábado 02/01/2027 às 08:00',
      ],
    ];
    for (const [instant, zone, motivo] of cases) {
      expect(checkSendWindow(at(instant), zone)).toMatchObject({ inside: false, motivo });
    }
  });
});

describe('checkSendWindow with tenant configs', () => {
  const weekdays = { inicio: '09:00', fim: '18:00' };
  const base: SendWindowConfig = {
    ...DEFAULT_SEND_WINDOW,
    dias: [null, weekdays, weekdays, weekdays, weekdays, weekdays, null],
  };

  it('all days null → never opens: next is null', () => {
    const closed: SendWindowConfig = { dias: [null, null, null, null, null, null, null], respeitar_feriados: true };
    const result = checkSendWindow(at('2026-03-10T13:00:00Z'), SP, closed);
    expect(result).toEqual({
      inside: false,
      next: null,
      motivo:
        'fora da janela de envio em America/Sao_Paulo (terça, dia sem envios); nenhum horário de envio nos próximos 370 dias',
    });
    expect(nextWindowStart(at('2026-03-10T13:00:00Z'), SP, closed)).toBeNull();
  });

  it('a window open one day a week finds next week', () => {
    // Open only on Wednesdays; the next Wednesday is a week away.
    const wednesdays: SendWindowConfig = {
      dias: [null, null, null, weekdays, null, null, null],
      respeitar_feriados: true,
    };
    expect(iso(nextWindowStart(at('2026-03-11T21:00:00Z'), SP, wednesdays))).toBe('2026-03-18T12:00:00.000Z');
  });

  it.each<[string, SendWindowConfig, string, string]>([
    [
      'holidays ignored when respeitar_feriados is false',
      { ...base, respeitar_feriados: false },
      '2026-09-07T13:00:00Z',
      'inside',
    ],
    [
      'Carnaval skipped with incluir_pontos_facultativos',
      { ...base, incluir_pontos_facultativos: true },
      '2026-02-16T13:00:00Z',
      '2026-02-18T12:00:00.000Z',
    ],
    [
      'Corpus Christi skipped with incluir_pontos_facultativos',
      { ...base, incluir_pontos_facultativos: true },
      '2026-06-04T13:00:00Z',
      '2026-06-05T12:00:00.000Z',
    ],
    [
      'municipal holiday from feriados_extras (25/01/2027, São Paulo)',
      { ...base, feriados_extras: ['2027-01-25'] },
      '2027-01-25T13:00:00Z',
      '2027-01-26T12:00:00.000Z',
    ],
    ['tenant hours 09:00–18:00: 08:30 is outside', base, '2026-03-10T11:30:00Z', '2026-03-10T12:00:00.000Z'],
    ['tenant hours: Saturday closed → Monday 09:00', base, '2026-03-14T13:00:00Z', '2026-03-16T12:00:00.000Z'],
  ])('%s', (_label, cfg, instant, expected) => {
    const result = checkSendWindow(at(instant), SP, cfg);
    if (expected === 'inside') expect(result).toEqual({ inside: true });
    else expect(iso(result.inside ? null : result.next)).toBe(expected);
  });

  it('names a tenant-listed holiday as "feriado local"', () => {
    const result = checkSendWindow(at('2027-01-25T13:00:00Z'), SP, { ...base, feriados_extras: ['2027-01-25'] });
    expect(result).toMatchObject({ motivo: expect.stringContaining('(segunda 25/01, feriado local)') });
  });

  it('a window until 24:00 includes 23:59 but not midnight', () => {
    const lateDays = { inicio: '08:00', fim: '24:00' };
    const late: SendWindowConfig = {
      dias: [lateDays, lateDays, lateDays, lateDays, lateDays, lateDays, lateDays],
      respeitar_feriados: false,
    };
    expect(checkSendWindow(at('2026-03-11T02:59:00Z'), SP, late)).toEqual({ inside: true }); // Tue 23:59
    expect(iso(nextWindowStart(at('2026-03-11T03:00:00Z'), SP, late))).toBe('2026-03-11T11:00:00.000Z');
  });
});

describe('localParts', () => {
  it.each([
    ['2026-03-10T02:30:00Z', SP, { date: '2026-03-09', weekday: 1, minutes: 23 * 60 + 30 }],
    ['2026-03-10T03:00:00Z', SP, { date: '2026-03-10', weekday: 2, minutes: 0 }],
    ['2026-03-10T12:30:00Z', RIO_BRANCO, { date: '2026-03-10', weekday: 2, minutes: 7 * 60 + 30 }],
    ['2026-03-15T01:00:00Z', NORONHA, { date: '2026-03-14', weekday: 6, minutes: 23 * 60 }],
    ['2026-03-15T03:59:00Z', MANAUS, { date: '2026-03-14', weekday: 6, minutes: 23 * 60 + 59 }],
  ])('%s in %s', (instant, zone, expected) => {
    expect(localParts(at(instant), zone)).toEqual(expected);
  });

  it('rejects an unknown zone', () => {
    expect(() => localParts(at('2026-03-10T12:00:00Z'), 'America/Atlantis')).toThrow(RangeError);
  });
});

describe('zonedTimeToUtc', () => {
  it.each([
    ['2026-03-10', '08:00', SP, '2026-03-10T11:00:00.000Z'],
    ['2026-03-10', '08:00', MANAUS, '2026-03-10T12:00:00.000Z'],
    ['2026-03-10', '08:00', RIO_BRANCO, '2026-03-10T13:00:00.000Z'],
    ['2026-03-10', '08:00', NORONHA, '2026-03-10T10:00:00.000Z'],
    ['2026-12-31', '23:30', SP, '2027-01-01T02:30:00.000Z'],
    ['2026-03-10', '24:00', SP, '2026-03-11T03:00:00.000Z'],
    // São Paulo before 2019 had DST: summer time (UTC−2) in January.
    ['2018-01-15', '08:00', SP, '2018-01-15T10:00:00.000Z'],
    // 04/11/2018 00:00–00:59 never happened in São Paulo (clocks jumped to 01:00): moved forward.
    ['2018-11-04', '00:30', SP, '2018-11-04T03:30:00.000Z'],
    // 16/02/2019 23:00–23:59 happened twice (DST ended at midnight): the earlier one.
    ['2019-02-16', '23:30', SP, '2019-02-17T01:30:00.000Z'],
    ['2026-03-08', '02:30', 'America/New_York', '2026-03-08T07:30:00.000Z'], // gap
    ['2026-11-01', '01:30', 'America/New_York', '2026-11-01T05:30:00.000Z'], // overlap
    ['2026-07-01', '12:00', 'Asia/Kolkata', '2026-07-01T06:30:00.000Z'], // half-hour offset
  ])('%s %s %s → %s', (date, time, zone, expected) => {
    expect(zonedTimeToUtc(date, time, zone).toISOString()).toBe(expected);
  });

  it('round-trips through localParts', () => {
    const d = zonedTimeToUtc('2026-09-07', '13:45', MANAUS);
    expect(localParts(d, MANAUS)).toEqual({ date: '2026-09-07', weekday: 1, minutes: 13 * 60 + 45 });
  });
});

describe('parseSendWindow', () => {
  const days = (w: unknown) => [null, w, w, w, w, w, null];

  it('accepts the default window and defaults respeitar_feriados to true', () => {
    expect(parseSendWindow(structuredClone(DEFAULT_SEND_WINDOW))).toEqual(DEFAULT_SEND_WINDOW);
    expect(parseSendWindow({ dias: days({ inicio: '09:00', fim: '18:00' }) }).respeitar_feriados).toBe(true);
  });

  it('keeps the optional holiday settings', () => {
    const cfg = parseSendWindow({
      dias: days(null),
      respeitar_feriados: true,
      feriados_extras: ['2027-01-25'],
      incluir_pontos_facultativos: true,
    });
    expect(cfg.feriados_extras).toEqual(['2027-01-25']);
    expect(cfg.incluir_pontos_facultativos).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'Mon-Fri 8-20', /Invalid send window: \(root\)/],
    ['6 days', { dias: [null, null, null, null, null, null] }, /dias: .*7/],
    ['H:MM', { dias: days({ inicio: '8:00', fim: '20:00' }) }, /dias\[1\]\.inicio: expected HH:MM/],
    ['25:00', { dias: days({ inicio: '08:00', fim: '25:00' }) }, /dias\[1\]\.fim: expected HH:MM/],
    ['inicio after fim', { dias: days({ inicio: '20:00', fim: '08:00' }) }, /dias\[1\]: inicio must be before fim/],
    ['inicio equal to fim', { dias: days({ inicio: '08:00', fim: '08:00' }) }, /dias\[1\]: inicio must be before fim/],
    [
      'bad holiday date',
      { dias: days(null), feriados_extras: ['2026-02-30'] },
      /feriados_extras\[0\]: not a real calendar date/,
    ],
    ['unknown key', { dias: days(null), feriados: [] }, /Unrecognized key/],
  ])('rejects %s with a clear English message', (_label, input, message) => {
    expect(() => parseSendWindow(input)).toThrow(message);
    try {
      parseSendWindow(input);
    } catch (err) {
      expect(err).toMatchObject({ name: 'AppError', code: 'invalid_argument' });
    }
  });
});
