/**
 * confirm, complete, no_show: only our records change (the calendar event stays as it is). The lead
 * follows: confirmado, realizado, or back to where it was before the booking when they did not come.
 */
import { AppError } from '../errors.js';
import { transitionLeads } from '../leads/transition.js';
import { LEAD_MEETING_STATUSES, type LeadStatus } from '../model/index.js';
import type { Scope } from '../scope.js';
import { toZonedIso } from '../time/index.js';
import { ACTION_TARGET, assertAction, meetingOrThrow } from './actions.js';
import { agendamentoView } from './agendamento.js';
import { leadStatusOf, statusBeforeMeeting } from './sql/leads.js';
import { moveMeeting } from './sql/meetings.js';
import type { UpdateMeetingInput, UpdateMeetingOutput } from './update-meeting.js';

type CloseAction = 'confirm' | 'complete' | 'no_show';

/** no_show: back to where the lead was before the booking (not respondeu for a lead that never replied). */
const LEAD_AFTER: Readonly<Record<Exclude<CloseAction, 'no_show'>, LeadStatus>> = {
  confirm: 'confirmado',
  complete: 'realizado',
};

export function closeMeeting(
  scope: Scope,
  input: UpdateMeetingInput & { action: CloseAction },
): Promise<UpdateMeetingOutput> {
  const t = scope.tenant.tenant_id;
  const to = ACTION_TARGET[input.action];
  return scope.tx(async (tx) => {
    const now = scope.clock.now();
    const row = await meetingOrThrow(tx, t, input.agendamento_id, true);
    assertAction(row, input.action);
    if (input.action !== 'confirm' && new Date(row.inicio).getTime() > now.getTime()) {
      throw new AppError(
        'failed_precondition',
        `Agendamento ${row.agendamento_id} starts ${toZonedIso(new Date(row.inicio), row.timezone)}: ` +
          `it cannot be marked ${to} before it starts.`,
      );
    }
    // The row is locked and its move checked: the conditional update cannot miss.
    const updated = (await moveMeeting(tx, t, row.agendamento_id, to, { now, from: [row.status] }))!;
    const leadTo =
      input.action === 'no_show' ? await statusBeforeMeeting(tx, t, row.lead_id) : LEAD_AFTER[input.action];
    await transitionLeads(tx, t, [row.lead_id], leadTo, {
      reason: input.reason ?? `reunião ${row.agendamento_id}: ${to}`,
      actor: scope.actorLabel,
      from: LEAD_MEETING_STATUSES,
    });
    return {
      mode: 'real',
      agendamento: agendamentoView(updated),
      previous_status: row.status,
      lead_status: await leadStatusOf(tx, t, row.lead_id),
      confirmation: null,
      warning: null,
    };
  });
}
