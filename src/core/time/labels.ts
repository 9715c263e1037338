/**
 * Times as a person in Brazil reads them (pt-BR): day names, "terça, 01/12 às 10:00 (horário de
 * Manaus)", the zone's everyday name. Used by meeting messages, send-window reasons, the briefing
 * and the lead resource.
 */
import { formatMinutes, localParts, utcOffsetMinutes } from './wall-clock.js';

/** Day names by weekday (0 = domingo), as in "terça, 01/12". */
export const WEEKDAYS = ['domingo', 'segunda', 'terça', 'quarta', 'quinta', 'sexta', 'sábado'] as const;

/** The full day names (0 = domingo), as in "terça-feira, 01/12/2026". */
export const WEEKDAYS_LONG = [
  'domingo',
  'segunda-feira',
  'terça-feira',
  'quarta-feira',
  'quinta-feira',
  'sexta-feira',
  'sábado',
] as const;

/** 'YYYY-MM-DD' → 'DD/MM'. @example dayMonth('2026-12-01') // '01/12' */
export const dayMonth = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}`;

// "01:30" is "uma e meia": singular article in Portuguese ("à 01:30", "antes da 01:30").
const singular = (hhmm: string) => hhmm.startsWith('01:');

/** "às 10:00", but "à 01:00". */
export const atHour = (hhmm: string): string => `${singular(hhmm) ? 'à' : 'às'} ${hhmm}`;

/** "das 10:00", but "da 01:00" (as in "antes das 08:00", "a partir das 20:00"). */
export const ofHour = (hhmm: string): string => `${singular(hhmm) ? 'da' : 'das'} ${hhmm}`;

const ZONE_NAMES: Record<string, string> = {
  'America/Sao_Paulo': 'horário de Brasília',
  'America/Manaus': 'horário de Manaus',
  'America/Rio_Branco': 'horário do Acre',
  'America/Noronha': 'horário de Fernando de Noronha',
  'America/Boa_Vista': 'horário de Boa Vista',
  'America/Porto_Velho': 'horário de Porto Velho',
  'America/Cuiaba': 'horário de Cuiabá',
  'America/Campo_Grande': 'horário de Campo Grande',
  'America/Eirunepe': 'horário do Acre',
};

/**
 * How a person calls the zone at `at`. Zones at UTC−3 (Belém, Fortaleza, Recife, ...) share Brasília's
 * clock, so they read "horário de Brasília".
 *
 * @example zoneLabel('America/Manaus', now) // 'horário de Manaus'
 */
export function zoneLabel(timeZone: string, at: Date): string {
  if (ZONE_NAMES[timeZone]) return ZONE_NAMES[timeZone];
  const off = utcOffsetMinutes(timeZone, at);
  if (off === -180) return 'horário de Brasília';
  const h = off / 60;
  return `UTC${h < 0 ? '−' : '+'}${Math.abs(h)}`;
}

export interface LocalLabel {
  /** '2026-12-01' */
  date: string;
  /** '10:00' */
  time: string;
  /** "terça, 01/12 às 10:00 (horário de Manaus)" */
  label: string;
  /** "terça-feira, 01/12/2026 às 10:00 (horário de Manaus)" */
  longLabel: string;
  /**
   * The meeting templates' variables (their names are the templates'): data_reuniao
   * "terça-feira, 01/12/2026", hora_reuniao "10:00", fuso "horário de Manaus".
   */
  vars: { data_reuniao: string; hora_reuniao: string; fuso: string };
}

/**
 * An instant as the lead reads it, in their zone.
 *
 * @example localLabel(new Date('2026-12-01T14:00:00Z'), 'America/Manaus').label
 * // 'terça, 01/12 às 10:00 (horário de Manaus)'
 */
export function localLabel(at: Date, timeZone: string): LocalLabel {
  const p = localParts(at, timeZone);
  const time = formatMinutes(p.minutes);
  const dm = dayMonth(p.date);
  const fuso = zoneLabel(timeZone, at);
  const longDate = `${WEEKDAYS_LONG[p.weekday]}, ${dm}/${p.date.slice(0, 4)}`;
  return {
    date: p.date,
    time,
    label: `${WEEKDAYS[p.weekday]}, ${dm} ${atHour(time)} (${fuso})`,
    longLabel: `${longDate} ${atHour(time)} (${fuso})`,
    vars: { data_reuniao: longDate, hora_reuniao: time, fuso },
  };
}
