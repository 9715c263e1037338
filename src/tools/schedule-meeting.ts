import { z } from 'zod';
import { scheduleMeeting } from '../app/meetings.js';
import { uuid } from './schemas.js';
import { defineTool } from './define-tool.js';
import { MeetingMessageSchema, MeetingSchema } from './meeting-schemas.js';

export const scheduleMeetingTool = defineTool({
  name: 'schedule_meeting',
  title: 'Schedule a meeting with a lead',
  description:
    "Books a meeting in the calendar; the lead → agendado. start: ISO with offset, or local time in the LEAD's zone. Refused " +
    'in the past, outside business hours (unless force) or overlapping the lead/organiser. A calendar failure is an error and ' +
    'the row stays falhou/incerto. Dry run (validates only) unless MICRO_AGENT_DISPARO_ENABLED="true".',
  toolset: 'meetings',
  access: 'send',
  input: {
    lead_id: uuid(),
    start: z.string().min(16).max(40).describe("2026-12-01T10:00:00-03:00, or 2026-12-01T10:00 in the lead's zone"),
    duration_minutes: z.number().int().min(15).max(480).default(30),
    title: z.string().min(1).max(300).optional().describe('Default: "Reunião: <empresa>"'),
    description: z.string().max(4000).optional(),
    location: z.string().max(500).optional().describe('Address or video-call link'),
    organizer: z.string().max(320).optional().describe("Who runs it (e-mail); default: the tenant's shared agenda"),
    force: z.boolean().default(false).describe('Allow outside business hours (never in the past or double-booked)'),
    send_confirmation: z.boolean().default(false).describe('Queue the confirmation message to the lead'),
  },
  output: {
    modo: z.enum(['real', 'dry_run']),
    agendamento: MeetingSchema.nullable(),
    lead_status: z.string(),
    confirmacao: MeetingMessageSchema.nullable(),
    aviso: z.string().nullable(),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  handler: async (args, { deps, signal }) => {
    const r = await scheduleMeeting(
      deps,
      {
        leadId: args.lead_id,
        start: args.start,
        durationMinutes: args.duration_minutes,
        title: args.title,
        description: args.description,
        location: args.location,
        organizer: args.organizer,
        force: args.force,
        sendConfirmation: args.send_confirmation,
      },
      signal,
    );
    const a = r.agendamento!;
    const text =
      r.modo === 'dry_run'
        ? `NOT BOOKED. ${r.aviso} Would book ${a.rotulo}.`
        : `Booked ${a.rotulo} (agendamento ${a.agendamento_id}, event ${a.evento_id_externo ?? 'n/a'}); lead ${r.lead_status}.` +
          (r.confirmacao ? ` Confirmation: ${r.confirmacao.status} (${r.confirmacao.motivo}).` : '') +
          (r.aviso ? ` Warning: ${r.aviso}` : '');
    return { data: r, text };
  },
});
