import { updateMeeting, updateMeetingInput, updateMeetingOutput } from '../core/meetings/update-meeting.js';
import { defineTool } from './define-tool.js';
import { meetingTable } from './schedule-meeting.js';

export const updateMeetingTool = defineTool({
  name: 'update_meeting',
  title: 'Confirm, cancel, reschedule or close a meeting',
  description:
    'confirm (meeting and lead → confirmado); cancel (deletes the calendar event; lead → respondeu); reschedule to ' +
    'start (checked as schedule_meeting); complete / no_show once started. A calendar failure changes nothing here ' +
    '(error recorded). cancel/reschedule: dry run unless sending is on.',
  toolset: 'meetings',
  access: 'send',
  input: updateMeetingInput,
  output: updateMeetingOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  handler: async (args, { scope }) => {
    const r = await updateMeeting(scope, args);
    const a = r.agendamento;
    const text =
      r.mode === 'dry_run'
        ? `NOT CHANGED. ${r.warning}`
        : `Agendamento ${a.agendamento_id}: ${r.previous_status} → ${a.status}, ${a.label}; lead ${r.lead_status}.` +
          (r.warning ? ` Note: ${r.warning}` : '') +
          (r.confirmation ? ` Confirmation: ${r.confirmation.status}.` : '');
    return { data: r, text: `${text}\n${meetingTable(a)}` };
  },
});
