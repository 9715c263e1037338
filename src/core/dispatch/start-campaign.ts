import { z } from 'zod';
import type { Tx } from '../../db/tenant.js';
import { CAMPAIGN_MODES, derivedCampaignKey, isDeferral, LEAD_STATUSES, type CampaignMode } from '../model/index.js';
import {
  assertCreditorForRealSend,
  loadDecisionContext,
  targetOf,
  type DecisionContext,
  type Target,
} from '../outreach/decision-context.js';
import { runDryRun, type DryRunBatch } from '../outreach/dry-run-batch.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { AppError } from '../errors.js';
import { enqueueDisparos } from './enqueue.js';

export const startCampaignInput = {
  lead_ids: z.array(uuid()).min(1).max(10_000).optional(),
  filter: z
    .object({ status: z.array(z.enum(LEAD_STATUSES)).max(11).optional(), source_job_id: uuid().optional() })
    .optional(),
  limit: z.number().int().min(1).max(1_000_000).default(10_000),
  template_whatsapp: z.string().max(100).optional(),
  template_email: z.string().max(100).optional(),
  campaign_key: z.string().min(3).max(150).optional().describe('Same key again sends nothing twice'),
  pace: z.number().min(0.1).max(1000).optional().describe("Messages per second, ≤ the channel's"),
};

export const startCampaignOutput = {
  job_id: z.string(),
  mode: z.enum(CAMPAIGN_MODES),
  queued: z.number(),
  would_send_now: z.number(),
  deferred: z.number().describe('Goes later (send window, daily cap)'),
  already_queued: z.number().describe('Already queued under this campaign_key'),
  blocked: z.record(z.string(), z.number()).describe('By block code'),
  dry_run_batch_id: z.string().nullable(),
};
type StartCampaignOutput = Infer<typeof startCampaignOutput>;

/**
 * Starts a campaign over lead_ids or a filter. With sending on, its disparos are enqueued set-based
 * (the same campaign_key never queues a lead's message twice) and the executors send them in the
 * background within rate limits and send windows; the leads move to em_disparo. With sending off it is
 * a dry-run campaign: each lead's decision goes to dry_run_log and nothing is queued.
 */
export async function startCampaign(
  scope: Scope,
  input: Infer<typeof startCampaignInput>,
): Promise<StartCampaignOutput> {
  const target = targetOf(input);
  const templates = { whatsapp: input.template_whatsapp, email: input.template_email };
  const now = scope.clock.now();
  const key = input.campaign_key ?? derivedCampaignKey(target, templates, now.toISOString().slice(0, 10));
  const mode: CampaignMode = scope.sending.enabled ? 'real' : 'dry_run';
  return scope.tx(async (tx) => {
    const ctx = await loadDecisionContext(tx, scope, templates);
    if (mode === 'real') assertCreditorForRealSend(ctx);
    if (input.pace !== undefined) await assertPaceWithinChannels(tx, ctx.tenantId, input.pace);
    const campaignId = await insertCampaign(tx, ctx, key, mode, target, input.pace ?? null);
    if (mode === 'dry_run') return rehearseCampaign(tx, ctx, campaignId, target);
    const e = await enqueueDisparos(tx, ctx, target, {
      campaignId,
      campaignKey: key,
      actor: scope.actorLabel,
      reason: `disparo enfileirado (campanha ${campaignId})`,
    });
    await tx
      .updateTable('campanhas')
      .set({ total: e.enqueued, resumo: JSON.stringify({ bloqueados: e.blocked, duplicados: e.duplicates }) })
      .where('campanha_id', '=', campaignId)
      .execute();
    return {
      job_id: campaignId,
      mode,
      queued: e.enqueued,
      would_send_now: e.enqueued - e.deferred,
      deferred: e.deferred,
      already_queued: e.duplicates,
      blocked: e.blocked,
      dry_run_batch_id: null,
    };
  });
}

/** A real campaign starts processando; a dry run is recorded concluido at once (core/model CAMPAIGN_INITIAL). */
async function insertCampaign(
  tx: Tx,
  ctx: DecisionContext,
  key: string,
  mode: CampaignMode,
  target: Target,
  pace: number | null,
): Promise<string> {
  const { campanha_id } = await tx
    .insertInto('campanhas')
    .values({
      tenant_id: ctx.tenantId,
      chave: key,
      modo: mode,
      template_whatsapp: ctx.templates.whatsapp.id,
      template_email: ctx.templates.email.id,
      alvo: JSON.stringify(target),
      status: mode === 'real' ? 'processando' : 'concluido',
      ritmo_por_segundo: pace,
    })
    .returning('campanha_id')
    .executeTakeFirstOrThrow();
  return campanha_id;
}

/** A campaign's pace may not pass its channels' (set_outreach_policy `pace`; 80/s when never set). */
async function assertPaceWithinChannels(tx: Tx, tenantId: string, pace: number): Promise<void> {
  const rows = await tx
    .selectFrom('rate_limits')
    .select(['canal', 'por_segundo'])
    .where('tenant_id', '=', tenantId)
    .execute();
  for (const canal of ['whatsapp', 'email'] as const) {
    const row = rows.find((r) => r.canal === canal);
    const limit = row ? (row.por_segundo === null ? null : Number(row.por_segundo)) : 80;
    if (limit !== null && pace > limit)
      throw new AppError(
        'invalid_argument',
        `pace ${pace}/s is above the ${canal} channel's ${limit}/s: use pace ≤ ${limit}, or raise the channel's ` +
          'pace with set_outreach_policy {pace: {channel, per_second}}.',
      );
  }
}

/** The dry-run campaign: every lead's decision in one dry_run_log batch, summed up on the campaign. */
async function rehearseCampaign(
  tx: Tx,
  ctx: DecisionContext,
  campaignId: string,
  target: Target,
): Promise<StartCampaignOutput> {
  const dry: DryRunBatch = await runDryRun(tx, ctx, target);
  await tx
    .updateTable('campanhas')
    .set({
      total: dry.total,
      dry_run_lote_id: dry.batch_id,
      resumo: JSON.stringify({ dry_run: dry.by_block_code, por_canal: dry.by_channel }),
      concluida_em: ctx.now,
    })
    .where('campanha_id', '=', campaignId)
    .execute();
  return {
    job_id: campaignId,
    mode: 'dry_run',
    queued: 0,
    would_send_now: dry.would_send_now,
    deferred: dry.deferred,
    already_queued: 0,
    // As a real campaign counts them: deferrals are not blocks.
    blocked: Object.fromEntries(Object.entries(dry.by_block_code).filter(([code]) => !isDeferral(code))),
    dry_run_batch_id: dry.batch_id,
  };
}
