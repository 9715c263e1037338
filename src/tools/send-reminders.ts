import { sendReminders, sendRemindersInput, sendRemindersOutput } from '../core/meetings/send-reminders.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

export const sendRemindersTool = defineTool({
  name: 'send_reminders',
  title: 'Send meeting reminders',
  description:
    'Queues one reminder per meeting starting within window_hours — never twice, even concurrently (cron-safe); ' +
    "deferred outside the lead's send window. Dry run unless sending is on.",
  toolset: 'meetings',
  access: 'send',
  input: sendRemindersInput,
  output: sendRemindersOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { scope }) => {
    const r = await sendReminders(scope, args);
    const head = r.mode === 'dry_run' ? 'DRY RUN (nothing sent): ' : '';
    return {
      data: r,
      text:
        `${head}${r.found} meeting(s) within ${r.window_hours} h: ${r.reminders} reminder(s), ` +
        `${r.deferred} deferred to the send window.` +
        (r.items.length
          ? `\n${table(
              ['agendamento_id', 'lead_id', 'start_local', 'result', 'reason', 'scheduled_for'],
              r.items.map((i) => [i.agendamento_id, i.lead_id, i.start_local, i.result, i.reason, i.scheduled_for]),
            )}`
          : ''),
    };
  },
});
