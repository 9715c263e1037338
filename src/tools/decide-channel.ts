import { decideChannel, decideChannelInput, decideChannelOutput } from '../core/outreach/decide-channel.js';
import { defineTool } from './define-tool.js';

export const decideChannelTool = defineTool({
  name: 'decide_channel',
  title: 'Decide the channel for leads',
  description:
    'Per lead: WhatsApp (valid mobile) → e-mail → none, with the reason, template and policy gates (opt-out, state, ' +
    'send window, daily cap); whether it would go now or when. Reads only.',
  toolset: 'dispatch',
  access: 'read',
  input: decideChannelInput,
  output: decideChannelOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const data = await decideChannel(scope, args);
    const { decisions } = data;
    const asked = new Set(args.lead_id ? [args.lead_id] : (args.lead_ids ?? [])).size;
    const lines = decisions
      .slice(0, 20)
      .map(
        (d) =>
          `${d.lead_id} ${d.name}: ${d.channel} — ` +
          (d.would_send_now ? 'would send now' : `${d.block_code}: ${d.block_reason}`),
      );
    if (decisions.length > 20) lines.push(`… ${decisions.length - 20} more`);
    if (asked > decisions.length) lines.push(`${asked - decisions.length} id(s) not found for this tenant.`);
    return { data, text: lines.join('\n') };
  },
});
