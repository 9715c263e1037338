import { AppError } from '../core/errors.js';
import { freeSlots, localLabel, toZonedIso, type BusyInterval } from '../core/meetings/index.js';
import { loadPolicy } from '../core/outreach/policy.js';
import { withTenant } from '../db/tenant.js';
import type { ServerDeps } from '../deps.js';
import { ACTIVE_STATUSES } from './meetings.js';

export interface SlotsRequest {
  leadId: string;
  days: number;
  durationMinutes: number;
  stepMinutes: number;
  maxSlots: number;
  perDay: number;
  minNoticeMinutes: number;
  organizer?: string;
}

export interface ProposedSlot {
  inicio: string;
  fim: string;
  inicio_local: string;
  rotulo: string;
}

export interface SlotsResult {
  lead_id: string;
  timezone: string;
  slots: ProposedSlot[];
  /** Whether the calendar's busy times were consulted, and if not why. */
  calendario: { consultado: boolean; eventos_ocupados: number; motivo: string | null };
  agendamentos_evitados: number;
}

/**
 * Free slots for a lead: the tenant's business hours in the lead's zone over the next days, minus the
 * active meetings of the lead and the organiser and, when the calendar profile can list events, the
 * calendar's busy times.
 */
export async function proposeSlots(deps: ServerDeps, req: SlotsRequest, signal?: AbortSignal): Promise<SlotsResult> {
  const t = deps.tenant.tenant_id;
  const now = deps.clock.now();
  const horizon = new Date(now.getTime() + (req.days + 1) * 86_400_000);
  const organizer = req.organizer?.trim().toLowerCase() || null;
  const { lead, policy, taken } = await withTenant(deps.db.kysely, t, async (tx) => {
    const lead = await tx
      .selectFrom('leads')
      .select(['lead_id', 'timezone', 'status'])
      .where('tenant_id', '=', t)
      .where('lead_id', '=', req.leadId)
      .executeTakeFirst();
    if (!lead) throw new AppError('not_found', `Lead ${req.leadId} was not found for this tenant.`);
    const taken = await tx
      .selectFrom('agendamentos')
      .select(['inicio', 'fim'])
      .where('tenant_id', '=', t)
      .where('status', 'in', ACTIVE_STATUSES)
      .where('inicio', '<', horizon)
      .where('fim', '>', now)
      .where((eb) =>
        eb.or([
          eb('lead_id', '=', req.leadId),
          organizer === null ? eb('organizador', 'is', null) : eb('organizador', '=', organizer),
        ]),
      )
      .execute();
    return { lead, policy: await loadPolicy(tx, deps.tenant), taken };
  });
  if (lead.status === 'opt_out')
    throw new AppError('failed_precondition', `Lead ${req.leadId} opted out: do not propose meetings.`);
  const busy: BusyInterval[] = taken.map((a) => ({ start: new Date(a.inicio), end: new Date(a.fim), eventId: null }));
  let calendario: SlotsResult['calendario'];
  const cal = deps.config.dispatchEnabled ? deps.calendar : undefined;
  if (!cal) {
    calendario = {
      consultado: false,
      eventos_ocupados: 0,
      motivo:
        'MICRO_AGENT_DISPARO_ENABLED is not "true": the calendar is not contacted; only our agendamentos were avoided',
    };
  } else if (!cal.capabilities().list) {
    calendario = {
      consultado: false,
      eventos_ocupados: 0,
      motivo: 'the calendar profile has no list tool: only our agendamentos were avoided',
    };
  } else {
    const r = await cal.busy(now, horizon, { signal });
    if (r.ok) {
      busy.push(...r.intervals);
      calendario = { consultado: true, eventos_ocupados: r.intervals.length, motivo: null };
    } else {
      calendario = {
        consultado: false,
        eventos_ocupados: 0,
        motivo: `listing the calendar failed (${r.error}): only our agendamentos were avoided`,
      };
    }
  }
  const slots = freeSlots({
    now,
    timeZone: lead.timezone,
    hours: policy.janela,
    days: req.days,
    durationMinutes: req.durationMinutes,
    stepMinutes: req.stepMinutes,
    minNoticeMinutes: req.minNoticeMinutes,
    maxSlots: req.maxSlots,
    perDay: req.perDay,
    busy,
  });
  return {
    lead_id: lead.lead_id,
    timezone: lead.timezone,
    slots: slots.map((s) => ({
      inicio: s.start.toISOString(),
      fim: s.end.toISOString(),
      inicio_local: toZonedIso(s.start, lead.timezone),
      rotulo: localLabel(s.start, lead.timezone).rotulo,
    })),
    calendario,
    agendamentos_evitados: taken.length,
  };
}
