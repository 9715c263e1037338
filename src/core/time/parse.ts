/**
 * Reading date-times a caller gives: RFC 3339 with an offset (or Z), or a local wall time without
 * offset, read in a zone (the lead's).
 */
import { localParts, zonedTimeToUtc } from './wall-clock.js';

/** RFC 3339 / ISO 8601 date-time with seconds optional and an offset or Z ('T' and 'Z' in any case). */
export const OFFSET_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?$/;

/** Whether y-m-d names a day that exists (Date.parse rolls 2026-02-30 over to March). */
const realDate = (y: string, m: string, d: string) =>
  new Date(Date.UTC(+y, +m - 1, +d)).toISOString().slice(0, 10) === `${y}-${m}-${d}`;

/**
 * Whether `s` is a calendar date 'YYYY-MM-DD' that exists.
 *
 * @example isLocalDate('2028-02-29') // true
 * @example isLocalDate('2026-02-30') // false
 */
export function isLocalDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return !!m && realDate(m[1], m[2], m[3]);
}

/**
 * Whether `s` is a real date-time with an offset: a day that exists, hours 00–23 (Date.parse takes
 * 2026-02-30 and 24:00 and rolls them over).
 *
 * @example isOffsetDateTime('2026-11-24T13:00:00-03:00') // true
 * @example isOffsetDateTime('2026-11-24T13:00')          // false (no offset)
 * @example isOffsetDateTime('2026-02-30T13:00:00Z')      // false (no such day)
 */
export function isOffsetDateTime(s: string): boolean {
  const m = OFFSET_DATE_TIME.exec(s);
  return !!m && realDate(m[1], m[2], m[3]) && Number(m[4]) <= 23 && !Number.isNaN(Date.parse(s));
}

/**
 * The instant of a date-time: with an offset (or Z) as given, or a local date-time without offset
 * ('2026-12-01T10:00', '2026-12-01 10:00:00') read in `timeZone`. Null when it is neither, or names a
 * day that does not exist (2026-02-30).
 *
 * @example parseDateTime('2026-12-01T10:00', 'America/Manaus')?.toISOString()       // '2026-12-01T14:00:00.000Z'
 * @example parseDateTime('2026-12-01T10:00:00-03:00', 'America/Manaus')?.toISOString() // '2026-12-01T13:00:00.000Z'
 */
export function parseDateTime(input: string, timeZone: string): Date | null {
  const s = input.trim();
  if (isOffsetDateTime(s)) return new Date(s);
  const m = LOCAL_DATE_TIME.exec(s);
  if (!m) return null;
  const [, date, time] = m;
  if (Number(time.slice(0, 2)) > 23 || Number(time.slice(3)) > 59) return null;
  const d = zonedTimeToUtc(date, time, timeZone);
  // zonedTimeToUtc rolls 2026-02-30 over to March: a different local date means no such day.
  return !Number.isNaN(d.getTime()) && localParts(d, timeZone).date === date ? d : null;
}
