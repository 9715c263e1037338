import { describe, expect, it } from 'vitest';
import { easterSunday, isHoliday, nationalHolidays, optionalHolidays } from '../../src/core/time/holidays.js';

describe('easterSunday / Sexta-feira Santa', () => {
  it.each([
    // year, Easter Sunday, Good Friday
    [2019, '2019-04-21', '2019-04-19'],
    [2024, '2024-03-31', '2024-03-29'],
    [2025, '2025-04-20', '2025-04-18'],
    [2026, '2026-04-05', '2026-04-03'],
    [2027, '2027-03-28', '2027-03-26'],
    [2028, '2028-04-16', '2028-04-14'],
    [2038, '2038-04-25', '2038-04-23'], // latest possible Easter
    [2285, '2285-03-22', '2285-03-20'], // earliest possible Easter
  ])('%i: Easter %s, Good Friday %s', (year, easter, goodFriday) => {
    expect(easterSunday(year)).toBe(easter);
    expect(nationalHolidays(year)).toContainEqual({ date: goodFriday, nome: 'Sexta-feira Santa' });
  });
});

describe('nationalHolidays', () => {
  it('lists the 10 national holidays of 2026, sorted', () => {
    expect(nationalHolidays(2026)).toEqual([
      { date: '2026-01-01', nome: 'Confraternização Universal' },
      { date: '2026-04-03', nome: 'Sexta-feira Santa' },
      { date: '2026-04-21', nome: 'Tiradentes' },
      { date: '2026-05-01', nome: 'Dia do Trabalho' },
      { date: '2026-09-07', nome: 'Independência do Brasil' },
      { date: '2026-10-12', nome: 'Nossa Senhora Aparecida' },
      { date: '2026-11-02', nome: 'Finados' },
      { date: '2026-11-15', nome: 'Proclamação da República' },
      { date: '2026-11-20', nome: 'Dia Nacional de Zumbi e da Consciência Negra' },
      { date: '2026-12-25', nome: 'Natal' },
    ]);
  });

  it.each([
    [2023, false],
    [2024, true],
    [2026, true],
  ])('Consciência Negra (20/11) in %i: %s (national only since 2024)', (year, present) => {
    expect(nationalHolidays(year).some((h) => h.date === `${year}-11-20`)).toBe(present);
    expect(nationalHolidays(year)).toHaveLength(present ? 10 : 9);
  });

  it('excludes Carnaval and Corpus Christi (pontos facultativos)', () => {
    const dates = nationalHolidays(2026).map((h) => h.date);
    expect(dates).not.toContain('2026-02-16');
    expect(dates).not.toContain('2026-02-17');
    expect(dates).not.toContain('2026-06-04');
  });

  it('returns copies: mutating the result does not corrupt the cache', () => {
    const first = nationalHolidays(2025);
    first.length = 0;
    expect(nationalHolidays(2025)).toHaveLength(10);
  });

  it.each([1500, 2026.5, Number.NaN])('rejects year %s', (year) => {
    expect(() => nationalHolidays(year)).toThrow(RangeError);
  });
});

describe('optionalHolidays', () => {
  it.each([
    [2025, ['2025-03-03', '2025-03-04', '2025-06-19']],
    [2026, ['2026-02-16', '2026-02-17', '2026-06-04']],
    [2027, ['2027-02-08', '2027-02-09', '2027-05-27']],
  ])('%i: Carnaval Monday/Tuesday and Corpus Christi', (year, dates) => {
    expect(optionalHolidays(year)).toEqual([
      { date: dates[0], nome: 'Carnaval' },
      { date: dates[1], nome: 'Carnaval' },
      { date: dates[2], nome: 'Corpus Christi' },
    ]);
  });
});

describe('isHoliday', () => {
  it.each([
    ['2026-09-07', undefined, undefined, { holiday: true, nome: 'Independência do Brasil' }],
    ['2026-09-08', undefined, undefined, { holiday: false }],
    ['2025-04-18', undefined, undefined, { holiday: true, nome: 'Sexta-feira Santa' }],
    ['2023-11-20', undefined, undefined, { holiday: false }],
    ['2024-11-20', undefined, undefined, { holiday: true, nome: 'Dia Nacional de Zumbi e da Consciência Negra' }],
    ['2027-01-25', ['2027-01-25'], undefined, { holiday: true, nome: 'feriado local' }],
    ['2027-01-26', ['2027-01-25'], undefined, { holiday: false }],
    ['2026-02-16', undefined, undefined, { holiday: false }],
    ['2026-02-16', undefined, { pontosFacultativos: true }, { holiday: true, nome: 'Carnaval' }],
    ['2026-06-04', undefined, { pontosFacultativos: true }, { holiday: true, nome: 'Corpus Christi' }],
    // A national holiday keeps its own name even when the tenant also lists it.
    ['2026-12-25', ['2026-12-25'], undefined, { holiday: true, nome: 'Natal' }],
  ])('%s (extra %j, options %j) → %j', (date, extra, options, expected) => {
    expect(isHoliday(date, extra, options)).toEqual(expected);
  });

  it.each(['07/09/2026', '2026-9-7', '', '2026-09-07T00:00'])('rejects malformed date %j', (date) => {
    expect(() => isHoliday(date)).toThrow(RangeError);
  });
});
