import { getJobs, getJobsInput, getJobsOutput } from '../core/jobs/get-jobs.js';
import type { CampaignJob, IngestJob, Job } from '../core/jobs/job-schema.js';
import { DISPARO_STATUSES } from '../core/model/index.js';
import { limitsLine, type ChannelLimits } from '../core/dispatch/limits.js';
import { defineTool } from './define-tool.js';
import { problemsTable } from './ingest-leads.js';
import { table } from './text-table.js';

export const jobStatus = defineTool({
  name: 'job_status',
  title: 'Job status',
  description:
    "One import or campaign job, or the recent ones: status, %, ETA; an import's rows, leads and problems " +
    "(row numbers), a campaign's disparos by status.",
  toolset: 'core',
  access: 'read',
  input: getJobsInput,
  output: getJobsOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const data = await getJobs(scope, args);
    const jobs = data.jobs.length
      ? table(['job_id', 'kind', 'status', 'pct', 'eta_s', 'what', 'counts', 'error'], data.jobs.map(jobRow), 240)
      : 'No jobs yet.';
    const one = data.jobs.length === 1 && data.jobs[0].kind === 'ingest' ? data.jobs[0] : null;
    const problems = one?.problems_sample.length
      ? `\nProblems (${one.problems_total}; all: resource job-problems://${one.job_id}):\n${problemsTable(one.problems_sample)}`
      : '';
    return { data, text: `${jobs}${problems}\nLimits: ${limitsLine(data.limits as unknown as ChannelLimits[])}` };
  },
});

/** One row per job, in its own words: an import's file, rows and leads; a campaign's pace and disparos. */
function jobRow(j: Job): unknown[] {
  const eta = j.status === 'processando' ? j.eta_seconds : null;
  return j.kind === 'ingest'
    ? [j.job_id, 'import', j.status, j.progress_pct, eta, j.file, importCounts(j), j.error]
    : [
        j.job_id,
        j.mode === 'dry_run' ? 'campaign (dry run)' : 'campaign',
        j.status,
        j.progress_pct,
        eta,
        j.pace === null ? '-' : `pace ${j.pace}/s`,
        campaignCounts(j),
        j.error,
      ];
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
