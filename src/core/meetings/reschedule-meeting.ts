/**
 * reschedule: the new time is checked like a booking and held while the calendar moves the event;
 * the old time is restored if the calendar refuses (or the meeting becomes incerto if it does not
 * answer). A new time needs a new confirmation and a new reminder: the unsent ones are cancelled,
 * the meeting is agendado again and a confirmado lead goes back to agendado.
 */
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { transitionLeads } from '../leads/transition.js';
import { MINUTE_MS, type AgendamentoStatus } from '../model/index.js';
import { loadPolicy } from '../outreach/policy.js';
import type { Scope } from '../scope.js';
import { toZonedIso } from '../time/index.js';
import { assertAction, meetingOrThrow } from './actions.js';
import { agendamentoView, type MeetingRow } from './agendamento.js';
import { calendarOf, moveEvent, moveFailure } from './calendar-calls.js';
import { sendingOffReason } from './dry-run.js';
import type { CalendarPort } from './calendar-port.js';
import { checkSlot, parseStart } from './check-slot.js';
import { queueMeetingMessage } from './meeting-message.js';
import { leadStatusOf } from './sql/leads.js';
import { cancelQueuedMessages } from './sql/meeting-messages.js';
import { moveMeeting, patchMeeting } from './sql/meetings.js';
import type { UpdateMeetingInput, UpdateMeetingOutput } from './update-meeting.js';

type Held = { row: MeetingRow & { status: AgendamentoStatus }; start: Date; end: Date };

export async function rescheduleMeeting(scope: Scope, input: UpdateMeetingInput): Promise<UpdateMeetingOutput> {
  if (!input.start) throw new AppError('invalid_argument', 'action reschedule needs start (the new time).');
  const cal = calendarOf(scope);
  const held = await scope.tx((tx) => holdNewTime(tx, scope, input, input.start!, cal));
  const { row, start, end } = held;
  if (!cal) {
    return {
      mode: 'dry_run',
      agendamento: agendamentoView({ ...row, inicio: start, fim: end }),
      previous_status: row.status,
      lead_status: await scope.tx((tx) => leadStatusOf(tx, scope.tenant.tenant_id, row.lead_id)),
      confirmation: null,
      warning: `Dry run: the new time is valid, but nothing was moved because ${sendingOffReason(scope)}.`,
    };
  }
  const out = await moveEvent(cal, row, start, end, scope.signal);
  if (!out.ok) {
    const erro = moveFailure(out, toZonedIso(start, row.timezone));
    await scope.tx((tx) => restoreOldTime(tx, scope, row, out.unknown ? 'incerto' : row.status, erro));
    throw new AppError(
      'unavailable',
      `Meeting NOT rescheduled: ${erro}. Agendamento ${row.agendamento_id} keeps ` +
        `${toZonedIso(new Date(row.inicio), row.timezone)}${out.unknown ? ' and is now incerto' : ''}.`,
    );
  }
  return scope.tx((tx) => completeReschedule(tx, scope, held, input));
}

/** Checks the new time like a booking and holds it (the old one stays in `row` to restore). */
async function holdNewTime(
  tx: Tx,
  scope: Scope,
  input: UpdateMeetingInput,
  newStart: string,
  cal: CalendarPort | null,
): Promise<Held> {
  const t = scope.tenant.tenant_id;
  const now = scope.clock.now();
  const row = await meetingOrThrow(tx, t, input.agendamento_id, true);
  assertAction(row, 'reschedule');
  const start = parseStart(newStart, row.timezone);
  const minutes =
    input.duration_minutes ?? Math.round((new Date(row.fim).getTime() - new Date(row.inicio).getTime()) / MINUTE_MS);
  const end = new Date(start.getTime() + minutes * MINUTE_MS);
  const policy = await loadPolicy(tx, scope.tenant);
  await checkSlot(
    tx,
    { tenantId: t, now, policy },
    {
      start,
      end,
      leadId: row.lead_id,
      timezone: row.timezone,
      organizer: row.organizador,
      force: input.force,
      exclude: row.agendamento_id,
    },
  );
  if (!cal) return { row, start, end };
  if (!row.evento_id_externo || !cal.capabilities().update) {
    const why = !row.evento_id_externo
      ? 'it has no calendar event id'
      : `this calendar profile has no update tool; move event ${row.evento_id_externo} in the calendar by hand, ` +
        'or cancel and schedule again';
    throw new AppError('failed_precondition', `Cannot reschedule agendamento ${row.agendamento_id}: ${why}.`);
  }
  const from = toZonedIso(new Date(row.inicio), row.timezone);
  const to = toZonedIso(start, row.timezone);
  const note = `remarcação em andamento: de ${from} para ${to}; o calendário ainda não confirmou`;
  await patchMeeting(tx, t, row.agendamento_id, { inicio: start, fim: end, erro: note }, now);
  return { row, start, end };
}

/** The calendar did not move the event: back to the old time, with the error (and incerto if unknown). */
async function restoreOldTime(tx: Tx, scope: Scope, row: Held['row'], status: AgendamentoStatus, erro: string) {
  const t = scope.tenant.tenant_id;
  const now = scope.clock.now();
  const patch = { inicio: row.inicio, fim: row.fim, erro: erro.slice(0, 2000) };
  if (status === row.status) await patchMeeting(tx, t, row.agendamento_id, patch, now);
  else await moveMeeting(tx, t, row.agendamento_id, status, { patch, now, from: [row.status] });
}

async function completeReschedule(
  tx: Tx,
  scope: Scope,
  { row }: Held,
  input: UpdateMeetingInput,
): Promise<UpdateMeetingOutput> {
  const t = scope.tenant.tenant_id;
  const now = scope.clock.now();
  const updated = await moveMeeting(tx, t, row.agendamento_id, 'agendado', {
    patch: { erro: null, lembrete_enviado_em: null },
    now,
  });
  if (!updated) assertAction(await meetingOrThrow(tx, t, row.agendamento_id), 'reschedule');
  await cancelQueuedMessages(tx, t, row.agendamento_id, 'reunião remarcada', now);
  await transitionLeads(tx, t, [row.lead_id], 'agendado', {
    reason: input.reason ?? `reunião ${row.agendamento_id} remarcada`,
    actor: scope.actorLabel,
    from: ['confirmado'],
  });
  const confirmation = input.send_confirmation ? await queueMeetingMessage(tx, scope, updated!, 'confirmacao') : null;
  return {
    mode: 'real',
    agendamento: agendamentoView(updated!),
    previous_status: row.status,
    lead_status: await leadStatusOf(tx, t, row.lead_id),
    confirmation,
    warning: null,
  };
}
