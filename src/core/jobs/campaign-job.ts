import type { CampaignView } from '../dispatch/campaigns.js';
import { DISPARO_STATUSES, type DisparoStatus } from '../model/index.js';
import type { CampaignCounts, CampaignJob } from './job-schema.js';

/**
 * A campaign (core/dispatch/campaigns.ts getCampaign, which counts its disparos) as the job a client
 * reads: its own counts (disparos by status), its pace in sends per second, what enqueue blocked.
 */
export function campaignJob(c: CampaignView): CampaignJob {
  return {
    job_id: c.job_id,
    kind: 'dispatch',
    status: c.status,
    mode: c.modo,
    counts: campaignCounts(c.counts),
    sends_per_second: c.sends_per_second,
    pace: c.pace,
    blocked_at_enqueue: c.blocked_at_enqueue,
    delivery: c.delivery,
    dry_run_batch_id: c.dry_run_lote_id,
    progress_pct: c.progress_pct,
    eta_seconds: c.eta_seconds,
    error: c.error,
    created_at: c.created_at,
    started_at: c.created_at,
    finished_at: c.finished_at,
  };
}

function campaignCounts(counts: Record<string, number>): CampaignCounts {
  const out = { total: counts.total ?? 0 } as CampaignCounts;
  for (const s of DISPARO_STATUSES) out[s as DisparoStatus] = counts[s] ?? 0;
  return out;
}
