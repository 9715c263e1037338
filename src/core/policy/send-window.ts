/**
 * Send windows (DESIGN §5): may we message this lead now, in their local time, and if not, when?
 * Outside the window a send is deferred to the returned instant, never dropped.
 */
import {
  addDays,
  atHour,
  dayMonth,
  formatMinutes,
  isHoliday,
  LOCAL_HOLIDAY_NAME,
  localParts,
  ofHour,
  toMinutes,
  weekdayOf,
  WEEKDAYS,
  zonedTimeToUtc,
} from '../time/index.js';
import { DEFAULT_SEND_WINDOW, type DayWindow, type SendWindowConfig } from './send-window-config.js';

export { DEFAULT_SEND_WINDOW, parseSendWindow, type DayWindow, type SendWindowConfig } from './send-window-config.js';

/** Inside the window, or outside with the next allowed instant (null: never within a year) and why, in pt-BR. */
export type WindowCheck = { inside: true } | { inside: false; next: Date | null; motivo: string };

/** How far ahead to look; a bit over a year so an annual calendar always finds its next opening. */
const SEARCH_DAYS = 370;

/**
 * The hours a local date is open under a window config, or why it is closed: a holiday (national,
 * the tenant's own, or a ponto facultativo when asked) or a weekday without hours. The send window
 * and the meetings' business hours both read a day through this; each words the reason its own way.
 *
 * @example dayHours('2026-09-07', DEFAULT_SEND_WINDOW)
 * // { closed: 'holiday', weekday: 1, holiday: 'Independência do Brasil' }
 * @example dayHours('2026-09-08', DEFAULT_SEND_WINDOW) // { window: { inicio: '08:00', fim: '20:00' }, weekday: 2 }
 */
export function dayHours(
  date: string,
  cfg: SendWindowConfig,
):
  | { window: DayWindow; weekday: number }
  | { closed: 'holiday'; weekday: number; holiday: string }
  | { closed: 'day'; weekday: number } {
  const weekday = weekdayOf(date);
  if (cfg.respeitar_feriados) {
    const h = isHoliday(date, cfg.feriados_extras, { pontosFacultativos: cfg.incluir_pontos_facultativos, uf: cfg.uf });
    if (h.holiday) return { closed: 'holiday', weekday, holiday: h.nome! };
  }
  const window = cfg.dias[weekday];
  return window ? { window, weekday } : { closed: 'day', weekday };
}

/** Why a closed day is closed, for a send deferral: "segunda 07/09, feriado: Independência do Brasil". */
function closedReason(date: string, day: { closed: 'holiday'; holiday: string } | { closed: 'day' }, weekday: number) {
  if (day.closed === 'day') return `${WEEKDAYS[weekday]}, dia sem envios`;
  const what = day.holiday === LOCAL_HOLIDAY_NAME ? LOCAL_HOLIDAY_NAME : `feriado: ${day.holiday}`;
  return `${WEEKDAYS[weekday]} ${dayMonth(date)}, ${what}`;
}

/**
 * The earliest instant at or after `at` when sending is allowed: `at` itself when inside the
 * window, else the start of the next open day's window. Null if the config never opens within
 * 370 days (e.g. every day null).
 *
 * @example nextWindowStart(new Date('2026-03-13T23:00:00Z'), 'America/Sao_Paulo')
 * // 2026-03-14T11:00:00.000Z (Saturday 08:00)
 */
export function nextWindowStart(at: Date, timeZone: string, cfg: SendWindowConfig = DEFAULT_SEND_WINDOW): Date | null {
  const now = localParts(at, timeZone);
  for (let d = 0; d <= SEARCH_DAYS; d++) {
    const date = addDays(now.date, d);
    const day = dayHours(date, cfg);
    if (!('window' in day)) continue;
    if (d === 0) {
      if (now.minutes >= toMinutes(day.window.fim)) continue;
      if (now.minutes >= toMinutes(day.window.inicio)) return at;
    }
    return zonedTimeToUtc(date, day.window.inicio, timeZone);
  }
  return null;
}

function describeNext(next: Date, today: string, timeZone: string): string {
  const p = localParts(next, timeZone);
  const at = atHour(formatMinutes(p.minutes));
  if (p.date === today) return `hoje ${at}`;
  const year = p.date.slice(0, 4) === today.slice(0, 4) ? '' : `/${p.date.slice(0, 4)}`;
  return `${WEEKDAYS[p.weekday]} ${dayMonth(p.date)}${year} ${at}`;
}

/**
 * Whether `at` is inside the send window in the lead's `timeZone`; when not, the next allowed
 * instant and a pt-BR motivo for the operator, e.g. 'fora da janela de envio em America/Manaus (sábado, a
 * partir das 14:00); próximo horário: segunda 16/03 às 08:00'.
 *
 * @example checkSendWindow(new Date('2026-03-10T13:00:00Z'), 'America/Sao_Paulo') // { inside: true } (Tuesday 10:00)
 */
export function checkSendWindow(at: Date, timeZone: string, cfg: SendWindowConfig = DEFAULT_SEND_WINDOW): WindowCheck {
  const now = localParts(at, timeZone);
  const day = dayHours(now.date, cfg);
  let why: string;
  if (!('window' in day)) {
    why = closedReason(now.date, day, now.weekday);
  } else if (now.minutes < toMinutes(day.window.inicio)) {
    why = `${WEEKDAYS[now.weekday]}, antes ${ofHour(day.window.inicio)}`;
  } else if (now.minutes >= toMinutes(day.window.fim)) {
    why = `${WEEKDAYS[now.weekday]}, a partir ${ofHour(day.window.fim)}`;
  } else {
    return { inside: true };
  }
  const next = nextWindowStart(at, timeZone, cfg);
  const then = next
    ? `próximo horário: ${describeNext(next, now.date, timeZone)}`
    : `nenhum horário de envio nos próximos ${SEARCH_DAYS} dias`;
  return { inside: false, next, motivo: `fora da janela de envio em ${timeZone} (${why}); ${then}` };
}
