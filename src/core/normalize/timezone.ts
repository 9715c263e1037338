/**
 * DDD → IANA time zone, so dispatch windows ("08:00–20:00 local time") respect where the
 * lead lives. Brazil has four offsets and no DST since 2019, but we still resolve the offset
 * through Intl so a future DST decree only needs a tzdata update, not a code change.
 */

/** The 67 area codes (DDDs) in use in Brazil. */
export const VALID_DDDS: ReadonlySet<string> = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '16',
  '17',
  '18',
  '19',
  '21',
  '22',
  '24',
  '27',
  '28',
  '31',
  '32',
  '33',
  '34',
  '35',
  '37',
  '38',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '47',
  '48',
  '49',
  '51',
  '53',
  '54',
  '55',
  '61',
  '62',
  '63',
  '64',
  '65',
  '66',
  '67',
  '68',
  '69',
  '71',
  '73',
  '74',
  '75',
  '77',
  '79',
  '81',
  '82',
  '83',
  '84',
  '85',
  '86',
  '87',
  '88',
  '89',
  '91',
  '92',
  '93',
  '94',
  '95',
  '96',
  '97',
  '98',
  '99',
]);

/** Default for the South/Southeast/DF/GO and for anything unknown (UTC−3, the majority). */
export const DEFAULT_TIMEZONE = 'America/Sao_Paulo';

const ZONE_BY_DDD: Readonly<Record<string, string>> = {
  '68': 'America/Rio_Branco', // AC, UTC−5
  // AM. Part of DDD 97 (Eirunepé, the Juruá valley) is UTC−5 (America/Eirunepe), but the
  // DDD does not tell which city; Manaus time is right for most of the area.
  '92': 'America/Manaus',
  '97': 'America/Manaus',
  '95': 'America/Boa_Vista', // RR
  '69': 'America/Porto_Velho', // RO
  '65': 'America/Cuiaba', // MT
  '66': 'America/Cuiaba', // MT
  '67': 'America/Campo_Grande', // MS
  '91': 'America/Belem', // PA
  '93': 'America/Belem', // PA
  '94': 'America/Belem', // PA
  '96': 'America/Belem', // AP
  '63': 'America/Araguaina', // TO
  '98': 'America/Fortaleza', // MA
  '99': 'America/Fortaleza', // MA
  '86': 'America/Fortaleza', // PI
  '89': 'America/Fortaleza', // PI
  '85': 'America/Fortaleza', // CE
  '88': 'America/Fortaleza', // CE
  '84': 'America/Fortaleza', // RN
  '83': 'America/Recife', // PB
  // PE. Fernando de Noronha (UTC−2, America/Noronha) shares DDD 81 with Recife, so it
  // cannot be inferred from the phone; set the lead's timezone explicitly for it.
  '81': 'America/Recife',
  '87': 'America/Recife', // PE
  '82': 'America/Maceio', // AL
  '79': 'America/Maceio', // SE
  '71': 'America/Bahia', // BA
  '73': 'America/Bahia',
  '74': 'America/Bahia',
  '75': 'America/Bahia',
  '77': 'America/Bahia',
};

/**
 * IANA time zone for a DDD; unknown/null DDDs fall back to America/Sao_Paulo.
 *
 * @example timezoneForDdd('92') // 'America/Manaus'
 * @example timezoneForDdd('11') // 'America/Sao_Paulo'
 * @example timezoneForDdd(null) // 'America/Sao_Paulo'
 */
export function timezoneForDdd(ddd: string | null): string {
  if (ddd == null) return DEFAULT_TIMEZONE;
  return ZONE_BY_DDD[String(ddd).trim()] ?? DEFAULT_TIMEZONE;
}

/** Offset of a zone from UTC at an instant, in minutes: core/time's one formatter cache. */
export { utcOffsetMinutes } from '../time/index.js';
