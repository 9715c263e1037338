import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEZONE, timezoneForDdd, utcOffsetMinutes, VALID_DDDS } from '../../src/core/normalize/index.js';

describe('timezoneForDdd', () => {
  it.each([
    ['11', 'America/Sao_Paulo'],
    ['21', 'America/Sao_Paulo'],
    ['61', 'America/Sao_Paulo'], // DF
    ['62', 'America/Sao_Paulo'], // GO
    ['92', 'America/Manaus'],
    ['97', 'America/Manaus'],
    ['68', 'America/Rio_Branco'],
    ['95', 'America/Boa_Vista'],
    ['69', 'America/Porto_Velho'],
    ['65', 'America/Cuiaba'],
    ['66', 'America/Cuiaba'],
    ['67', 'America/Campo_Grande'],
    ['91', 'America/Belem'],
    ['96', 'America/Belem'],
    ['63', 'America/Araguaina'],
    ['98', 'America/Fortaleza'],
    ['85', 'America/Fortaleza'],
    ['84', 'America/Fortaleza'],
    ['83', 'America/Recife'],
    ['81', 'America/Recife'], // Fernando de Noronha shares it; cannot be inferred
    ['82', 'America/Maceio'],
    ['79', 'America/Maceio'],
    ['71', 'America/Bahia'],
    ['77', 'America/Bahia'],
    ['20', 'America/Sao_Paulo'], // unknown DDD
    [null, 'America/Sao_Paulo'],
  ])('timezoneForDdd(%j) → %s', (ddd, zone) => {
    expect(timezoneForDdd(ddd)).toBe(zone);
  });

  it('defaults to São Paulo', () => {
    expect(DEFAULT_TIMEZONE).toBe('America/Sao_Paulo');
  });
});

describe('VALID_DDDS', () => {
  it('has the 67 DDDs in use', () => {
    expect(VALID_DDDS.size).toBe(67);
  });

  it.each(['11', '19', '21', '28', '38', '49', '51', '55', '69', '79', '89', '99'])('includes %s', (ddd) => {
    expect(VALID_DDDS.has(ddd)).toBe(true);
  });

  it.each([
    '10',
    '20',
    '23',
    '25',
    '26',
    '29',
    '30',
    '36',
    '39',
    '40',
    '50',
    '52',
    '56',
    '60',
    '70',
    '72',
    '76',
    '78',
    '80',
    '90',
  ])('excludes %s', (ddd) => {
    expect(VALID_DDDS.has(ddd)).toBe(false);
  });
});

describe('utcOffsetMinutes', () => {
  // Brazil has had no DST since 2019, so summer and winter give the same offsets.
  const january = new Date('2025-01-15T12:00:00Z');
  const july = new Date('2025-07-15T12:00:00Z');

  it.each([
    ['America/Sao_Paulo', -180],
    ['America/Manaus', -240],
    ['America/Rio_Branco', -300],
    ['America/Noronha', -120],
    ['America/Recife', -180],
    ['UTC', 0],
    ['Asia/Kolkata', 330],
  ])('%s is %i minutes from UTC all year', (zone, minutes) => {
    expect(utcOffsetMinutes(zone, january)).toBe(minutes);
    expect(utcOffsetMinutes(zone, july)).toBe(minutes);
  });

  it('follows DST where it exists', () => {
    expect(utcOffsetMinutes('America/New_York', january)).toBe(-300);
    expect(utcOffsetMinutes('America/New_York', july)).toBe(-240);
  });

  it('saw São Paulo DST before it was abolished (2019)', () => {
    expect(utcOffsetMinutes('America/Sao_Paulo', new Date('2018-12-15T12:00:00Z'))).toBe(-120);
  });

  it('throws on an unknown zone', () => {
    expect(() => utcOffsetMinutes('America/Atlantida', january)).toThrow(RangeError);
  });
});
