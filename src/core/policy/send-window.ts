/**
 * Send windows (DESIGN §5): may we message this lead now, in their local time, and if not, when?
 * Outside the window a send is deferred to the returned instant, never dropped.
 */
import { isHoliday, LOCAL_HOLIDAY_NAME } from './holidays.js';
import { addDays, localParts, toMinutes, zonedTimeToUtc } from './local-time.js';
import { DEFAULT_SEND_WINDOW, type DayWindow, type SendWindowConfig } from './send-window-config.js';

export { localParts, zonedTimeToUtc, type LocalParts } from './local-time.js';
export { DEFAULT_SEND_WINDOW, parseSendWindow, type DayWindow, type SendWindowConfig } from './send-window-config.js';

/** Inside the window, or outside with the next allowed instant (null: never within a year) and why, in pt-BR. */
export type WindowCheck = { inside: true } | { inside: false; next: Date | null; motivo: string };

/** How far ahead to look; a bit over a year so an annual calendar always finds its next opening. */
const SEARCH_DAYS = 370;
const DIAS = ['domingo', 'segunda', 'terça', 'quarta', 'quinta', 'sexta', 'sábado'];

/** "01:30" is "a uma e meia": singular article in Portuguese ("à 01:30", "antes da 01:30"). */
const singular = (time: string) => time.startsWith('01:');
const dayMonth = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}`;
const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The day's window, or why there is none (pt-BR, for the motivo). */
function dayWindow(date: string, weekday: number, cfg: SendWindowConfig): { window: DayWindow } | { closed: string } {
  if (cfg.respeitar_feriados) {
    const h = isHoliday(date, cfg.feriados_extras, { pontosFacultativos: cfg.incluir_pontos_facultativos });
    if (h.holiday) {
      const what = h.nome === LOCAL_HOLIDAY_NAME ? LOCAL_HOLIDAY_NAME : `feriado: ${h.nome}`;
      return { closed: `${DIAS[weekday]} ${dayMonth(date)}, ${what}` };
    }
  }
  const window = cfg.dias[weekday];
  return window ? { window } : { closed: `${DIAS[weekday]}, dia sem envios` };
}

/**
 * The earliest instant at or after `at` when sending is allowed: `at` itself when inside the
 * window, else the start of the next open day's window. Null if the config never opens within
 * 370 days (e.g. every day null).
 *
 * @example nextWindowStart(new Date('2026-03-13T23:00:00Z'), 'America/Sao_Paulo') // 2026-03-14T11:00:00.000Z (Saturday 08:00)
 */
export function nextWindowStart(at: Date, timeZone: string, cfg: SendWindowConfig = DEFAULT_SEND_WINDOW): Date | null {
  const now = localParts(at, timeZone);
  for (let d = 0; d <= SEARCH_DAYS; d++) {
    const date = addDays(now.date, d);
    const day = dayWindow(date, (now.weekday + d) % 7, cfg);
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
  const time = hhmm(p.minutes);
  const at = `${singular(time) ? 'à' : 'às'} ${time}`;
  if (p.date === today) return `hoje ${at}`;
  const year = p.date.slice(0, 4) === today.slice(0, 4) ? '' : `/${p.date.slice(0, 4)}`;
  return `${DIAS[p.weekday]} ${dayMonth(p.date)}${year} ${at}`;
}

/**
 * Whether `at` is inside the send window in the lead's `timeZone`; when not, the next allowed
 * instant and a pt-BR motivo for the operator, e.g.
 * 'fora da janela de envio em America/Manaus (sábado, a partir das 14:00); próximo horário: segunda 16/03 às 08:00'.
 *
 * @example checkSendWindow(new Date('2026-03-10T13:00:00Z'), 'America/Sao_Paulo') // { inside: true } (Tuesday 10:00)
 */
export function checkSendWindow(at: Date, timeZone: string, cfg: SendWindowConfig = DEFAULT_SEND_WINDOW): WindowCheck {
  const now = localParts(at, timeZone);
  const day = dayWindow(now.date, now.weekday, cfg);
  let why: string;
  if ('closed' in day) {
    why = day.closed;
  } else if (now.minutes < toMinutes(day.window.inicio)) {
    why = `${DIAS[now.weekday]}, antes ${singular(day.window.inicio) ? 'da' : 'das'} ${day.window.inicio}`;
  } else if (now.minutes >= toMinutes(day.window.fim)) {
    why = `${DIAS[now.weekday]}, a partir ${singular(day.window.fim) ? 'da' : 'das'} ${day.window.fim}`;
  } else {
    return { inside: true };
  }
  const next = nextWindowStart(at, timeZone, cfg);
  const then = next
    ? `próximo horário: ${describeNext(next, now.date, timeZone)}`
    : `nenhum horário de envio nos próximos ${SEARCH_DAYS} dias`;
  return { inside: false, next, motivo: `fora da janela de envio em ${timeZone} (${why}); ${then}` };
}
