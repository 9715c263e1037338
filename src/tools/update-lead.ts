import { updateLead, updateLeadInput, updateLeadOutput } from '../core/leads/update-lead.js';
import { defineTool } from './define-tool.js';

export const updateLeadTool = defineTool({
  name: 'update_lead',
  title: 'Correct or move a lead',
  description:
    "Corrects a lead's phone, e-mail, contact, document or UF (normalised; another lead's value is refused) and/or " +
    'moves its status (illegal moves refused with the legal ones); audited. Opt-out: manage_suppression.',
  toolset: 'leads',
  access: 'write',
  input: updateLeadInput,
  output: updateLeadOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handler: async (args, { scope }) => {
    const data = await updateLead(scope, args);
    const moved =
      data.previous_status === data.status ? `status ${data.status}` : `${data.previous_status} → ${data.status}`;
    const fixed = data.changed.length ? `; corrected: ${data.changed.join(', ')}` : '';
    return { data, text: `Lead ${data.lead_id}: ${moved}${fixed}. Its record: query_leads {lead_id}.` };
  },
});
