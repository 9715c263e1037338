/**
 * A Brazilian UF (state) from a sheet's city/UF cell: "Campinas/SP", "Campinas - SP", "Niterói (RJ)",
 * "SP", "São Paulo", "Minas Gerais". Null when the cell names no state (a city alone is not enough).
 */
import { UFS } from '../time/state-holidays.js';

const UF_SET: ReadonlySet<string> = new Set(UFS);

const STATE_NAMES: Record<string, string> = {
  acre: 'AC',
  alagoas: 'AL',
  amapa: 'AP',
  amazonas: 'AM',
  bahia: 'BA',
  ceara: 'CE',
  'distrito federal': 'DF',
  'espirito santo': 'ES',
  goias: 'GO',
  maranhao: 'MA',
  'mato grosso': 'MT',
  'mato grosso do sul': 'MS',
  'minas gerais': 'MG',
  para: 'PA',
  paraiba: 'PB',
  parana: 'PR',
  pernambuco: 'PE',
  piaui: 'PI',
  'rio de janeiro': 'RJ',
  'rio grande do norte': 'RN',
  'rio grande do sul': 'RS',
  rondonia: 'RO',
  roraima: 'RR',
  'santa catarina': 'SC',
  'sao paulo': 'SP',
  sergipe: 'SE',
  tocantins: 'TO',
  brasilia: 'DF',
};

const plain = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * @example parseUf('Campinas/SP') // 'SP'
 * @example parseUf('Niterói - rj') // 'RJ'
 * @example parseUf('Minas Gerais') // 'MG'
 * @example parseUf('Campinas') // null
 */
export function parseUf(cell: string): string | null {
  const text = cell.trim();
  if (!text) return null;
  // A trailing two-letter token after a separator, or the whole cell: "Campinas/SP", "Recife, PE", "(RJ)".
  const m = /(?:^|[\s/,\-–(])([A-Za-z]{2})\)?\.?$/.exec(text);
  if (m && UF_SET.has(m[1].toUpperCase())) return m[1].toUpperCase();
  const name = plain(text);
  if (STATE_NAMES[name]) return STATE_NAMES[name];
  // "Belo Horizonte / Minas Gerais": the part after the last separator.
  const last = plain(text.split(/[/,\-–]/).pop() ?? '');
  return STATE_NAMES[last] ?? null;
}

/** A UF's time zone (its capital's): used when the sheet's UF differs from the phone's DDD. */
export const UF_TIMEZONE: Readonly<Record<string, string>> = Object.freeze({
  AC: 'America/Rio_Branco',
  AM: 'America/Manaus',
  RR: 'America/Boa_Vista',
  RO: 'America/Porto_Velho',
  MT: 'America/Cuiaba',
  MS: 'America/Campo_Grande',
  PA: 'America/Belem',
  AP: 'America/Belem',
  TO: 'America/Araguaina',
  MA: 'America/Fortaleza',
  PI: 'America/Fortaleza',
  CE: 'America/Fortaleza',
  RN: 'America/Fortaleza',
  PB: 'America/Recife',
  PE: 'America/Recife',
  AL: 'America/Maceio',
  SE: 'America/Maceio',
  BA: 'America/Bahia',
});
