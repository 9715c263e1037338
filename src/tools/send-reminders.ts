import { sendReminders, sendRemindersInput, sendRemindersOutput } from '../core/meetings/send-reminders.js';
import { defineTool } from './define-tool.js';

export const sendRemindersTool = defineTool({
  name: 'send_reminders',
  title: 'Send meeting reminders',
  description:
    'Queues one reminder per meeting starting within window_hours — never twice, even concurrently (cron-safe); ' +
    "deferred outside the lead's send window. Dry run unless sending is on (get_status).",
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
        `${r.deferred} deferred to the send window.`,
    };
  },
});
