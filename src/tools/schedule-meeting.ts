import { scheduleMeeting, scheduleMeetingInput, scheduleMeetingOutput } from '../core/meetings/schedule-meeting.js';
import { defineTool } from './define-tool.js';
import type { AgendamentoOut } from '../core/meetings/agendamento.js';
import { table } from './text-table.js';

export const scheduleMeetingTool = defineTool({
  name: 'schedule_meeting',
  title: 'Schedule a meeting with a lead',
  description:
    'Books a meeting in the calendar; the lead → agendado. Refused in the past, outside business hours ' +
    '(unless force) or overlapping. A calendar failure is an error (row falhou/incerto). Dry run unless ' +
    'sending is on.',
  toolset: 'meetings',
  access: 'send',
  input: scheduleMeetingInput,
  output: scheduleMeetingOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  handler: async (args, { scope }) => {
    const r = await scheduleMeeting(scope, args);
    const a = r.agendamento;
    const text =
      r.mode === 'dry_run'
        ? `NOT BOOKED. ${r.warning} Would book ${a.label}.`
        : `Booked ${a.label} (agendamento ${a.agendamento_id}, event ${a.calendar_event_id ?? 'n/a'}); ` +
          `lead ${r.lead_status}.` +
          (r.confirmation ? ` Confirmation: ${r.confirmation.status} (${r.confirmation.reason}).` : '') +
          (r.warning ? ` Warning: ${r.warning}` : '');
    return { data: r, text: `${text}\n${meetingTable(a)}` };
  },
});

/** One meeting as a one-row table: id, lead, status, when (local and UTC), where, calendar event. */
export const meetingTable = (a: AgendamentoOut) =>
  table(
    ['agendamento_id', 'lead_id', 'status', 'start_local', 'start', 'title', 'location', 'calendar_event_id'],
    [[a.agendamento_id, a.lead_id, a.status, a.start_local, a.start, a.title, a.location, a.calendar_event_id]],
  );
