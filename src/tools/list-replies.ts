import { listReplies, listRepliesInput, listRepliesOutput } from '../core/inbound/list-replies.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

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
        ? `${data.replies.length} ${args.filter} repl${data.replies.length === 1 ? 'y' : 'ies'}, newest first` +
          (data.replies.length >= args.limit ? ` (more: call again with a larger limit, ≤100)` : '') +
          ':\n' +
          table(
            ['received_at', 'lead_id', 'from', 'class', 'attribution', 'text', 'inbound_message_id'],
            data.replies.map((r) => [
              r.received_at,
              r.lead_id,
              r.from,
              r.class,
              r.attribution,
              r.text,
              r.inbound_message_id,
            ]),
            120,
          )
        : `No ${args.filter} replies.`,
    };
  },
});
