/**
 * State holidays (feriados estaduais) of a Brazilian UF, from the maintained `date-holidays` package
 * rather than a hand table: Revolução Constitucionalista (SP, 09/07), São Jorge (RJ, 23/04),
 * Emancipação (AL, 16/09)… Only its `public` holidays count; national ones are in holidays.ts.
 */
import Holidays from 'date-holidays';
import type { Holiday } from './holidays.js';

/** The 27 UFs date-holidays knows for Brazil. */
export const UFS = [
  'AC',
  'AL',
  'AM',
  'AP',
  'BA',
  'CE',
  'DF',
  'ES',
  'GO',
  'MA',
  'MG',
  'MS',
  'MT',
  'PA',
  'PB',
  'PE',
  'PI',
  'PR',
  'RJ',
  'RN',
  'RO',
  'RR',
  'RS',
  'SC',
  'SE',
  'SP',
  'TO',
] as const;
export type Uf = (typeof UFS)[number];

const cache = new Map<string, Holiday[]>();

/**
 * The public holidays of a UF in a year (national ones included), as local dates.
 *
 * @example stateHolidays('SP', 2026).find((h) => h.date === '2026-07-09')?.nome // 'Revolução Constitucionalista'
 */
export function stateHolidays(uf: string, year: number): Holiday[] {
  const key = `${uf}|${year}`;
  let list = cache.get(key);
  if (!list) {
    const hd = new Holidays('BR', uf, { languages: ['pt'], types: ['public'] });
    list = (hd.getHolidays(year) || [])
      .filter((h) => h.type === 'public')
      .map((h) => ({ date: h.date.slice(0, 10), nome: h.name }));
    cache.set(key, list);
  }
  return list;
}
