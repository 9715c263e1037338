/**
 * cancel: the calendar event is deleted first (or, with skip_calendar, left for a person to remove);
 * then the meeting is cancelado, its unsent confirmation and reminder are cancelled, and a lead left
 * without a standing meeting goes back to where it was before the booking (sql/leads.ts statusBeforeMeeting).
 */
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { transitionLeads } from '../leads/transition.js';
import { LEAD_MEETING_STATUSES } from '../model/index.js';
import type { Scope } from '../scope.js';
import { assertAction, meetingOrThrow } from './actions.js';
import { agendamentoView, type MeetingRow } from './agendamento.js';
import { calendarOf, removeEvent } from './calendar-calls.js';
import { sendingOffReason } from './dry-run.js';
import type { CalendarPort } from './calendar-port.js';
import { leadStatusOf, statusBeforeMeeting } from './sql/leads.js';
import { cancelQueuedMessages } from './sql/meeting-messages.js';
import { hasStandingMeeting, moveMeeting, patchMeeting } from './sql/meetings.js';
import type { UpdateMeetingInput, UpdateMeetingOutput } from './update-meeting.js';

export async function cancelMeeting(scope: Scope, input: UpdateMeetingInput): Promise<UpdateMeetingOutput> {
  const t = scope.tenant.tenant_id;
  const row = await scope.tx((tx) => meetingOrThrow(tx, t, input.agendamento_id));
  assertAction(row, 'cancel');
  const cal = calendarOf(scope);
  if (!cal) {
    return {
      mode: 'dry_run',
      agendamento: agendamentoView(row),
      previous_status: row.status,
      lead_status: await scope.tx((tx) => leadStatusOf(tx, t, row.lead_id)),
      confirmation: null,
      warning: `Dry run: nothing was cancelled because ${sendingOffReason(scope)}.`,
    };
  }
  const note = await removeFromCalendar(scope, cal, row, input.skip_calendar);
  return scope.tx((tx) => recordCancel(tx, scope, row, note, input.reason));
}

/**
 * The calendar's side of a cancel. Returns the note to keep in erro (null: the event is gone); throws
 * when the event could not be removed and the caller did not ask to skip the calendar.
 */
async function removeFromCalendar(
  scope: Scope,
  cal: CalendarPort,
  row: MeetingRow,
  skipCalendar: boolean,
): Promise<string | null> {
  const id = row.agendamento_id;
  const event = row.evento_id_externo;
  if (!event) {
    if (skipCalendar) return 'cancelado só no banco (sem id de evento): confira o calendário manualmente';
    throw new AppError(
      'failed_precondition',
      `Agendamento ${id} has no calendar event id (status ${row.status}): check the calendar by hand, ` +
        'then call again with skip_calendar: true to cancel it here.',
    );
  }
  const canDelete = cal.capabilities().delete;
  if (skipCalendar)
    return canDelete
      ? `cancelado só no banco a pedido: o evento ${event} precisa ser removido do calendário manualmente`
      : `cancelado só no banco: o evento ${event} precisa ser removido do calendário manualmente`;
  const markError = (erro: string) =>
    scope.tx((tx) => patchMeeting(tx, scope.tenant.tenant_id, id, { erro: erro.slice(0, 2000) }, scope.clock.now()));
  if (!canDelete) {
    const why = `this calendar profile has no delete tool; cancel event ${event} in the calendar by hand`;
    await markError(`cancelamento não feito: ${why}`);
    throw new AppError(
      'failed_precondition',
      `${why}, then call again with skip_calendar: true. The agendamento stays ${row.status}.`,
    );
  }
  const erro = await removeEvent(cal, event, scope.signal);
  if (erro) {
    await markError(erro);
    throw new AppError(
      'unavailable',
      `Meeting NOT cancelled: ${erro}. Agendamento ${id} stays ${row.status} with the error recorded.`,
    );
  }
  return null;
}

async function recordCancel(
  tx: Tx,
  scope: Scope,
  row: MeetingRow,
  note: string | null,
  reason: string | undefined,
): Promise<UpdateMeetingOutput> {
  const t = scope.tenant.tenant_id;
  const now = scope.clock.now();
  const updated = await moveMeeting(tx, t, row.agendamento_id, 'cancelado', { patch: { erro: note }, now });
  // Changed meanwhile (cancelled by another call, closed): say what it is now.
  if (!updated) assertAction(await meetingOrThrow(tx, t, row.agendamento_id), 'cancel');
  // Its confirmation and reminder must not go out any more.
  await cancelQueuedMessages(tx, t, row.agendamento_id, 'reunião cancelada', now);
  if (!(await hasStandingMeeting(tx, t, row.lead_id))) {
    await transitionLeads(tx, t, [row.lead_id], await statusBeforeMeeting(tx, t, row.lead_id), {
      reason: reason ?? `reunião ${row.agendamento_id} cancelada`,
      actor: scope.actorLabel,
      from: LEAD_MEETING_STATUSES,
    });
  }
  return {
    mode: 'real',
    agendamento: agendamentoView(updated!),
    previous_status: row.status as UpdateMeetingOutput['previous_status'],
    lead_status: await leadStatusOf(tx, t, row.lead_id),
    confirmation: null,
    warning: note,
  };
}
