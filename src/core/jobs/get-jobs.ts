import { z } from 'zod';
import { getCampaign, listCampaignIds } from '../dispatch/campaigns.js';
import { ChannelLimitsRef, dispatchLimits, type ChannelLimits } from '../dispatch/limits.js';
import { notFound } from '../errors.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { campaignJob } from './campaign-job.js';
import { selectIngestJob, selectRecentIngestJobs } from './ingest-job.js';
import { JobSchema, type Job } from './job-schema.js';

export const getJobsInput = {
  job_id: uuid().optional().describe('From ingest_leads or start_dispatch; omit: the recent ones'),
  limit: z.number().int().min(1).max(50).default(10),
};
export const getJobsOutput = { jobs: z.array(JobSchema), limits: ChannelLimitsRef };

/** One job of the tenant — an import or a campaign — or its most recent ones, newest first. */
export async function getJobs(scope: Scope, input: Infer<typeof getJobsInput>): Promise<Infer<typeof getJobsOutput>> {
  const tenantId = scope.tenant.tenant_id;
  const now = scope.clock.now();
  let limits: ChannelLimits[] = [];
  const jobs = await scope.tx(async (tx): Promise<Job[]> => {
    limits = await dispatchLimits(tx, tenantId, now);
    if (!input.job_id) {
      const imports = await selectRecentIngestJobs(tx, tenantId, input.limit, now);
      const ids = await listCampaignIds(tx, tenantId, input.limit);
      const campaigns = await Promise.all(ids.map((id) => getCampaign(tx, tenantId, id, now)));
      const all: Job[] = [...imports, ...campaigns.flatMap((c) => (c ? [campaignJob(c)] : []))];
      return all.sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, input.limit);
    }
    const job = await selectIngestJob(tx, tenantId, input.job_id, now);
    if (job) return [job];
    const c = await getCampaign(tx, tenantId, input.job_id, now);
    return c ? [campaignJob(c)] : [];
  });
  if (input.job_id && !jobs.length) throw notFound('Job', input.job_id);
  return { jobs, limits };
}
