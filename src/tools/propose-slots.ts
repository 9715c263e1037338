import { proposeSlots, proposeSlotsInput, proposeSlotsOutput } from '../core/meetings/propose-slots.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

export const proposeSlotsTool = defineTool({
  name: 'propose_slots',
  title: 'Propose free meeting slots for a lead',
  description:
    "Free slots in the tenant's business hours in the LEAD's time zone, avoiding meetings and the " +
    "calendar's busy times: UTC, local and a pt-BR label to paste in a message. Book one with " +
    'schedule_meeting.',
  toolset: 'meetings',
  access: 'read',
  input: proposeSlotsInput,
  output: proposeSlotsOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { scope }) => {
    const r = await proposeSlots(scope, args);
    const lines = [
      table(
        ['n', 'label', 'start_local', 'start'],
        r.slots.map((s, i) => [i + 1, s.label, s.start_local, s.start]),
      ),
    ];
    const cal = r.calendar.checked
      ? `calendar consulted (${r.calendar.busy_events} busy)`
      : `calendar not consulted: ${r.calendar.reason}`;
    return {
      data: r,
      text: r.slots.length
        ? `${r.slots.length} free slot(s) in ${r.timezone}; ${cal}.\n${lines.join('\n')}`
        : `No free slot in the next ${args.days} day(s); ${cal}.`,
    };
  },
});
