import { controlCampaign, controlCampaignInput, controlCampaignOutput } from '../core/dispatch/control-campaign.js';
import { defineTool } from './define-tool.js';

export const controlDispatchTool = defineTool({
  name: 'control_dispatch',
  title: 'Pause, resume or cancel a campaign',
  description:
    'pause (queued messages wait), resume, or cancel (unsent messages end cancelado) a campaign; returns its status.',
  toolset: 'dispatch',
  access: 'send',
  input: controlCampaignInput,
  output: controlCampaignOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  handler: async (args, { scope }) => {
    const data = await controlCampaign(scope, args);
    return { data, text: `Campaign ${data.job_id} is now ${data.status}.` };
  },
});
