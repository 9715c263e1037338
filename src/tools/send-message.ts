import { sendMessage, sendMessageInput, sendMessageOutput } from '../core/dispatch/send-message.js';
import { defineTool } from './define-tool.js';

export const sendMessageTool = defineTool({
  name: 'send_message',
  title: 'Send one message to a lead',
  description:
    'One template message to one lead on its decided channel, after every gate. Sends only when get_status says ' +
    'sending is on; otherwise records a dry run and says so.',
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
    return { data: d, text };
  },
});
