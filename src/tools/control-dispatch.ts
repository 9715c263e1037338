import { z } from 'zod';
import { controlCampaign } from '../core/dispatch/campaigns.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';
import { uuid } from './schemas.js';

export const controlDispatchTool = defineTool({
  name: 'control_dispatch',
  title: 'Pause, resume or cancel a campaign',
  description:
    'pause (queued messages wait), resume, or cancel (unsent messages end cancelado) a campaign; returns its status.',
  toolset: 'dispatch',
  access: 'send',
  input: { job_id: uuid().describe('From start_dispatch'), action: z.enum(['pause', 'resume', 'cancel']) },
  output: { job_id: z.string(), status: z.string() },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  handler: async (args, { deps }) => {
    const status = await withTenant(deps.db.kysely, deps.tenant.tenant_id, (tx) =>
      controlCampaign(tx, deps.tenant.tenant_id, args.job_id, args.action),
    );
    return { data: { job_id: args.job_id, status }, text: `Campaign ${args.job_id} is now ${status}.` };
  },
});
