import {
  setOutreachPolicy,
  setOutreachPolicyInput,
  setOutreachPolicyOutput,
} from '../core/outreach/set-outreach-policy.js';
import { limitsLine, type ChannelLimits } from '../core/dispatch/limits.js';
import { defineTool } from './define-tool.js';

export const setOutreachPolicyTool = defineTool({
  name: 'set_outreach_policy',
  title: 'Outreach policy and templates',
  description:
    "Reads (no arguments) or changes the tenant's rules: sender, creditor (unset blocks collections), " +
    "prescription years, send window, per-lead daily cap, a channel's pace, templates ({{var}}; unknown " +
    'ones refused).',
  toolset: 'dispatch',
  access: 'admin',
  input: setOutreachPolicyInput,
  output: setOutreachPolicyOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const d = await setOutreachPolicy(scope, args);
    const c = d.creditor as { legal_name: string; tax_id: string } | null;
    const creditor = c ? `${c.legal_name} (CNPJ ${c.tax_id})` : 'NOT SET (collection messages are blocked)';
    return {
      data: d,
      text:
        `Sender "${d.sender_name}", creditor ${creditor}, at most ${d.max_messages_per_lead_24h} message(s) per lead per 24 h` +
        `${args.template ? `, template ${args.template.id} saved` : ''}. ` +
        `Limits: ${limitsLine(d.limits as unknown as ChannelLimits[])}.`,
    };
  },
});
