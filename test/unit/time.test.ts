/**
 * core/time: the one module for local time. Parsing of local vs offset date-times, offsets and labels
 * across Brazil's four zones, and the one formatter cache agreeing with normalize/timezone.ts's
 * utcOffsetMinutes (which is to re-export this one).
 */
import { describe, expect, it } from 'vitest';
import { utcOffsetMinutes as normalizeOffset } from '../../src/core/normalize/timezone.js';
import {
  addDays,
  atHour,
  formatMinutes,
  isLocalDate,
  isOffsetDateTime,
  localLabel,
  localParts,
  ofHour,
  parseDateTime,
  toMinutes,
  toZonedIso,
  utcOffsetMinutes,
  WEEKDAYS,
  WEEKDAYS_LONG,
  zoneLabel,
} from '../../src/core/time/index.js';

const SP = 'America/Sao_Paulo';
const MANAUS = 'America/Manaus';
const RIO_BRANCO = 'America/Rio_Branco';
const NORONHA = 'America/Noronha';
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('parseDateTime: an offset wins, else the wall clock of the zone', () => {
  it.each([
    ['2026-12-01T10:00:00-03:00', MANAUS, '2026-12-01T13:00:00.000Z'],
    ['2026-12-01T13:00:00Z', MANAUS, '2026-12-01T13:00:00.000Z'],
    ['2026-12-01t13:00:00z', MANAUS, '2026-12-01T13:00:00.000Z'],
    ['2026-12-01T10:00:00.250+05:30', SP, '2026-12-01T04:30:00.250Z'],
    ['2026-12-01T10:00', SP, '2026-12-01T13:00:00.000Z'],
    ['2026-12-01T10:00', MANAUS, '2026-12-01T14:00:00.000Z'],
    ['2026-12-01 10:00:00', RIO_BRANCO, '2026-12-01T15:00:00.000Z'],
    ['  2026-12-01T10:00  ', NORONHA, '2026-12-01T12:00:00.000Z'],
    ['2026-12-31T23:30', SP, '2027-01-01T02:30:00.000Z'],
  ])('%s in %s → %s', (input, zone, expected) => {
    expect(iso(parseDateTime(input, zone))).toBe(expected);
  });

  it.each([
    'amanhã às 10',
    '10:00',
    '2026-12-01',
    '2026-13-01T10:00',
    '2026-02-30T10:00',
    '2026-12-01T24:00',
    '2026-12-01T10:61',
    '2026-12-01T10:00-3',
    '2026-12-01T10:00:00+25:00',
    '2026-02-30T10:00:00-03:00',
  ])('%s is not a date-time (null)', (input) => {
    expect(parseDateTime(input, SP)).toBeNull();
  });

  it('isLocalDate accepts only days that exist', () => {
    expect(
      ['2026-12-01', '2028-02-29', '2026-02-29', '2026-02-30', '2026-13-01', '2026-1-01'].map(isLocalDate),
    ).toEqual([true, true, false, false, false, false]);
  });

  it('isOffsetDateTime accepts only real date-times with an offset', () => {
    expect(isOffsetDateTime('2026-11-24T13:00:00-03:00')).toBe(true);
    expect(isOffsetDateTime('2026-11-24T13:00Z')).toBe(true);
    expect(isOffsetDateTime('2026-11-24T13:00')).toBe(false);
    expect(isOffsetDateTime('2026-11-24 13:00:00-03:00')).toBe(false);
    expect(isOffsetDateTime('2026-02-30T13:00:00Z')).toBe(false);
    expect(isOffsetDateTime('2026-01-01T24:00:00Z')).toBe(false);
    expect(isOffsetDateTime('2028-02-29T13:00:00Z')).toBe(true);
  });
});

describe('offsets and zoned ISO', () => {
  const instants = ['2018-01-15T12:00:00Z', '2018-11-04T03:30:00Z', '2026-03-01T00:00:00Z', '2026-07-01T12:00:00Z'];
  const zones = [SP, MANAUS, RIO_BRANCO, NORONHA, 'America/New_York', 'Asia/Kolkata', 'UTC'];
  it('utcOffsetMinutes gives what normalize/timezone.ts gives, for every zone and instant', () => {
    for (const z of zones)
      for (const at of instants)
        expect(utcOffsetMinutes(z, new Date(at)), `${z} ${at}`).toBe(normalizeOffset(z, new Date(at)));
  });

  it('toZonedIso writes the wall time with the offset of that instant', () => {
    const at = new Date('2026-12-01T14:00:00Z');
    expect(toZonedIso(at, SP)).toBe('2026-12-01T11:00:00-03:00');
    expect(toZonedIso(at, MANAUS)).toBe('2026-12-01T10:00:00-04:00');
    expect(toZonedIso(at, RIO_BRANCO)).toBe('2026-12-01T09:00:00-05:00');
    expect(toZonedIso(at, NORONHA)).toBe('2026-12-01T12:00:00-02:00');
    expect(toZonedIso(at, 'Asia/Kolkata')).toBe('2026-12-01T19:30:00+05:30');
    expect(toZonedIso(at, 'UTC')).toBe('2026-12-01T14:00:00+00:00');
    // São Paulo in summer time (before 2019).
    expect(toZonedIso(new Date('2018-01-15T12:00:00Z'), SP)).toBe('2018-01-15T10:00:00-02:00');
  });

  it('round-trips: parseDateTime(toZonedIso(x)) = x in every zone', () => {
    const at = new Date('2026-09-07T16:45:00Z');
    for (const z of zones) expect(iso(parseDateTime(toZonedIso(at, z), SP))).toBe(at.toISOString());
  });

  it('local midnight reads 00:00, not 24:00', () => {
    expect(localParts(new Date('2026-03-10T03:00:00Z'), SP)).toEqual({ date: '2026-03-10', weekday: 2, minutes: 0 });
  });
});

describe('pt-BR labels', () => {
  it('day names are defined once, Sunday first', () => {
    expect(WEEKDAYS).toHaveLength(7);
    expect(WEEKDAYS_LONG).toHaveLength(7);
    expect([WEEKDAYS[0], WEEKDAYS[2], WEEKDAYS_LONG[2], WEEKDAYS[6]]).toEqual([
      'domingo',
      'terça',
      'terça-feira',
      'sábado',
    ]);
  });

  it('a meeting instant as the lead reads it, in each zone', () => {
    const at = new Date('2026-12-01T14:00:00Z');
    expect(localLabel(at, MANAUS)).toEqual({
      date: '2026-12-01',
      time: '10:00',
      label: 'terça, 01/12 às 10:00 (horário de Manaus)',
      longLabel: 'terça-feira, 01/12/2026 às 10:00 (horário de Manaus)',
      vars: { data_reuniao: 'terça-feira, 01/12/2026', hora_reuniao: '10:00', fuso: 'horário de Manaus' },
    });
    expect(localLabel(at, RIO_BRANCO).label).toBe('terça, 01/12 às 09:00 (horário do Acre)');
    expect(localLabel(at, NORONHA).label).toBe('terça, 01/12 às 12:00 (horário de Fernando de Noronha)');
    // The local date, not the UTC one: 02:00 UTC on the 2nd is still the 1st in São Paulo.
    expect(localLabel(new Date('2026-12-02T02:00:00Z'), SP).label).toBe('terça, 01/12 às 23:00 (horário de Brasília)');
    expect(localLabel(new Date('2026-12-01T04:00:00Z'), SP).label).toBe('terça, 01/12 à 01:00 (horário de Brasília)');
  });

  it('zones at UTC−3 read "horário de Brasília"; others without a name read their offset', () => {
    const at = new Date('2026-12-01T14:00:00Z');
    expect(zoneLabel('America/Recife', at)).toBe('horário de Brasília');
    expect(zoneLabel('America/Fortaleza', at)).toBe('horário de Brasília');
    expect(zoneLabel('America/Rio_Branco', at)).toBe('horário do Acre');
    expect(zoneLabel('Europe/Lisbon', at)).toBe('UTC+0');
    expect(zoneLabel('America/New_York', at)).toBe('UTC−5');
  });

  it('the article of the hour: à/às, da/das', () => {
    expect([atHour('01:30'), atHour('10:00'), ofHour('01:00'), ofHour('20:00')]).toEqual([
      'à 01:30',
      'às 10:00',
      'da 01:00',
      'das 20:00',
    ]);
  });

  it('HH:MM ↔ minutes and calendar arithmetic', () => {
    for (const m of [0, 59, 60, 510, 1439, 1440]) expect(toMinutes(formatMinutes(m))).toBe(m);
    expect(formatMinutes(510)).toBe('08:30');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });
});
