import { z } from 'zod';
import type { Tx } from '../../db/tenant.js';
import { AppError, notFound } from '../errors.js';
import { transitionLead } from '../leads/transition.js';
import { canMoveLead, LEAD_MEETING_STATUSES, LEAD_STATUSES, MINUTE_MS, type LeadStatus } from '../model/index.js';
import { loadPolicy } from '../outreach/policy.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { toZonedIso } from '../time/index.js';
import { agendamentoOutput, agendamentoView, type MeetingRow } from './agendamento.js';
import { calendarOf, createEvent, createFailure } from './calendar-calls.js';
import { sendingOffReason } from './dry-run.js';
import { checkSlot, normalizeOrganizer, parseStart } from './check-slot.js';
import { meetingMessageOutput, queueMeetingMessage } from './meeting-message.js';
import { leadContact, leadStatusOf, type LeadContact } from './sql/leads.js';
import { insertDryRun } from './sql/meeting-messages.js';
import { insertPendingMeeting, loadMeeting, moveMeeting, type NewMeeting } from './sql/meetings.js';

export const scheduleMeetingInput = {
  lead_id: uuid(),
  start: z.string().max(40).describe("2026-12-01T10:00:00-03:00, or 2026-12-01T10:00 in the lead's zone"),
  duration_minutes: z.number().int().min(15).max(480).default(30),
  title: z.string().min(1).max(300).optional().describe('Default: "Reunião: <empresa>"'),
  description: z.string().max(4000).optional(),
  location: z.string().max(500).optional().describe('Address or video-call link'),
  organizer: z.string().max(320).optional().describe("Who runs it (e-mail); default: the tenant's shared agenda"),
  force: z.boolean().default(false).describe('Allow outside business hours (never in the past or double-booked)'),
  send_confirmation: z.boolean().default(false).describe('Queue the confirmation message to the lead'),
};
export const scheduleMeetingOutput = {
  mode: z.enum(['real', 'dry_run']),
  agendamento: agendamentoOutput,
  lead_status: z.enum(LEAD_STATUSES),
  confirmation: meetingMessageOutput.nullable(),
  warning: z.string().nullable(),
};
type Input = Infer<typeof scheduleMeetingInput>;
type Output = Infer<typeof scheduleMeetingOutput>;

/**
 * Books a meeting: validated and inserted as `pendente` (holding the slot), then created in the
 * calendar, then `agendado` with the event id and the lead moved to agendado. A refused create ends
 * `falhou`, an unanswered one `incerto`, each with its erro, and the caller gets an error saying so.
 * With sending off the slot is only validated (a dry run: nothing stored but a dry_run_log row).
 */
export async function scheduleMeeting(scope: Scope, input: Input): Promise<Output> {
  const cal = calendarOf(scope);
  const caps = cal?.capabilities();
  if (caps && !caps.available) {
    throw new AppError(
      'unavailable',
      `Meeting NOT booked: the calendar channel is not available (${caps.detail ?? 'not configured in mcp.json'}). ` +
        'Check get_status channels.',
    );
  }
  const held = await scope.tx((tx) => holdSlot(tx, scope, input, cal !== null));
  if (!cal || held.meeting.status === 'dry_run') {
    return {
      mode: 'dry_run',
      agendamento: agendamentoView(held.meeting),
      lead_status: held.lead.status,
      confirmation: null,
      warning: `Dry run: the slot is valid, but nothing was booked or stored because ${sendingOffReason(scope)}.`,
    };
  }
  const out = await createEvent(cal, held.meeting, held.lead.email, scope.signal);
  if (!out.ok) {
    const { status, erro } = createFailure(out);
    const now = scope.clock.now();
    const id = held.meeting.agendamento_id;
    await scope.tx((tx) =>
      moveMeeting(tx, scope.tenant.tenant_id, id, status, { patch: { erro: erro.slice(0, 2000) }, now }),
    );
    throw new AppError(
      'unavailable',
      `Meeting NOT booked: ${erro}. Agendamento ${id} is recorded as ${status}` +
        `${out.unknown ? ' (its slot stays blocked until checked)' : ''}.`,
    );
  }
  return scope.tx((tx) => completeBooking(tx, scope, held, out.eventId, input.send_confirmation));
}

/**
 * The first transaction: the lead may have a meeting, the slot passes every check, and it is held by a
 * pendente row — or, with sending off, the rehearsal is logged and the row is never stored.
 */
async function holdSlot(
  tx: Tx,
  scope: Scope,
  input: Input,
  real: boolean,
): Promise<{ lead: LeadContact; meeting: MeetingRow }> {
  const t = scope.tenant.tenant_id;
  const lead = await leadContact(tx, t, input.lead_id);
  if (!lead) throw notFound('Lead', input.lead_id);
  if (!LEAD_MEETING_STATUSES.includes(lead.status) && !canMoveLead(lead.status, 'agendado')) {
    const why =
      lead.status === 'opt_out' ? 'the person opted out' : `from ${lead.status} a lead cannot move to agendado`;
    throw new AppError(
      'failed_precondition',
      `Lead ${input.lead_id} is ${lead.status}: a meeting cannot be booked (${why}).`,
    );
  }
  const start = parseStart(input.start, lead.timezone);
  const m: NewMeeting = {
    tenant_id: t,
    lead_id: input.lead_id,
    inicio: start,
    fim: new Date(start.getTime() + input.duration_minutes * MINUTE_MS),
    timezone: lead.timezone,
    titulo: (input.title?.trim() || `Reunião: ${lead.nome}`).slice(0, 300),
    descricao: input.description ?? null,
    local: input.location ?? null,
    organizador: normalizeOrganizer(input.organizer),
  };
  const now = scope.clock.now();
  const policy = await loadPolicy(tx, scope.tenant);
  await checkSlot(
    tx,
    { tenantId: t, now, policy },
    { ...m, start: m.inicio, end: m.fim, leadId: m.lead_id, organizer: m.organizador, force: input.force },
  );
  if (real) {
    // The note says what a row left pendente means if this process dies before the calendar answers.
    const note = 'reserva em andamento: aguardando a resposta do calendário';
    return { lead, meeting: await insertPendingMeeting(tx, m, note, now) };
  }
  await insertDryRun(tx, {
    tenant_id: t,
    lead_id: m.lead_id,
    lead_nome: lead.nome.slice(0, 500),
    lead_telefone: lead.telefone,
    lead_email: lead.email?.slice(0, 255) ?? null,
    canal_decidido: 'calendar',
    motivo_decisao: `reunião ${toZonedIso(m.inicio, m.timezone)} – ${toZonedIso(m.fim, m.timezone)}`,
    disparo_seria_executado: true,
    mensagem_renderizada: m.titulo,
  });
  const unsaved = { agendamento_id: '', evento_id_externo: null, erro: null, lembrete_enviado_em: null };
  return { lead, meeting: { ...m, ...unsaved, status: 'dry_run' } };
}

/** The last transaction: agendado with the event id, the lead agendado, the confirmation queued if asked. */
async function completeBooking(
  tx: Tx,
  scope: Scope,
  held: { lead: LeadContact; meeting: MeetingRow },
  eventId: string | null,
  sendConfirmation: boolean,
): Promise<Output> {
  const t = scope.tenant.tenant_id;
  const { meeting } = held;
  const booked = await moveMeeting(tx, t, meeting.agendamento_id, 'agendado', {
    patch: { evento_id_externo: eventId, erro: null },
    now: scope.clock.now(),
    from: ['pendente'],
  });
  if (!booked) {
    const now = await loadMeeting(tx, t, meeting.agendamento_id);
    throw new AppError(
      'conflict',
      `Agendamento ${meeting.agendamento_id} became ${now?.status ?? 'missing'} while its calendar event was being ` +
        `created: remove event ${eventId ?? '(id unknown)'} from the calendar by hand.`,
    );
  }
  let warning: string | null = null;
  if (!LEAD_MEETING_STATUSES.includes(held.lead.status)) {
    try {
      await transitionLead(tx, t, meeting.lead_id, 'agendado', {
        reason: `reunião ${meeting.agendamento_id} agendada`,
        actor: scope.actorLabel,
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // The event exists: keep the booking and say why the lead did not move (e.g. it opted out meanwhile).
      warning = `The meeting is booked, but the lead was not moved to agendado: ${err.message}`;
    }
  }
  const lead_status: LeadStatus = await leadStatusOf(tx, t, meeting.lead_id);
  const confirmation = sendConfirmation ? await queueMeetingMessage(tx, scope, booked, 'confirmacao') : null;
  return { mode: 'real', agendamento: agendamentoView(booked), lead_status, confirmation, warning };
}
