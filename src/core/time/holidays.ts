/**
 * Brazilian national holidays (feriados nacionais), for send windows. Dates are local calendar
 * dates ('YYYY-MM-DD'): a holiday is a day in the lead's time zone, not a UTC interval.
 *
 * Carnaval and Corpus Christi are "pontos facultativos" (optional days off decreed each year for
 * federal servants), not holidays by law; many businesses work, so they are opt-in via
 * {@link optionalHolidays}. State holidays come from `date-holidays` by the lead's UF (state-holidays.ts);
 * municipal ones (e.g. 25/01 in São Paulo city) are the tenant's to list in `feriados_extras`.
 */

import { stateHolidays } from './state-holidays.js';

/** A holiday on a local calendar date. */
export interface Holiday {
  /** 'YYYY-MM-DD' */
  date: string;
  /** Name in pt-BR, as shown in a deferral motivo. */
  nome: string;
}

/** `nome` of a date the tenant listed itself (`extra`); such lists carry no names. */
export const LOCAL_HOLIDAY_NAME = 'feriado local';

const MS_PER_DAY = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function assertYear(year: number): void {
  // The Gregorian Easter computus is only meaningful from 1583 on.
  if (!Number.isInteger(year) || year < 1583 || year > 9999) throw new RangeError(`Invalid year: ${year}`);
}

/**
 * Easter Sunday (UTC midnight, in ms) by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
 * Good Friday, Carnaval and Corpus Christi all move with it.
 */
function easterUtc(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

/**
 * Easter Sunday as 'YYYY-MM-DD'.
 *
 * @example easterSunday(2026) // '2026-04-05'
 */
export function easterSunday(year: number): string {
  assertYear(year);
  return iso(easterUtc(year));
}

const easterPlus = (year: number, days: number) => iso(easterUtc(year) + days * MS_PER_DAY);

function computeNational(year: number): Holiday[] {
  const list: Holiday[] = [
    { date: `${year}-01-01`, nome: 'Confraternização Universal' },
    { date: easterPlus(year, -2), nome: 'Sexta-feira Santa' },
    { date: `${year}-04-21`, nome: 'Tiradentes' },
    { date: `${year}-05-01`, nome: 'Dia do Trabalho' },
    { date: `${year}-09-07`, nome: 'Independência do Brasil' },
    { date: `${year}-10-12`, nome: 'Nossa Senhora Aparecida' },
    { date: `${year}-11-02`, nome: 'Finados' },
    { date: `${year}-11-15`, nome: 'Proclamação da República' },
  ];
  // Lei 14.759/2023 made 20/11 a national holiday from 2024 on (before, only some states/cities).
  if (year >= 2024) list.push({ date: `${year}-11-20`, nome: 'Dia Nacional de Zumbi e da Consciência Negra' });
  list.push({ date: `${year}-12-25`, nome: 'Natal' });
  return list.sort((x, y) => x.date.localeCompare(y.date));
}

function computeOptional(year: number): Holiday[] {
  return [
    { date: easterPlus(year, -48), nome: 'Carnaval' },
    { date: easterPlus(year, -47), nome: 'Carnaval' },
    { date: easterPlus(year, 60), nome: 'Corpus Christi' },
  ];
}

// isHoliday runs for every day a send-window search walks over; compute each year once.
const nationalCache = new Map<number, readonly Holiday[]>();
const optionalCache = new Map<number, readonly Holiday[]>();

function cached(
  cache: Map<number, readonly Holiday[]>,
  year: number,
  compute: (y: number) => Holiday[],
): readonly Holiday[] {
  let list = cache.get(year);
  if (!list) {
    assertYear(year);
    list = Object.freeze(compute(year).map((h) => Object.freeze(h)));
    cache.set(year, list);
  }
  return list;
}

/**
 * National holidays of `year`, sorted by date. 20/11 (Consciência Negra) only from 2024 on.
 *
 * @example nationalHolidays(2026).find((h) => h.nome === 'Sexta-feira Santa')?.date // '2026-04-03'
 */
export function nationalHolidays(year: number): Holiday[] {
  return cached(nationalCache, year, computeNational).map((h) => ({ ...h }));
}

/**
 * Pontos facultativos that move with Easter: Carnaval Monday and Tuesday (Easter − 48/−47) and
 * Corpus Christi (Easter + 60). Ash Wednesday (ponto facultativo until 14:00) is left out: a half
 * day does not fit a list of whole days; a tenant closed that day lists it in `feriados_extras`.
 *
 * @example optionalHolidays(2026).map((h) => h.date) // ['2026-02-16', '2026-02-17', '2026-06-04']
 */
export function optionalHolidays(year: number): Holiday[] {
  return cached(optionalCache, year, computeOptional).map((h) => ({ ...h }));
}

/** Options for {@link isHoliday}. */
export interface HolidayOptions {
  /** Also count Carnaval and Corpus Christi. */
  pontosFacultativos?: boolean;
  /** Also count this UF's state holidays (state-holidays.ts). */
  uf?: string | null;
}

/**
 * Whether a local date is a holiday: national, one of `extra` (tenant-listed, e.g. municipal), or
 * — when asked — a ponto facultativo. Throws RangeError for a malformed date.
 *
 * @example isHoliday('2026-09-07')                 // { holiday: true, nome: 'Independência do Brasil' }
 * @example isHoliday('2027-01-25', ['2027-01-25']) // { holiday: true, nome: 'feriado local' }
 * @example isHoliday('2026-09-08')                 // { holiday: false }
 */
export function isHoliday(
  localDate: string,
  extra?: readonly string[],
  options?: HolidayOptions,
): { holiday: boolean; nome?: string } {
  const m = LOCAL_DATE.exec(localDate);
  if (!m) throw new RangeError(`Invalid local date (expected YYYY-MM-DD): ${localDate}`);
  const year = Number(m[1]);
  const found =
    cached(nationalCache, year, computeNational).find((h) => h.date === localDate) ??
    (options?.pontosFacultativos
      ? cached(optionalCache, year, computeOptional).find((h) => h.date === localDate)
      : undefined);
  if (found) return { holiday: true, nome: found.nome };
  const state = options?.uf ? stateHolidays(options.uf, year).find((h) => h.date === localDate) : undefined;
  if (state) return { holiday: true, nome: `${state.nome} (feriado estadual, ${options!.uf})` };
  if (extra?.includes(localDate)) return { holiday: true, nome: LOCAL_HOLIDAY_NAME };
  return { holiday: false };
}
