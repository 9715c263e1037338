import { decideChannel, decideChannelInput, decideChannelOutput } from '../core/outreach/decide-channel.js';
import { defineTool } from './define-tool.js';
import { boundedTable } from './text-table.js';

export const decideChannelTool = defineTool({
  name: 'decide_channel',
  title: 'Decide the channel for leads',
  description:
    'Per lead: WhatsApp (valid mobile) → e-mail → none, with the reason, template and policy gates (opt-out, state, ' +
    'send window, daily cap); whether it would go now or when.',
  toolset: 'dispatch',
  access: 'read',
  input: decideChannelInput,
  output: decideChannelOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const data = await decideChannel(scope, args);
    const { decisions } = data;
    const asked = new Set(args.lead_id ? [args.lead_id] : (args.lead_ids ?? [])).size;
    const lines = [
      boundedTable(
        ['lead_id', 'name', 'channel', 'destination', 'template', 'now', 'block_code', 'block_reason', 'scheduled_for'],
        decisions.map((d) => [
          d.lead_id,
          d.name,
          d.channel,
          d.destination,
          d.template,
          d.would_send_now ? 'yes' : 'no',
          d.block_code,
          d.block_reason,
          d.scheduled_for,
        ]),
        'call again with the lead_ids after these (or dry_run_dispatch for counts of many)',
      ),
    ];
    if (asked > decisions.length) lines.push(`${asked - decisions.length} id(s) not found for this tenant.`);
    const one = decisions.length === 1 ? decisions[0] : null;
    if (one?.message) lines.push(`Message${one.subject ? ` (subject: ${one.subject})` : ''}:\n${one.message}`);
    return { data, text: lines.join('\n') };
  },
});
