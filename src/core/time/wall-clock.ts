/**
 * Wall-clock time in an IANA zone, through Intl only (no date library). Brazil has had no DST since
 * 2019, but offsets are never hard-coded: a future DST decree then only needs a tzdata update.
 *
 * Everything here is pure: the current instant always comes from the caller (scope.clock.now()).
 */
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^(\d{2}):(\d{2})$/;

// Intl.DateTimeFormat construction is slow (tens of µs): one per zone, for the wall clock and the offset.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // h23: en-US would otherwise print midnight as "24". longOffset: "GMT-03:00" (plain "GMT" for UTC).
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function partsOf(at: Date, timeZone: string): Record<string, string> {
  const p: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(at)) p[part.type] = part.value;
  return p;
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
 * @example localParts(new Date('2026-03-10T02:30:00Z'), 'America/Sao_Paulo')
 * // { date: '2026-03-09', weekday: 1, minutes: 1410 }
 */
export function localParts(at: Date, timeZone: string): LocalParts {
  const p = partsOf(at, timeZone);
  const date = `${p.year}-${p.month}-${p.day}`;
  return { date, weekday: weekdayOf(date), minutes: Number(p.hour) * 60 + Number(p.minute) };
}

/**
 * Offset of `zone` from UTC at instant `at`, in minutes (negative west of Greenwich).
 * Throws RangeError for an unknown zone name (Intl's behaviour), so typos surface early.
 *
 * @example utcOffsetMinutes('America/Sao_Paulo', new Date('2025-01-15T12:00:00Z')) // -180
 * @example utcOffsetMinutes('America/Rio_Branco', new Date('2025-01-15T12:00:00Z')) // -300
 */
export function utcOffsetMinutes(zone: string, at: Date): number {
  const name = partsOf(at, zone).timeZoneName;
  const m = name ? /^GMT([+-])(\d{2}):?(\d{2})?$/.exec(name) : null;
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
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

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Minutes since midnight → 'HH:MM' (the inverse of toMinutes). @example formatMinutes(510) // '08:30' */
export function formatMinutes(minutes: number): string {
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
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
 * @example zonedTimeToUtc('2018-11-04', '00:30', 'America/Sao_Paulo').toISOString() // '2018-11-04T03:30:00.000Z'
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

/**
 * The instant as RFC 3339 with the zone's offset: what a person in that zone reads, and what a
 * calendar server needs. @example toZonedIso(new Date('2026-12-01T14:00:00Z'), 'America/Manaus')
 * // '2026-12-01T10:00:00-04:00'
 */
export function toZonedIso(at: Date, timeZone: string): string {
  const off = utcOffsetMinutes(timeZone, at);
  const wall = new Date(at.getTime() + off * MS_PER_MINUTE).toISOString().slice(0, 19);
  return `${wall}${off < 0 ? '-' : '+'}${formatMinutes(Math.abs(off))}`;
}
