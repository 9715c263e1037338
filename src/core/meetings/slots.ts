/**
 * Free meeting slots: walk the business hours of the next days in the lead's zone, step by step,
 * and keep the starts whose whole meeting avoids every busy interval. Pure.
 */
import { MINUTE_MS } from '../model/index.js';
import type { SendWindowConfig } from '../policy/index.js';
import { addDays, formatMinutes, localParts, toMinutes, zonedTimeToUtc } from '../time/index.js';
import { meetingHours } from './hours.js';

export interface SlotRequest {
  now: Date;
  timeZone: string;
  hours: SendWindowConfig;
  /** Local calendar days to look at, today included. */
  days: number;
  durationMinutes: number;
  /** Distance between candidate starts (aligned to the window's start). */
  stepMinutes: number;
  /** The earliest start is this far after now. */
  minNoticeMinutes: number;
  maxSlots: number;
  /** At most this many per day, so the proposal spreads over several days. */
  perDay: number;
  busy: ReadonlyArray<{ start: Date; end: Date }>;
}

export interface Slot {
  start: Date;
  end: Date;
}

/**
 * Free slots, day by day in the lead's zone: every step of the day's business hours where the whole
 * meeting fits, starts at least `minNoticeMinutes` after now and overlaps nothing busy; at most
 * `perDay` a day (spread over the day) and `maxSlots` in all.
 */
export function freeSlots(r: SlotRequest): Slot[] {
  const out: Slot[] = [];
  const earliest = r.now.getTime() + r.minNoticeMinutes * MINUTE_MS;
  const today = localParts(r.now, r.timeZone).date;
  for (let d = 0; d < r.days && out.length < r.maxSlots; d++) {
    const date = addDays(today, d);
    const day = meetingHours(date, r.hours);
    if (!('window' in day)) continue;
    const open = toMinutes(day.window.inicio);
    const close = toMinutes(day.window.fim);
    const free: Slot[] = [];
    for (let m = open; m + r.durationMinutes <= close; m += r.stepMinutes) {
      const start = zonedTimeToUtc(date, formatMinutes(m), r.timeZone);
      const end = new Date(start.getTime() + r.durationMinutes * MINUTE_MS);
      if (start.getTime() < earliest) continue;
      if (r.busy.some((b) => b.start < end && b.end > start)) continue;
      free.push({ start, end });
    }
    out.push(...spread(free, Math.min(r.perDay, r.maxSlots - out.length)));
  }
  return out;
}

/** n items evenly spread over the list (first and last included), so a day offers morning and afternoon. */
function spread<T>(items: T[], n: number): T[] {
  if (n <= 0) return [];
  if (items.length <= n) return items;
  if (n === 1) return [items[0]];
  const picked = new Set<number>();
  for (let i = 0; i < n; i++) picked.add(Math.round((i * (items.length - 1)) / (n - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => items[i]);
}
