import { listEvents, listEventsInput, listEventsOutput } from '../core/events/list-events.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

export const listEventsTool = defineTool({
  name: 'list_events',
  title: 'List events',
  description:
    'CloudEvents (lead, disparo, meeting, campaign, import changes) after a cursor, oldest first; pass next_cursor as after.',
  toolset: 'dispatch',
  access: 'read',
  input: listEventsInput,
  output: listEventsOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const data = await listEvents(scope, args);
    return {
      data,
      text: data.events.length
        ? `${data.events.length} event(s); more: call again with after "${data.next_cursor}"\n` +
          table(
            ['sequence', 'time', 'type', 'subject'],
            data.events.map((e) => [e.sequence, e.time, e.type, e.subject]),
          )
        : `No events after ${args.after}.`,
    };
  },
});
