import { setLeadStatus, setLeadStatusInput, setLeadStatusOutput } from '../core/leads/set-lead-status.js';
import { defineTool } from './define-tool.js';

export const setLeadStatusTool = defineTool({
  name: 'set_lead_status',
  title: 'Move a lead to another status',
  description:
    'Moves a lead along its state machine with a reason kept in its history; illegal moves are refused with the ' +
    'possible ones. For opt-out use manage_suppression (opt_out_lead).',
  toolset: 'leads',
  access: 'write',
  input: setLeadStatusInput,
  output: setLeadStatusOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handler: async (args, { scope }) => {
    const data = await setLeadStatus(scope, args);
    return { data, text: `Lead ${data.lead_id}: ${data.previous_status} → ${data.status}.` };
  },
});
