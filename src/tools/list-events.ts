import { listEvents, listEventsInput, listEventsOutput } from '../core/events/list-events.js';
import { defineTool } from './define-tool.js';

export const listEventsTool = defineTool({
  name: 'list_events',
  title: 'List events',
  description:
    'CloudEvents of this tenant after a cursor, oldest first (lead, disparo, meeting, campaign, import changes). ' +
    'Pass next_cursor as after to continue.',
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
        ? `${data.events.length} event(s); next_cursor ${data.next_cursor}\n` +
          data.events.map((e) => `${String(e.sequence)} ${String(e.type)} ${String(e.subject)}`).join('\n')
        : `No events after ${args.after}.`,
    };
  },
});
