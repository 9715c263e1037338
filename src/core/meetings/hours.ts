/**
 * Business hours for meetings: the tenant's send window (per weekday, holidays) read in the lead's
 * local time. A meeting must start and end inside one day's window.
 */
import { dayHours, type DayWindow, type SendWindowConfig } from '../policy/index.js';
import { dayMonth, localParts, toMinutes, WEEKDAYS } from '../time/index.js';

/** The business hours of a local date, or why there are none (pt-BR). */
export function meetingHours(date: string, cfg: SendWindowConfig): { window: DayWindow } | { closed: string } {
  const day = dayHours(date, cfg);
  if ('window' in day) return { window: day.window };
  return day.closed === 'holiday'
    ? { closed: `${dayMonth(date)} é feriado (${day.holiday})` }
    : { closed: `${WEEKDAYS[day.weekday]} não é dia de atendimento` };
}

/**
 * Whether [start, end) lies inside the business hours of one local day in `timeZone`.
 *
 * @example
 * const at = (iso: string) => new Date(iso);
 * checkBusinessHours(at('2026-12-01T14:00:00Z'), at('2026-12-01T14:30:00Z'), 'America/Manaus', DEFAULT_SEND_WINDOW)
 * // { ok: true } (terça 10:00–10:30 em Manaus)
 */
export function checkBusinessHours(
  start: Date,
  end: Date,
  timeZone: string,
  cfg: SendWindowConfig,
): { ok: true } | { ok: false; reason: string } {
  const a = localParts(start, timeZone);
  const b = localParts(new Date(end.getTime() - 1), timeZone);
  const day = meetingHours(a.date, cfg);
  if ('closed' in day) return { ok: false, reason: day.closed };
  const { inicio, fim } = day.window;
  if (b.date !== a.date || a.minutes < toMinutes(inicio) || b.minutes + 1 > toMinutes(fim)) {
    return {
      ok: false,
      reason: `fora do horário de atendimento de ${WEEKDAYS[a.weekday]} (${inicio}–${fim}, ${timeZone})`,
    };
  }
  return { ok: true };
}
