/**
 * Meeting times: reading a start the caller gave (with an offset, or a local wall time in the lead's
 * zone), writing instants with the lead's offset, and pt-BR labels for messages.
 */
import { AppError } from '../errors.js';
import { utcOffsetMinutes } from '../normalize/timezone.js';
import { localParts, zonedTimeToUtc } from '../policy/index.js';

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const LOCAL = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?$/;

/**
 * The instant of a meeting start: ISO 8601 with an offset (or Z) as given, or a local date-time
 * without offset read in `timeZone` (the lead's).
 *
 * @example parseStart('2026-12-01T10:00', 'America/Manaus').toISOString() // '2026-12-01T14:00:00.000Z'
 */
export function parseStart(input: string, timeZone: string): Date {
  const s = input.trim();
  if (WITH_OFFSET.test(s)) {
    const d = new Date(s);
    if (!Number.isNaN(d.getTime())) return d;
  }
  const m = LOCAL.exec(s);
  if (m) {
    const d = zonedTimeToUtc(m[1], m[2], timeZone);
    if (!Number.isNaN(d.getTime()) && localParts(d, timeZone).date === m[1]) return d;
  }
  throw new AppError(
    'invalid_argument',
    `start "${input}" is not a date-time. Use ISO 8601 with an offset (2026-12-01T10:00:00-03:00) or a local time in the lead's zone (2026-12-01T10:00).`,
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The instant with the zone's offset, e.g. 2026-12-01T10:00:00-04:00. */
export function toZonedIso(at: Date, timeZone: string): string {
  const off = utcOffsetMinutes(timeZone, at);
  const wall = new Date(at.getTime() + off * 60_000).toISOString().slice(0, 19);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${wall}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

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
 * How a person calls the zone. Zones at UTC−3 (Belém, Fortaleza, Recife, ...) share Brasília's clock,
 * so they read "horário de Brasília".
 *
 * @example zoneLabel('America/Manaus') // 'horário de Manaus'
 */
export function zoneLabel(timeZone: string, at = new Date()): string {
  if (ZONE_NAMES[timeZone]) return ZONE_NAMES[timeZone];
  const off = utcOffsetMinutes(timeZone, at);
  if (off === -180) return 'horário de Brasília';
  const h = off / 60;
  return `UTC${h < 0 ? '−' : '+'}${Math.abs(h)}`;
}

const DIAS = ['domingo', 'segunda', 'terça', 'quarta', 'quinta', 'sexta', 'sábado'];
const DIAS_LONGOS = [
  'domingo',
  'segunda-feira',
  'terça-feira',
  'quarta-feira',
  'quinta-feira',
  'sexta-feira',
  'sábado',
];

export interface LocalLabel {
  /** '2026-12-01' */
  data: string;
  /** '10:00' */
  hora: string;
  /** "terça, 01/12 às 10:00 (horário de Manaus)" */
  rotulo: string;
  /** Template variables: data_reuniao "terça-feira, 01/12/2026", hora_reuniao "10:00", fuso "horário de Manaus". */
  vars: { data_reuniao: string; hora_reuniao: string; fuso: string };
}

/** A meeting instant as the lead reads it, in their zone. */
export function localLabel(at: Date, timeZone: string): LocalLabel {
  const p = localParts(at, timeZone);
  const hora = `${pad(Math.floor(p.minutes / 60))}:${pad(p.minutes % 60)}`;
  const dm = `${p.date.slice(8, 10)}/${p.date.slice(5, 7)}`;
  const fuso = zoneLabel(timeZone, at);
  // "à 01:00" but "às 10:00".
  const as = hora.startsWith('01:') ? 'à' : 'às';
  return {
    data: p.date,
    hora,
    rotulo: `${DIAS[p.weekday]}, ${dm} ${as} ${hora} (${fuso})`,
    vars: { data_reuniao: `${DIAS_LONGOS[p.weekday]}, ${dm}/${p.date.slice(0, 4)}`, hora_reuniao: hora, fuso },
  };
}
