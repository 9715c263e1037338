import { z } from 'zod';
import { AGENDAMENTO_STATUSES, LEAD_STATUSES } from '../model/index.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { MEETING_ACTIONS } from './actions.js';
import { agendamentoOutput } from './agendamento.js';
import { cancelMeeting } from './cancel-meeting.js';
import { closeMeeting } from './close-meeting.js';
import { meetingMessageOutput } from './meeting-message.js';
import { rescheduleMeeting } from './reschedule-meeting.js';

export const updateMeetingInput = {
  agendamento_id: uuid(),
  action: z.enum(MEETING_ACTIONS),
  start: z
    .string()
    .max(40)
    .optional()
    .describe("reschedule: new start, ISO with offset or local time in the lead's zone"),
  duration_minutes: z
    .number()
    .int()
    .min(15)
    .max(480)
    .optional()
    .describe('reschedule: new length (default: unchanged)'),
  force: z.boolean().default(false).describe('reschedule: allow outside business hours'),
  send_confirmation: z.boolean().default(false).describe('reschedule: queue a confirmation of the new time'),
  skip_calendar: z
    .boolean()
    .default(false)
    .describe('cancel: only here (the calendar cannot; remove its event by hand)'),
  reason: z.string().max(500).optional().describe('Why (kept in the lead history)'),
};
export const updateMeetingOutput = {
  mode: z.enum(['real', 'dry_run']),
  agendamento: agendamentoOutput,
  previous_status: z.enum(AGENDAMENTO_STATUSES),
  lead_status: z.enum(LEAD_STATUSES),
  confirmation: meetingMessageOutput.nullable(),
  warning: z.string().nullable(),
};
export type UpdateMeetingInput = Infer<typeof updateMeetingInput>;
export type UpdateMeetingOutput = Infer<typeof updateMeetingOutput>;

/**
 * Confirms, cancels, reschedules or closes (complete / no_show) one meeting, keeping the calendar and
 * the database in step. Which action a meeting takes follows AGENDAMENTO_TRANSITIONS (./actions.ts);
 * cancel and reschedule change the calendar first and are dry runs with sending off.
 */
export async function updateMeeting(scope: Scope, input: UpdateMeetingInput): Promise<UpdateMeetingOutput> {
  switch (input.action) {
    case 'cancel':
      return cancelMeeting(scope, input);
    case 'reschedule':
      return rescheduleMeeting(scope, input);
    default:
      return closeMeeting(scope, { ...input, action: input.action });
  }
}
