import { z } from 'zod';
import { AppError, notFound } from '../errors.js';
import { DAY_MS } from '../model/index.js';
import { loadPolicy } from '../outreach/policy.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { localLabel, toZonedIso } from '../time/index.js';
import type { BusyInterval } from './calendar-port.js';
import { normalizeOrganizer } from './check-slot.js';
import { freeSlots } from './slots.js';
import { activeMeetingsOverlapping } from './sql/meetings.js';

export const proposeSlotsInput = {
  lead_id: uuid(),
  days: z.number().int().min(1).max(30).default(5).describe('Local days to look at, today included'),
  duration_minutes: z.number().int().min(15).max(240).default(30),
  max_slots: z.number().int().min(1).max(30).default(6),
  per_day: z
    .number()
    .int()
    .min(1)
    .max(10)
    .default(2)
    .describe('At most this many per day (spread over morning and afternoon)'),
  step_minutes: z.number().int().min(15).max(120).default(30).describe('Granularity of start times'),
  min_notice_minutes: z.number().int().min(0).max(2880).default(60).describe('Earliest start after now'),
  organizer: z.string().max(320).optional().describe("Whose agenda to avoid (default: the tenant's shared one)"),
};
export const proposeSlotsOutput = {
  lead_id: z.string(),
  timezone: z.string(),
  slots: z.array(z.object({ start: z.string(), end: z.string(), start_local: z.string(), label: z.string() })),
  calendar: z.object({ checked: z.boolean(), busy_events: z.number(), reason: z.string().nullable() }),
  avoided_agendamentos: z.number(),
};
type Output = Infer<typeof proposeSlotsOutput>;

/**
 * Free slots for a lead: the tenant's business hours in the lead's zone over the next days, minus the
 * active meetings of the lead and the organiser and, when the calendar profile can list events, the
 * calendar's busy times.
 */
export async function proposeSlots(scope: Scope, input: Infer<typeof proposeSlotsInput>): Promise<Output> {
  const t = scope.tenant.tenant_id;
  const now = scope.clock.now();
  const horizon = new Date(now.getTime() + (input.days + 1) * DAY_MS);
  const organizer = normalizeOrganizer(input.organizer);
  const { lead, policy, taken } = await scope.tx(async (tx) => {
    const lead = await tx
      .selectFrom('leads')
      .select(['lead_id', 'timezone', 'status'])
      .where('tenant_id', '=', t)
      .where('lead_id', '=', input.lead_id)
      .executeTakeFirst();
    if (!lead) throw notFound('Lead', input.lead_id);
    const w = { leadId: input.lead_id, organizer, from: now, to: horizon };
    return { lead, policy: await loadPolicy(tx, scope.tenant), taken: await activeMeetingsOverlapping(tx, t, w) };
  });
  if (lead.status === 'opt_out')
    throw new AppError('failed_precondition', `Lead ${input.lead_id} opted out: do not propose meetings.`);
  const busy: BusyInterval[] = taken.map((a) => ({ start: new Date(a.inicio), end: new Date(a.fim), eventId: null }));
  const calendar = await calendarBusy(scope, now, horizon, busy);
  const slots = freeSlots({
    now,
    timeZone: lead.timezone,
    hours: policy.janela,
    days: input.days,
    durationMinutes: input.duration_minutes,
    stepMinutes: input.step_minutes,
    minNoticeMinutes: input.min_notice_minutes,
    maxSlots: input.max_slots,
    perDay: input.per_day,
    busy,
  });
  return {
    lead_id: lead.lead_id,
    timezone: lead.timezone,
    slots: slots.map((s) => ({
      start: s.start.toISOString(),
      end: s.end.toISOString(),
      start_local: toZonedIso(s.start, lead.timezone),
      label: localLabel(s.start, lead.timezone).label,
    })),
    calendar,
    avoided_agendamentos: taken.length,
  };
}

/** Adds the calendar's busy times to `busy` when it can list them (sending on), and says whether it did. */
async function calendarBusy(scope: Scope, from: Date, to: Date, busy: BusyInterval[]): Promise<Output['calendar']> {
  const cal = scope.sending.enabled ? scope.calendar : undefined;
  const only = 'only our agendamentos were avoided';
  if (!cal)
    return {
      checked: false,
      busy_events: 0,
      reason: `MICRO_AGENT_DISPARO_ENABLED is not "true": the calendar is not contacted; ${only}`,
    };
  if (!cal.capabilities().list)
    return { checked: false, busy_events: 0, reason: `the calendar profile has no list tool: ${only}` };
  const r = await cal.busy(from, to, { signal: scope.signal });
  if (!r.ok) return { checked: false, busy_events: 0, reason: `listing the calendar failed (${r.error}): ${only}` };
  busy.push(...r.intervals);
  return { checked: true, busy_events: r.intervals.length, reason: null };
}
