import { dryRunDispatch, dryRunInput, dryRunOutput } from '../core/outreach/dry-run.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

export const dryRunDispatchTool = defineTool({
  name: 'dry_run_dispatch',
  title: 'Rehearse a campaign (dry run)',
  description:
    'Rehearses a send to lead_ids or a filter: decides, gates and renders each lead into dry_run_log; never sends. ' +
    'Returns counts by channel and block reason, and rendered examples; the blocked leads: get_report view blocked.',
  toolset: 'dispatch',
  access: 'write',
  input: dryRunInput,
  output: dryRunOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handler: async (args, { scope }) => {
    const s = await dryRunDispatch(scope, args);
    return {
      data: s,
      text:
        `DRY RUN ${s.batch_id} — nothing was sent. ${s.total} leads: ${s.would_send_now} would go now, ` +
        `${s.deferred} deferred, ${s.blocked} blocked. Channels: ${list(s.by_channel)}. ` +
        `Block reasons: ${list(s.by_block_code)}.` +
        (s.blocked > 0 ? ` Who and why: get_report {view: "blocked", batch_id: "${s.batch_id}"}.` : '') +
        '\nExamples:\n' +
        table(
          ['lead_id', 'name', 'channel', 'destination', 'template', 'block_code', 'scheduled_for'],
          s.sample.map((d) => [d.lead_id, d.name, d.channel, d.destination, d.template, d.block_code, d.scheduled_for]),
        ),
    };
  },
});
