import { z } from 'zod';
import { controlCampaign } from '../core/dispatch/campaigns.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';

export const controlDispatchTool = defineTool({
  name: 'control_dispatch',
  title: 'Pause, resume or cancel a campaign',
  description:
    'pause: queued messages of the campaign wait (messages already being sent finish). resume: they go again. ' +
    'cancel: every message not yet sent ends cancelado and its lead returns to novo. Returns the campaign status.',
  toolset: 'dispatch',
  access: 'send',
  input: { job_id: z.uuid().describe('The campaign job id from start_dispatch'), action: z.enum(['pause', 'resume', 'cancel']) },
  output: { job_id: z.string(), status: z.string() },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  handler: async (args, { deps }) => {
    const status = await withTenant(deps.db.kysely, deps.tenant.tenant_id, (tx) => controlCampaign(tx, deps.tenant.tenant_id, args.job_id, args.action));
    return { data: { job_id: args.job_id, status }, text: `Campaign ${args.job_id} is now ${status}.` };
  },
});
