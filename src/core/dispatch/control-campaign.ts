import { z } from 'zod';
import { CAMPAIGN_STATUSES } from '../model/index.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { controlCampaign as controlCampaignSql } from './campaigns.js';

export const controlCampaignInput = {
  job_id: uuid().describe("The campaign: start_dispatch's job_id (job_status lists them)"),
  action: z.enum(['pause', 'resume', 'cancel']),
};
export const controlCampaignOutput = {
  job_id: z.string(),
  status: z.enum(CAMPAIGN_STATUSES).describe('The campaign job status after the action'),
};

/** Pauses (queued messages wait), resumes, or cancels (unsent messages end cancelado) a campaign. */
export async function controlCampaign(
  scope: Scope,
  input: Infer<typeof controlCampaignInput>,
): Promise<Infer<typeof controlCampaignOutput>> {
  const status = await scope.tx((tx) =>
    controlCampaignSql(tx, scope.tenant.tenant_id, input.job_id, input.action, scope.actorLabel, scope.clock.now()),
  );
  return { job_id: input.job_id, status };
}
