import { sql } from 'kysely';
import { AppError } from '../core/errors.js';
import { transitionLead } from '../core/leads/transition.js';
import { canMoveLead as canTransition } from '../core/model/index.js';
import type { LeadStatus } from '../core/leads/query.js';
import type { AgendamentoStatus } from '../core/model/index.js';
import {
  checkBusinessHours,
  localLabel,
  parseStart,
  toZonedIso,
  type CalendarOutcome,
  type CalendarPort,
} from '../core/meetings/index.js';
import { loadPolicy } from '../core/outreach/policy.js';
import type { Tx } from '../db/tenant.js';
import { withTenant } from '../db/tenant.js';
import type { ServerDeps } from '../deps.js';
import { leadContact, queueMeetingMessage, type MeetingMessage } from './meeting-messages.js';

/** Statuses that hold a slot: the meeting happens, or may (pendente: being booked; incerto: unknown). */
export const ACTIVE_STATUSES = ['pendente', 'agendado', 'confirmado', 'incerto'] as const;
const MEETING_LEAD_STATES: LeadStatus[] = ['agendado', 'confirmado'];

export interface MeetingView {
  agendamento_id: string;
  lead_id: string;
  status: string;
  inicio: string;
  fim: string;
  inicio_local: string;
  rotulo: string;
  timezone: string;
  titulo: string;
  local: string | null;
  organizador: string | null;
  evento_id_externo: string | null;
  erro: string | null;
  lembrete_enviado_em: string | null;
}

type Row = {
  agendamento_id: string;
  lead_id: string;
  /** 'dry_run': a meeting validated but not booked (sending off). */
  status: AgendamentoStatus | 'dry_run';
  inicio: Date;
  fim: Date;
  timezone: string;
  titulo: string;
  descricao: string | null;
  local: string | null;
  organizador: string | null;
  evento_id_externo: string | null;
  erro: string | null;
  lembrete_enviado_em: Date | null;
};

export function view(r: Row): MeetingView {
  const inicio = new Date(r.inicio);
  return {
    agendamento_id: r.agendamento_id,
    lead_id: r.lead_id,
    status: r.status,
    inicio: inicio.toISOString(),
    fim: new Date(r.fim).toISOString(),
    inicio_local: toZonedIso(inicio, r.timezone),
    rotulo: localLabel(inicio, r.timezone).rotulo,
    timezone: r.timezone,
    titulo: r.titulo,
    local: r.local,
    organizador: r.organizador,
    evento_id_externo: r.evento_id_externo,
    erro: r.erro,
    lembrete_enviado_em: r.lembrete_enviado_em ? new Date(r.lembrete_enviado_em).toISOString() : null,
  };
}

const flagText = (deps: ServerDeps) =>
  deps.config.dispatchFlagRaw === undefined ? 'unset' : JSON.stringify(deps.config.dispatchFlagRaw);

/** The calendar when sending is on; null means this is a dry run. */
function calendarOf(deps: ServerDeps): CalendarPort | null {
  if (!deps.config.dispatchEnabled) return null;
  if (!deps.calendar)
    throw new AppError(
      'unavailable',
      'Sending is on but no calendar channel layer runs in this process (check get_status channels).',
    );
  return deps.calendar;
}

interface Slot {
  start: Date;
  end: Date;
}

/** Refuses a slot in the past, outside business hours (unless force) or overlapping an active meeting of the lead or organiser. */
async function validateSlot(
  tx: Tx,
  deps: ServerDeps,
  s: Slot & { leadId: string; timezone: string; organizer: string | null; force: boolean; exclude?: string },
): Promise<void> {
  const now = deps.clock.now();
  if (s.start.getTime() <= now.getTime()) {
    throw new AppError(
      'invalid_argument',
      `The start ${toZonedIso(s.start, s.timezone)} is in the past (now is ${toZonedIso(now, s.timezone)} in ${s.timezone}). Pick a future time (propose_slots lists free ones).`,
    );
  }
  if (!s.force) {
    const policy = await loadPolicy(tx, deps.tenant);
    const h = checkBusinessHours(s.start, s.end, s.timezone, policy.janela);
    if (!h.ok)
      throw new AppError(
        'invalid_argument',
        `Outside business hours in the lead's zone: ${h.motivo}. Pick another time (propose_slots), or pass force: true if the lead asked for it.`,
      );
  }
  const t = deps.tenant.tenant_id;
  // Serialise bookings of this lead and of this organiser, so two concurrent requests cannot both pass the overlap check.
  await sql`select 1 from leads where tenant_id = ${t} and lead_id = ${s.leadId} for update`.execute(tx);
  await sql`select pg_advisory_xact_lock(hashtext(${`agenda:${t}:${s.organizer ?? ''}`}))`.execute(tx);
  const clash = await tx
    .selectFrom('agendamentos')
    .select(['agendamento_id', 'lead_id', 'inicio', 'fim', 'timezone', 'status'])
    .where('tenant_id', '=', t)
    .where('status', 'in', ACTIVE_STATUSES)
    .where('inicio', '<', s.end)
    .where('fim', '>', s.start)
    .where((eb) =>
      eb.or([
        eb('lead_id', '=', s.leadId),
        s.organizer === null ? eb('organizador', 'is', null) : eb('organizador', '=', s.organizer),
      ]),
    )
    .$if(!!s.exclude, (q) => q.where('agendamento_id', '<>', s.exclude!))
    .execute();
  if (clash.length) {
    const list = clash.map(
      (c) =>
        `${c.agendamento_id} (${c.lead_id === s.leadId ? 'same lead' : 'same organiser'}, ${toZonedIso(new Date(c.inicio), s.timezone)} – ${toZonedIso(new Date(c.fim), s.timezone)}, ${c.status})`,
    );
    throw new AppError(
      'conflict',
      `Double booking: the slot overlaps ${list.join('; ')}. Pick another time (propose_slots avoids them).`,
    );
  }
}

/** Calls the calendar; after an unknown outcome retries once, only when the profile honours idempotency keys. */
async function withRetry(cal: CalendarPort, call: () => Promise<CalendarOutcome>): Promise<CalendarOutcome> {
  const first = await call();
  if (first.ok || !first.unknown || !cal.capabilities().idempotent) return first;
  return call();
}

export interface ScheduleRequest {
  leadId: string;
  start: string;
  durationMinutes: number;
  title?: string;
  description?: string;
  location?: string;
  organizer?: string;
  force: boolean;
  sendConfirmation: boolean;
}

export interface ScheduleResult {
  modo: 'real' | 'dry_run';
  agendamento: MeetingView | null;
  lead_status: string;
  confirmacao: MeetingMessage | null;
  aviso: string | null;
}

/**
 * Books a meeting: validated and inserted as `pendente` (holding the slot), then created in the
 * calendar, then `agendado` with the event id and the lead moved to agendado. A refused create ends
 * `falhou`, an unanswered one `incerto`, each with `erro`, and the caller gets an error saying so.
 */
export async function scheduleMeeting(
  deps: ServerDeps,
  req: ScheduleRequest,
  signal?: AbortSignal,
): Promise<ScheduleResult> {
  const t = deps.tenant.tenant_id;
  const cal = calendarOf(deps);
  const caps = cal?.capabilities();
  if (caps && !caps.available) {
    throw new AppError(
      'unavailable',
      `Meeting NOT booked: the calendar channel is not available (${caps.detail ?? 'not configured in mcp.json'}). Check get_status channels.`,
    );
  }
  const first = await withTenant(deps.db.kysely, t, async (tx) => {
    const lead = await leadContact(tx, t, req.leadId);
    if (!lead) throw new AppError('not_found', `Lead ${req.leadId} was not found for this tenant.`);
    const status = lead.status as LeadStatus;
    if (!MEETING_LEAD_STATES.includes(status) && !canTransition(status, 'agendado')) {
      throw new AppError(
        'failed_precondition',
        `Lead ${req.leadId} is ${status}: a meeting cannot be booked (${status === 'opt_out' ? 'the person opted out' : `from ${status} a lead cannot move to agendado`}).`,
      );
    }
    const start = parseStart(req.start, lead.timezone);
    const end = new Date(start.getTime() + req.durationMinutes * 60_000);
    const organizer = req.organizer?.trim().toLowerCase() || null;
    await validateSlot(tx, deps, {
      start,
      end,
      leadId: req.leadId,
      timezone: lead.timezone,
      organizer,
      force: req.force,
    });
    const titulo = (req.title?.trim() || `Reunião: ${lead.nome}`).slice(0, 300);
    const values = {
      tenant_id: t,
      lead_id: req.leadId,
      inicio: start,
      fim: end,
      timezone: lead.timezone,
      titulo,
      descricao: req.description ?? null,
      local: req.location ?? null,
      organizador: organizer,
    };
    if (!cal) {
      await tx
        .insertInto('dry_run_log')
        .values({
          tenant_id: t,
          lead_id: req.leadId,
          lead_nome: lead.nome.slice(0, 500),
          lead_telefone: lead.telefone,
          lead_email: lead.email?.slice(0, 255) ?? null,
          canal_decidido: 'calendar',
          motivo_decisao: `reunião ${toZonedIso(start, lead.timezone)} – ${toZonedIso(end, lead.timezone)}`,
          disparo_seria_executado: true,
          mensagem_renderizada: titulo,
        })
        .execute();
      return { dry: true as const, lead, values };
    }
    // The note says what a row left pendente means if this process dies before the calendar answers.
    const row = await tx
      .insertInto('agendamentos')
      .values({ ...values, status: 'pendente', erro: 'reserva em andamento: aguardando a resposta do calendário' })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { dry: false as const, lead, values, row: row as Row };
  });
  if (first.dry) {
    const fake: Row = {
      ...first.values,
      agendamento_id: '',
      status: 'dry_run',
      evento_id_externo: null,
      erro: null,
      lembrete_enviado_em: null,
    };
    return {
      modo: 'dry_run',
      agendamento: view(fake),
      lead_status: first.lead.status,
      confirmacao: null,
      aviso: `Dry run: the slot is valid, but nothing was booked or stored because MICRO_AGENT_DISPARO_ENABLED is ${flagText(deps)}, not "true".`,
    };
  }
  const row = first.row;
  const out: CalendarOutcome = await withRetry(cal!, () =>
    cal!.create(
      {
        title: row.titulo,
        start: toZonedIso(row.inicio, row.timezone),
        end: toZonedIso(row.fim, row.timezone),
        timeZone: row.timezone,
        description: row.descricao ?? undefined,
        location: row.local ?? undefined,
        attendee: first.lead.email ?? undefined,
        idempotencyKey: `ag:${row.agendamento_id}`,
      },
      { signal },
    ),
  );
  if (!out.ok) {
    const status = out.unknown ? 'incerto' : 'falhou';
    const erro = out.unknown
      ? `resultado desconhecido ao criar o evento (${out.error}): o evento pode existir no calendário; verifique antes de remarcar`
      : `o calendário recusou o evento: ${out.error}`;
    await withTenant(deps.db.kysely, t, (tx) =>
      tx
        .updateTable('agendamentos')
        .set({ status, erro: erro.slice(0, 2000), updated_at: new Date() })
        .where('agendamento_id', '=', row.agendamento_id)
        .execute(),
    );
    throw new AppError(
      'unavailable',
      `Meeting NOT booked: ${erro}. Agendamento ${row.agendamento_id} is recorded as ${status}${out.unknown ? ' (its slot stays blocked until checked)' : ''}.`,
    );
  }
  return withTenant(deps.db.kysely, t, async (tx) => {
    const booked = await tx
      .updateTable('agendamentos')
      .set({ status: 'agendado', evento_id_externo: out.eventId, erro: null, updated_at: new Date() })
      .where('agendamento_id', '=', row.agendamento_id)
      .returningAll()
      .executeTakeFirstOrThrow();
    let aviso: string | null = null;
    let leadStatus = first.lead.status;
    if (!MEETING_LEAD_STATES.includes(leadStatus as LeadStatus)) {
      try {
        await transitionLead(tx, t, row.lead_id, 'agendado', {
          reason: `reunião ${row.agendamento_id} agendada`,
          actor: `tool:${deps.transport}`,
        });
        leadStatus = 'agendado';
      } catch (err) {
        // The event exists: keep the booking and say why the lead did not move (e.g. it opted out meanwhile).
        aviso = `The meeting is booked, but the lead was not moved to agendado: ${(err as Error).message}`;
        const cur = await tx
          .selectFrom('leads')
          .select('status')
          .where('tenant_id', '=', t)
          .where('lead_id', '=', row.lead_id)
          .executeTakeFirst();
        leadStatus = cur?.status ?? leadStatus;
      }
    }
    const confirmacao = req.sendConfirmation ? await queueMeetingMessage(tx, deps, booked as Row, 'confirmacao') : null;
    return { modo: 'real' as const, agendamento: view(booked as Row), lead_status: leadStatus, confirmacao, aviso };
  });
}

export interface UpdateRequest {
  agendamentoId: string;
  action: 'confirm' | 'cancel' | 'reschedule' | 'complete' | 'no_show';
  start?: string;
  durationMinutes?: number;
  force: boolean;
  sendConfirmation: boolean;
  /** cancel only: cancel in our records although the calendar cannot be changed (remove the event by hand). */
  skipCalendar: boolean;
  motivo?: string;
}

export interface UpdateResult {
  modo: 'real' | 'dry_run';
  agendamento: MeetingView;
  status_anterior: string;
  lead_status: string;
  confirmacao: MeetingMessage | null;
  aviso: string | null;
}

async function loadMeeting(tx: Tx, tenantId: string, id: string, lock: boolean): Promise<Row> {
  const q = tx
    .selectFrom('agendamentos')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('agendamento_id', '=', id);
  const row = await (lock ? q.forUpdate() : q).executeTakeFirst();
  if (!row)
    throw new AppError(
      'not_found',
      `Agendamento ${id} was not found for this tenant. Check the id (query_leads with the lead shows its meetings).`,
    );
  return row as Row;
}

async function leadStatusOf(tx: Tx, tenantId: string, leadId: string): Promise<string> {
  const r = await tx
    .selectFrom('leads')
    .select('status')
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .executeTakeFirstOrThrow();
  return r.status;
}

/** confirm | cancel | reschedule one meeting, keeping the calendar and the database in step. */
export async function updateMeeting(deps: ServerDeps, req: UpdateRequest, signal?: AbortSignal): Promise<UpdateResult> {
  const t = deps.tenant.tenant_id;
  const ator = `tool:${deps.transport}`;
  if (req.action === 'confirm' || req.action === 'complete' || req.action === 'no_show') {
    // Only our records change: the calendar event stays as it is.
    const to = ({ confirm: 'confirmado', complete: 'realizado', no_show: 'nao_compareceu' } as const)[req.action];
    const leadTo: LeadStatus = {
      confirm: 'confirmado' as const,
      complete: 'realizado' as const,
      no_show: 'respondeu' as const,
    }[req.action];
    return withTenant(deps.db.kysely, t, async (tx) => {
      const row = await loadMeeting(tx, t, req.agendamentoId, true);
      if (!['agendado', 'confirmado'].includes(row.status)) {
        throw new AppError(
          'failed_precondition',
          `Agendamento ${row.agendamento_id} is ${row.status}; only an agendado or confirmado meeting can be marked ${to}.`,
        );
      }
      if (req.action !== 'confirm' && new Date(row.inicio).getTime() > deps.clock.now().getTime()) {
        throw new AppError(
          'failed_precondition',
          `Agendamento ${row.agendamento_id} starts ${toZonedIso(new Date(row.inicio), row.timezone)}: it cannot be marked ${to} before it starts.`,
        );
      }
      const updated = await tx
        .updateTable('agendamentos')
        .set({ status: to, updated_at: new Date() })
        .where('agendamento_id', '=', row.agendamento_id)
        .returningAll()
        .executeTakeFirstOrThrow();
      let leadStatus = await leadStatusOf(tx, t, row.lead_id);
      if (MEETING_LEAD_STATES.includes(leadStatus as LeadStatus) && leadStatus !== leadTo) {
        await transitionLead(tx, t, row.lead_id, leadTo, {
          reason: req.motivo ?? `reunião ${row.agendamento_id}: ${to}`,
          actor: ator,
          from: MEETING_LEAD_STATES,
        });
        leadStatus = leadTo;
      }
      return {
        modo: 'real',
        agendamento: view(updated as Row),
        status_anterior: row.status,
        lead_status: leadStatus,
        confirmacao: null,
        aviso: null,
      };
    });
  }
  const cal = calendarOf(deps);
  if (req.action === 'cancel') return cancel(deps, req, cal, signal);
  return reschedule(deps, req, cal, signal);
}

async function cancel(
  deps: ServerDeps,
  req: UpdateRequest,
  cal: CalendarPort | null,
  signal?: AbortSignal,
): Promise<UpdateResult> {
  const t = deps.tenant.tenant_id;
  const row = await withTenant(deps.db.kysely, t, (tx) => loadMeeting(tx, t, req.agendamentoId, false));
  if (!(ACTIVE_STATUSES as readonly string[]).includes(row.status)) {
    throw new AppError(
      'failed_precondition',
      `Agendamento ${row.agendamento_id} is ${row.status}; only a pendente, agendado, confirmado or incerto meeting can be cancelled.`,
    );
  }
  if (!cal) {
    return {
      modo: 'dry_run',
      agendamento: view(row),
      status_anterior: row.status,
      lead_status: await withTenant(deps.db.kysely, t, (tx) => leadStatusOf(tx, t, row.lead_id)),
      confirmacao: null,
      aviso: `Dry run: nothing was cancelled because MICRO_AGENT_DISPARO_ENABLED is ${flagText(deps)}, not "true".`,
    };
  }
  let nota: string | null = null;
  if (!row.evento_id_externo) {
    if (!req.skipCalendar) {
      throw new AppError(
        'failed_precondition',
        `Agendamento ${row.agendamento_id} has no calendar event id (status ${row.status}): check the calendar by hand, then call again with skip_calendar: true to cancel it here.`,
      );
    }
    nota = 'cancelado só no banco (sem id de evento): confira o calendário manualmente';
  } else if (!cal.capabilities().delete) {
    const why = `this calendar profile has no delete tool; cancel event ${row.evento_id_externo} in the calendar by hand`;
    if (!req.skipCalendar) {
      await markError(deps, row.agendamento_id, `cancelamento não feito: ${why}`);
      throw new AppError(
        'failed_precondition',
        `${why}, then call again with skip_calendar: true. The agendamento stays ${row.status}.`,
      );
    }
    nota = `cancelado só no banco: o evento ${row.evento_id_externo} precisa ser removido do calendário manualmente`;
  } else if (!req.skipCalendar) {
    const out = await cal.remove(row.evento_id_externo, { signal });
    // An event that is already gone is cancelled as far as the calendar is concerned.
    if (!out.ok && !/\b404\b|not found|does not exist|não encontrado/i.test(out.error)) {
      const erro = out.unknown
        ? `resultado desconhecido ao excluir o evento (${out.error}): verifique o calendário`
        : `o calendário recusou a exclusão: ${out.error}`;
      await markError(deps, row.agendamento_id, erro);
      throw new AppError(
        'unavailable',
        `Meeting NOT cancelled: ${erro}. Agendamento ${row.agendamento_id} stays ${row.status} with the error recorded.`,
      );
    }
  } else {
    nota = `cancelado só no banco a pedido: o evento ${row.evento_id_externo} precisa ser removido do calendário manualmente`;
  }
  return withTenant(deps.db.kysely, t, async (tx) => {
    const updated = await tx
      .updateTable('agendamentos')
      .set({ status: 'cancelado', erro: nota, updated_at: new Date() })
      .where('agendamento_id', '=', row.agendamento_id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Its confirmation and reminder must not go out any more.
    await tx
      .updateTable('disparos')
      .set({ status: 'cancelado', motivo: 'reunião cancelada', updated_at: new Date() })
      .where('agendamento_id', '=', row.agendamento_id)
      .where('status', 'in', ['pendente', 'adiado'])
      .execute();
    let leadStatus = await leadStatusOf(tx, t, row.lead_id);
    const others = await tx
      .selectFrom('agendamentos')
      .select('agendamento_id')
      .where('tenant_id', '=', t)
      .where('lead_id', '=', row.lead_id)
      .where('status', 'in', ['agendado', 'confirmado'])
      .executeTakeFirst();
    if (!others && MEETING_LEAD_STATES.includes(leadStatus as LeadStatus)) {
      await transitionLead(tx, t, row.lead_id, 'respondeu', {
        reason: req.motivo ?? `reunião ${row.agendamento_id} cancelada`,
        actor: `tool:${deps.transport}`,
        from: MEETING_LEAD_STATES,
      });
      leadStatus = 'respondeu';
    }
    return {
      modo: 'real',
      agendamento: view(updated as Row),
      status_anterior: row.status,
      lead_status: leadStatus,
      confirmacao: null,
      aviso: nota,
    };
  });
}

async function markError(deps: ServerDeps, id: string, erro: string): Promise<void> {
  await withTenant(deps.db.kysely, deps.tenant.tenant_id, (tx) =>
    tx
      .updateTable('agendamentos')
      .set({ erro: erro.slice(0, 2000), updated_at: new Date() })
      .where('agendamento_id', '=', id)
      .execute(),
  );
}

async function reschedule(
  deps: ServerDeps,
  req: UpdateRequest,
  cal: CalendarPort | null,
  signal?: AbortSignal,
): Promise<UpdateResult> {
  const t = deps.tenant.tenant_id;
  if (!req.start) throw new AppError('invalid_argument', 'action reschedule needs start (the new time).');
  // Hold the new slot (validated like a booking) while the calendar moves the event; keep the old one to restore.
  const held = await withTenant(deps.db.kysely, t, async (tx) => {
    const row = await loadMeeting(tx, t, req.agendamentoId, true);
    if (!['agendado', 'confirmado'].includes(row.status)) {
      throw new AppError(
        'failed_precondition',
        `Agendamento ${row.agendamento_id} is ${row.status}; only an agendado or confirmado meeting can be rescheduled.`,
      );
    }
    const start = parseStart(req.start!, row.timezone);
    const minutes =
      req.durationMinutes ?? Math.round((new Date(row.fim).getTime() - new Date(row.inicio).getTime()) / 60_000);
    const end = new Date(start.getTime() + minutes * 60_000);
    await validateSlot(tx, deps, {
      start,
      end,
      leadId: row.lead_id,
      timezone: row.timezone,
      organizer: row.organizador,
      force: req.force,
      exclude: row.agendamento_id,
    });
    if (!cal) return { row, start, end, dry: true as const };
    const caps = cal.capabilities();
    if (!row.evento_id_externo || !caps.update) {
      const why = !row.evento_id_externo
        ? 'it has no calendar event id'
        : `this calendar profile has no update tool; move event ${row.evento_id_externo} in the calendar by hand, or cancel and schedule again`;
      throw new AppError('failed_precondition', `Cannot reschedule agendamento ${row.agendamento_id}: ${why}.`);
    }
    await tx
      .updateTable('agendamentos')
      .set({
        inicio: start,
        fim: end,
        erro: `remarcação em andamento: de ${toZonedIso(new Date(row.inicio), row.timezone)} para ${toZonedIso(start, row.timezone)}; o calendário ainda não confirmou`,
        updated_at: new Date(),
      })
      .where('agendamento_id', '=', row.agendamento_id)
      .execute();
    return { row, start, end, dry: false as const };
  });
  const { row, start, end } = held;
  if (held.dry) {
    return {
      modo: 'dry_run',
      agendamento: view({ ...row, inicio: start, fim: end }),
      status_anterior: row.status,
      lead_status: await withTenant(deps.db.kysely, t, (tx) => leadStatusOf(tx, t, row.lead_id)),
      confirmacao: null,
      aviso: `Dry run: the new time is valid, but nothing was moved because MICRO_AGENT_DISPARO_ENABLED is ${flagText(deps)}, not "true".`,
    };
  }
  const out = await cal!.update(
    row.evento_id_externo!,
    {
      title: row.titulo,
      start: toZonedIso(start, row.timezone),
      end: toZonedIso(end, row.timezone),
      timeZone: row.timezone,
      description: row.descricao ?? undefined,
      location: row.local ?? undefined,
      idempotencyKey: `ag:${row.agendamento_id}:${start.toISOString()}`,
    },
    { signal },
  );
  if (!out.ok) {
    const erro = out.unknown
      ? `resultado desconhecido ao mover o evento para ${toZonedIso(start, row.timezone)} (${out.error}): o calendário pode mostrar o novo horário; verifique`
      : `o calendário recusou a remarcação para ${toZonedIso(start, row.timezone)}: ${out.error}`;
    await withTenant(deps.db.kysely, t, (tx) =>
      tx
        .updateTable('agendamentos')
        .set({
          inicio: row.inicio,
          fim: row.fim,
          status: out.unknown ? ('incerto' as const) : (row.status as AgendamentoStatus),
          erro: erro.slice(0, 2000),
          updated_at: new Date(),
        })
        .where('agendamento_id', '=', row.agendamento_id)
        .execute(),
    );
    throw new AppError(
      'unavailable',
      `Meeting NOT rescheduled: ${erro}. Agendamento ${row.agendamento_id} keeps ${toZonedIso(new Date(row.inicio), row.timezone)}${out.unknown ? ' and is now incerto' : ''}.`,
    );
  }
  return withTenant(deps.db.kysely, t, async (tx) => {
    // A new time needs a new confirmation from the lead and a new reminder.
    const updated = await tx
      .updateTable('agendamentos')
      .set({ status: 'agendado', erro: null, lembrete_enviado_em: null, updated_at: new Date() })
      .where('agendamento_id', '=', row.agendamento_id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('disparos')
      .set({ status: 'cancelado', motivo: 'reunião remarcada', updated_at: new Date() })
      .where('agendamento_id', '=', row.agendamento_id)
      .where('status', 'in', ['pendente', 'adiado'])
      .execute();
    let leadStatus = await leadStatusOf(tx, t, row.lead_id);
    if (leadStatus === 'confirmado') {
      await transitionLead(tx, t, row.lead_id, 'agendado', {
        reason: req.motivo ?? `reunião ${row.agendamento_id} remarcada`,
        actor: `tool:${deps.transport}`,
        from: ['confirmado'],
      });
      leadStatus = 'agendado';
    }
    const confirmacao = req.sendConfirmation
      ? await queueMeetingMessage(tx, deps, updated as Row, 'confirmacao')
      : null;
    return {
      modo: 'real',
      agendamento: view(updated as Row),
      status_anterior: row.status,
      lead_status: leadStatus,
      confirmacao,
      aviso: null,
    };
  });
}
