import { listReplies, listRepliesInput, listRepliesOutput } from '../core/inbound/list-replies.js';
import { defineTool } from './define-tool.js';

export const listRepliesTool = defineTool({
  name: 'list_replies',
  title: 'List recent replies',
  description: 'Recent inbound messages, newest first; pendentes (default): unanswered questions and ambiguous ones.',
  toolset: 'dispatch',
  access: 'read',
  input: listRepliesInput,
  output: listRepliesOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const data = await listReplies(scope, args);
    return {
      data,
      text: data.replies.length
        ? data.replies
            .map((r) => `${r.received_at} ${r.class}/${r.attribution} ${r.lead_id ?? '?'}: "${r.text.slice(0, 60)}"`)
            .join('\n')
        : `No ${args.filter} replies.`,
    };
  },
});
