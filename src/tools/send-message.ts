import { sendMessage, sendMessageInput, sendMessageOutput } from '../core/dispatch/send-message.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

export const sendMessageTool = defineTool({
  name: 'send_message',
  title: 'Send one message to a lead',
  description:
    'One template message to one lead on its decided channel, after every gate. A dry run unless sending is on.',
  toolset: 'dispatch',
  access: 'send',
  input: sendMessageInput,
  output: sendMessageOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { scope }) => {
    const d = await sendMessage(scope, args);
    const text =
      d.mode === 'dry_run'
        ? `NOT SENT. ${d.reason}`
        : d.sent
          ? `SENT via ${d.channel} (message id ${d.message_id ?? 'n/a'}).`
          : `Not sent: ${d.status}${d.reason ? ` — ${d.reason}` : ''}.`;
    const row = table(
      ['lead_id', 'channel', 'destination', 'template', 'status', 'disparo_id', 'message_id'],
      [[d.lead_id, d.channel, d.destination, d.template, d.status, d.disparo_id, d.message_id]],
    );
    return { data: d, text: `${text}\n${row}` };
  },
});
