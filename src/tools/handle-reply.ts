import { handleReply, handleReplyInput, handleReplyOutput } from '../core/replies/handle-reply.js';
import { defineTool } from './define-tool.js';

export const handleReplyTool = defineTool({
  name: 'handle_reply',
  title: 'Handle an inbound reply',
  description:
    'Records a pasted WhatsApp/e-mail reply (idempotent), finds the lead, classifies it in pt-BR (opt-out first) and ' +
    'acts: opt-out suppresses on every channel; a confirmation confirms the next meeting; others move the lead to respondeu.',
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
        `${d.suppressed ? '; suppressed on every channel' : ''}. Next: ${d.suggested_action}`,
    };
  },
});
