import { z } from 'zod';
import { getJob, listJobs, type JobView } from '../core/jobs.js';
import { notFound } from '../core/errors.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';
import { JobSchema, uuid } from './schemas.js';

export const jobStatus = defineTool({
  name: 'job_status',
  title: 'Job status',
  description:
    'One ingest or dispatch job (progress %, counts, rate, ETA, problems with row numbers), or the recent jobs without job_id.',
  toolset: 'core',
  access: 'read',
  input: {
    job_id: uuid().optional(),
    limit: z.number().int().min(1).max(50).default(10),
  },
  output: { jobs: z.array(JobSchema) },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { deps }) => {
    const { tenant, clock } = deps;
    const jobs = await withTenant(deps.db.kysely, tenant.tenant_id, async (tx) => {
      if (!args.job_id) return listJobs(tx, tenant.tenant_id, args.limit, clock);
      const job = await getJob(tx, tenant.tenant_id, args.job_id, clock);
      if (!job) throw notFound('Job', args.job_id);
      return [job];
    });
    return { data: { jobs }, text: jobs.length ? jobs.map(summary).join('\n') : 'No jobs yet.' };
  },
});

function summary(j: JobView): string {
  const pct = j.progress_pct === null ? '' : ` ${j.progress_pct}%`;
  const eta = j.status === 'processando' && j.eta_seconds !== null ? `, ETA ${j.eta_seconds}s` : '';
  const c = j.counts;
  return (
    `${j.kind} job ${j.job_id}: ${j.status}${pct}${eta} — ${c.linhas_lidas ?? 0} rows, ${c.leads_criados ?? 0} leads created, ` +
    `${c.duplicados ?? 0} duplicates, ${j.problems_total} problems` +
    `${c.rows_without_channel ? `, ${c.rows_without_channel} rows without any channel (no WhatsApp mobile, no valid e-mail)` : ''}` +
    `${j.error ? ` — error: ${j.error}` : ''}`
  );
}
