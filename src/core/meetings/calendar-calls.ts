/**
 * The calls to the downstream calendar and how each failure is told: a refusal is definite, no answer
 * (timeout, crash) is `unknown` — the change may have happened downstream. Texts in pt-BR go to
 * agendamentos.erro, for the person who checks the calendar by hand.
 */
import { AppError } from '../errors.js';
import { calendarCreateKey, calendarMoveKey } from '../model/index.js';
import type { Scope } from '../scope.js';
import { toZonedIso } from '../time/index.js';
import type { MeetingRow } from './agendamento.js';
import type { CalendarEventInput, CalendarOutcome, CalendarPort } from './calendar-port.js';

/** The calendar when sending is on; null means this is a dry run. */
export function calendarOf(scope: Scope): CalendarPort | null {
  if (!scope.sending.enabled) return null;
  if (!scope.calendar)
    throw new AppError(
      'unavailable',
      'Sending is on but no calendar channel layer runs in this process (check get_status channels).',
    );
  return scope.calendar;
}

function eventOf(m: MeetingRow, start: Date, end: Date): Omit<CalendarEventInput, 'idempotencyKey'> {
  return {
    title: m.titulo,
    start: toZonedIso(start, m.timezone),
    end: toZonedIso(end, m.timezone),
    timeZone: m.timezone,
    description: m.descricao ?? undefined,
    location: m.local ?? undefined,
  };
}

/**
 * Creates the meeting's event. After an unknown outcome it retries once, only when the profile honours
 * idempotency keys (the retry then cannot make a second event).
 */
export async function createEvent(
  cal: CalendarPort,
  m: MeetingRow,
  attendee: string | null,
  signal?: AbortSignal,
): Promise<CalendarOutcome> {
  const ev = {
    ...eventOf(m, m.inicio, m.fim),
    attendee: attendee ?? undefined,
    idempotencyKey: calendarCreateKey(m.agendamento_id),
  };
  const first = await cal.create(ev, { signal });
  if (first.ok || !first.unknown || !cal.capabilities().idempotent) return first;
  return cal.create(ev, { signal });
}

/** The status and erro of a meeting whose create failed. */
export function createFailure(out: { unknown: boolean; error: string }) {
  return out.unknown
    ? {
        status: 'incerto' as const,
        erro:
          `resultado desconhecido ao criar o evento (${out.error}): ` +
          'o evento pode existir no calendário; verifique antes de remarcar',
      }
    : { status: 'falhou' as const, erro: `o calendário recusou o evento: ${out.error}` };
}

/** Moves the meeting's event to [start, end). */
export function moveEvent(cal: CalendarPort, m: MeetingRow, start: Date, end: Date, signal?: AbortSignal) {
  const ev = { ...eventOf(m, start, end), idempotencyKey: calendarMoveKey(m.agendamento_id, start) };
  return cal.update(m.evento_id_externo!, ev, { signal });
}

/** The erro of a meeting whose move failed. */
export function moveFailure(out: { unknown: boolean; error: string }, start: string): string {
  return out.unknown
    ? `resultado desconhecido ao mover o evento para ${start} (${out.error}): ` +
        'o calendário pode mostrar o novo horário; verifique'
    : `o calendário recusou a remarcação para ${start}: ${out.error}`;
}

// A server's way of saying the event does not exist.
const GONE = /\b404\b|not found|does not exist|não encontrado/i;

/**
 * Deletes an event. An event already gone is deleted as far as the calendar is concerned. Returns null
 * when done, else the erro to record.
 */
export async function removeEvent(cal: CalendarPort, eventId: string, signal?: AbortSignal): Promise<string | null> {
  const out = await cal.remove(eventId, { signal });
  if (out.ok || GONE.test(out.error)) return null;
  return out.unknown
    ? `resultado desconhecido ao excluir o evento (${out.error}): verifique o calendário`
    : `o calendário recusou a exclusão: ${out.error}`;
}
