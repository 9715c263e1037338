import {
  setOutreachPolicy,
  setOutreachPolicyInput,
  setOutreachPolicyOutput,
} from '../core/outreach/set-outreach-policy.js';
import { defineTool } from './define-tool.js';

export const setOutreachPolicyTool = defineTool({
  name: 'set_outreach_policy',
  title: 'Outreach policy and templates',
  description:
    "Reads (no arguments) or changes the tenant's rules: sender name, weekly send window (lead's local time), " +
    "messages per lead per 24 h, a channel's pace and 24 h recipient cap, template overrides ({{var}}).",
  toolset: 'dispatch',
  access: 'admin',
  input: setOutreachPolicyInput,
  output: setOutreachPolicyOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const d = await setOutreachPolicy(scope, args);
    return {
      data: d,
      text:
        `Sender "${d.sender_name}", at most ${d.max_messages_per_lead_24h} message(s) per lead per 24 h` +
        `${args.template ? `, template ${args.template.id} saved` : ''}.`,
    };
  },
});
