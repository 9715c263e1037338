import { handleReply, handleReplyInput, handleReplyOutput } from '../core/replies/handle-reply.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

export const handleReplyTool = defineTool({
  name: 'handle_reply',
  title: 'Handle an inbound reply',
  description:
    'Records a pasted WhatsApp/e-mail reply (idempotent), finds the lead, classifies it (opt-out first) ' +
    'and acts: opt-out suppresses on every channel; a confirmation confirms the next meeting; others move ' +
    'the lead to respondeu.',
  toolset: 'dispatch',
  access: 'write',
  input: handleReplyInput,
  output: handleReplyOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const d = await handleReply(scope, args);
    return {
      data: d,
      text:
        `${d.duplicate ? '(already handled) ' : ''}${d.class} (${Math.round(d.confidence * 100)}%): ${d.reason}. ` +
        `Lead ${d.lead_id ?? 'unknown sender'}${d.lead_status ? ` → ${d.lead_status}` : ''}` +
        `${d.suppressed ? '; suppressed on every channel' : ''}. Next: ${d.suggested_action}\n` +
        table(
          ['inbound_message_id', 'lead_id', 'class', 'attribution', 'lead_status', 'confirmed_agendamento_id'],
          [[d.inbound_message_id, d.lead_id, d.class, d.attribution, d.lead_status, d.confirmed_agendamento_id]],
        ),
    };
  },
});
