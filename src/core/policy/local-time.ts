/**
 * Wall-clock time in an IANA zone, through Intl only (no date library). Brazil has had no DST since
 * 2019, but offsets are never hard-coded: a future DST decree then only needs a tzdata update.
 */
import { utcOffsetMinutes } from '../normalize/timezone.js';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^(\d{2}):(\d{2})$/;

// Intl.DateTimeFormat construction is slow; one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // h23: en-US would otherwise print midnight as "24".
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local date, weekday and minutes since local midnight of an instant. */
export interface LocalParts {
  /** 'YYYY-MM-DD' */
  date: string;
  /** 0 = domingo … 6 = sábado */
  weekday: number;
  /** 0–1439 */
  minutes: number;
}

/**
 * Local calendar date, weekday (0 = Sunday) and minutes since midnight of `at` in `timeZone`.
 * Throws RangeError for an unknown zone.
 *
 * @example localParts(new Date('2026-03-10T02:30:00Z'), 'America/Sao_Paulo') // { date: '2026-03-09', weekday: 1, minutes: 1410 }
 */
export function localParts(at: Date, timeZone: string): LocalParts {
  const p: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(at)) p[part.type] = part.value;
  const date = `${p.year}-${p.month}-${p.day}`;
  return { date, weekday: weekdayOf(date), minutes: Number(p.hour) * 60 + Number(p.minute) };
}

function dateMs(date: string): number {
  const m = LOCAL_DATE.exec(date);
  if (!m) throw new RangeError(`Invalid local date (expected YYYY-MM-DD): ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** Weekday of a calendar date, 0 = Sunday. @example weekdayOf('2026-09-07') // 1 */
export function weekdayOf(date: string): number {
  return new Date(dateMs(date)).getUTCDay();
}

/** Calendar arithmetic on 'YYYY-MM-DD'. @example addDays('2026-12-31', 1) // '2027-01-01' */
export function addDays(date: string, days: number): string {
  return new Date(dateMs(date) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 'HH:MM' → minutes since midnight ('24:00' → 1440). @example toMinutes('08:30') // 510 */
export function toMinutes(time: string): number {
  const m = LOCAL_TIME.exec(time);
  if (!m) throw new RangeError(`Invalid local time (expected HH:MM): ${time}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * The instant at which the wall clock in `timeZone` shows `date` `time`.
 *
 * Works for zones with DST too: the offsets a day before and after bracket any transition, and a
 * candidate is kept only if the zone really has that offset at that instant. A time that occurs
 * twice (clocks set back) gives the earlier instant; a time skipped (clocks set forward) is moved
 * forward by the gap — the same choice as JavaScript's Date and Temporal's 'compatible'.
 *
 * @example zonedTimeToUtc('2026-03-10', '08:00', 'America/Sao_Paulo').toISOString() // '2026-03-10T11:00:00.000Z'
 * @example zonedTimeToUtc('2018-11-04', '00:30', 'America/Sao_Paulo').toISOString() // '2018-11-04T03:30:00.000Z' (skipped by DST)
 */
export function zonedTimeToUtc(date: string, time: string, timeZone: string): Date {
  const wall = dateMs(date) + toMinutes(time) * MS_PER_MINUTE;
  const offsetAt = (ms: number) => utcOffsetMinutes(timeZone, new Date(ms)) * MS_PER_MINUTE;
  const before = offsetAt(wall - MS_PER_DAY);
  const after = offsetAt(wall + MS_PER_DAY);
  const valid = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((utc) => offsetAt(utc) === wall - utc);
  return new Date(valid.length > 0 ? Math.min(...valid) : wall - before);
}
