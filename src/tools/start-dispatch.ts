import { startCampaign, startCampaignInput, startCampaignOutput } from '../core/dispatch/start-campaign.js';
import { defineTool } from './define-tool.js';
import { countsTable } from './text-table.js';
import { table } from './text-table.js';

export const startDispatchTool = defineTool({
  name: 'start_dispatch',
  title: 'Start a campaign',
  description:
    'Queues a campaign to lead_ids or a filter, sent in the background within pace and send windows; a ' +
    'campaign_key never messages a lead twice. Returns a job (job_status). A dry run when sending is off.',
  toolset: 'dispatch',
  access: 'send',
  input: startCampaignInput,
  output: startCampaignOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { scope }) => {
    const d = await startCampaign(scope, args);
    const n = Object.values(d.blocked).reduce((a, b) => a + b, 0);
    const blocked = n ? `${n} (by reason below)` : 'none';
    return {
      data: d,
      text:
        (d.mode === 'dry_run'
          ? `DRY-RUN campaign ${d.job_id}: nothing was sent (sending is off). ${d.would_send_now} would go now, ` +
            `${d.deferred} deferred, blocked: ${blocked}; decisions in dry_run_log batch ${d.dry_run_batch_id}.`
          : `Campaign ${d.job_id} started: ${d.queued} queued (${d.deferred} deferred by the send window or the ` +
            `per-lead daily cap), ${d.already_queued} already queued before, blocked: ${blocked}. Poll job_status.`) +
        (n ? `\n${countsTable('block_code', d.blocked)}` : ''),
    };
  },
});
