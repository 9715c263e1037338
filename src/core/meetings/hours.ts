/**
 * Business hours for meetings: the tenant's send window (per weekday, holidays) read in the lead's
 * local time. A meeting must start and end inside one day's window.
 */
import { isHoliday } from '../policy/holidays.js';
import { addDays, localParts, toMinutes, weekdayOf } from '../policy/local-time.js';
import type { DayWindow, SendWindowConfig } from '../policy/index.js';

const DIAS = ['domingo', 'segunda', 'terça', 'quarta', 'quinta', 'sexta', 'sábado'];

/** The window of a local date, or why there is none (pt-BR). */
export function dayWindow(date: string, cfg: SendWindowConfig): { window: DayWindow } | { closed: string } {
  const weekday = weekdayOf(date);
  if (cfg.respeitar_feriados) {
    const h = isHoliday(date, cfg.feriados_extras, { pontosFacultativos: cfg.incluir_pontos_facultativos });
    if (h.holiday) return { closed: `${date.slice(8, 10)}/${date.slice(5, 7)} é feriado (${h.nome})` };
  }
  const w = cfg.dias[weekday];
  return w ? { window: w } : { closed: `${DIAS[weekday]} não é dia de atendimento` };
}

/**
 * Whether [start, end) lies inside the business hours of one local day in `timeZone`.
 *
 * @example checkBusinessHours(new Date('2026-12-01T14:00:00Z'), new Date('2026-12-01T14:30:00Z'), 'America/Manaus', DEFAULT_SEND_WINDOW)
 * // { ok: true } (terça 10:00–10:30 em Manaus)
 */
export function checkBusinessHours(
  start: Date,
  end: Date,
  timeZone: string,
  cfg: SendWindowConfig,
): { ok: true } | { ok: false; motivo: string } {
  const a = localParts(start, timeZone);
  const b = localParts(new Date(end.getTime() - 1), timeZone);
  const day = dayWindow(a.date, cfg);
  if ('closed' in day) return { ok: false, motivo: day.closed };
  const { inicio, fim } = day.window;
  const endMin = b.minutes + 1;
  if (b.date !== a.date || a.minutes < toMinutes(inicio) || endMin > toMinutes(fim)) {
    return {
      ok: false,
      motivo: `fora do horário de atendimento de ${DIAS[a.weekday]} (${inicio}–${fim}, ${timeZone})`,
    };
  }
  return { ok: true };
}

export { addDays };
