import { z } from 'zod';
import { updateMeeting } from '../app/meetings.js';
import { uuid } from './schemas.js';
import { defineTool } from './define-tool.js';
import { MeetingMessageSchema, MeetingSchema } from './meeting-schemas.js';

export const updateMeetingTool = defineTool({
  name: 'update_meeting',
  title: 'Confirm, cancel, reschedule or close a meeting',
  description:
    'confirm (meeting and lead → confirmado); cancel (deletes the calendar event; lead → respondeu); reschedule to start ' +
    '(checks as schedule_meeting); complete / no_show once it started. If the calendar fails, nothing changes here and the ' +
    'error is recorded. cancel/reschedule are dry runs unless MICRO_AGENT_DISPARO_ENABLED="true".',
  toolset: 'meetings',
  access: 'send',
  input: {
    agendamento_id: uuid(),
    action: z.enum(['confirm', 'cancel', 'reschedule', 'complete', 'no_show']),
    start: z
      .string()
      .min(16)
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
      .describe('cancel: only here, when the calendar cannot do it (remove the event by hand)'),
    motivo: z.string().max(500).optional().describe('Why (kept in the lead history)'),
  },
  output: {
    modo: z.enum(['real', 'dry_run']),
    agendamento: MeetingSchema,
    status_anterior: z.string(),
    lead_status: z.string(),
    confirmacao: MeetingMessageSchema.nullable(),
    aviso: z.string().nullable(),
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  handler: async (args, { deps, signal }) => {
    const r = await updateMeeting(
      deps,
      {
        agendamentoId: args.agendamento_id,
        action: args.action,
        start: args.start,
        durationMinutes: args.duration_minutes,
        force: args.force,
        sendConfirmation: args.send_confirmation,
        skipCalendar: args.skip_calendar,
        motivo: args.motivo,
      },
      signal,
    );
    const a = r.agendamento;
    const text =
      r.modo === 'dry_run'
        ? `NOT CHANGED. ${r.aviso}`
        : `Agendamento ${a.agendamento_id}: ${r.status_anterior} → ${a.status}, ${a.rotulo}; lead ${r.lead_status}.` +
          (r.aviso ? ` Note: ${r.aviso}` : '') +
          (r.confirmacao ? ` Confirmation: ${r.confirmacao.status}.` : '');
    return { data: r, text };
  },
});
