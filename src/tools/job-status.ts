import { getJobs, getJobsInput, getJobsOutput } from '../core/jobs/get-jobs.js';
import type { CampaignJob, IngestJob, Job } from '../core/jobs/job-schema.js';
import { DISPARO_STATUSES } from '../core/model/index.js';
import { limitsLine, type ChannelLimits } from '../core/dispatch/limits.js';
import { defineTool } from './define-tool.js';

export const jobStatus = defineTool({
  name: 'job_status',
  title: 'Job status',
  description:
    'One import or campaign job, or the recent ones: status (finished_at once it ends), %, ETA; an import counts ' +
    'rows, leads and problems (row numbers), a campaign its disparos by status.',
  toolset: 'core',
  access: 'read',
  input: getJobsInput,
  output: getJobsOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const data = await getJobs(scope, args);
    const jobs = data.jobs.length ? data.jobs.map(jobLine).join('\n') : 'No jobs yet.';
    return { data, text: `${jobs}\nLimits: ${limitsLine(data.limits as unknown as ChannelLimits[])}` };
  },
});

/** One line per job, in its own words: an import's rows and leads, a campaign's disparos. */
function jobLine(j: Job): string {
  const pct = j.progress_pct === null ? '' : ` ${j.progress_pct}%`;
  const eta = j.status === 'processando' && j.eta_seconds !== null ? `, ETA ${j.eta_seconds}s` : '';
  const error = j.error ? ` — error: ${j.error}` : '';
  return j.kind === 'ingest'
    ? `import ${j.job_id} of ${j.file}: ${j.status}${pct}${eta} — ${importCounts(j)}${error}`
    : `campaign ${j.job_id}${j.mode === 'dry_run' ? ' (dry run)' : ''}: ${j.status}${pct}${eta}` +
        `${j.pace === null ? '' : `, pace ${j.pace}/s`} — ${campaignCounts(j)}${error}`;
}

function importCounts(j: IngestJob): string {
  const c = j.counts;
  return (
    `${c.rows_read} rows, ${c.leads_created} leads created, ${c.leads_updated} updated, ${c.duplicates} duplicates, ` +
    `${j.problems_total} problems` +
    (c.rows_without_channel
      ? `, ${c.rows_without_channel} rows without any channel (no WhatsApp mobile, no valid e-mail)`
      : '')
  );
}

/** "3 enviado, 1 adiado of 4; blocked at enqueue: opt_out 2" (only the statuses present). */
function campaignCounts(j: CampaignJob): string {
  if (j.mode === 'dry_run') return `nothing sent; dry-run batch ${j.dry_run_batch_id ?? '-'} (dry_run_log)`;
  const parts = DISPARO_STATUSES.filter((s) => j.counts[s] > 0).map((s) => `${j.counts[s]} ${s}`);
  const blocked = Object.entries(j.blocked_at_enqueue).map(([code, n]) => `${code} ${n}`);
  const delivery = Object.entries(j.delivery)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return (
    `${parts.length ? parts.join(', ') : 'no disparos'} of ${j.counts.total} disparos` +
    (delivery.length ? `; reported by the provider: ${delivery.join(', ')}` : '') +
    (blocked.length ? `; blocked at enqueue: ${blocked.join(', ')}` : '')
  );
}
