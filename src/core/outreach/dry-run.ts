import { z } from 'zod';
import { DECIDED_CHANNELS, LEAD_STATUSES } from '../model/index.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { decisionSample } from './decide-channel.js';
import { loadDecisionContext, targetOf } from './decision-context.js';
import { runDryRun } from './dry-run-batch.js';
import { dryRunParts, runDryRunInParts } from './dry-run-parts.js';

export const dryRunInput = {
  lead_ids: z.array(uuid()).min(1).max(1000).optional(),
  filter: z
    .object({
      status: z.array(z.enum(LEAD_STATUSES)).max(11).optional(),
      channel: z.enum(DECIDED_CHANNELS).optional().describe('Only leads decided for this channel'),
      source_job_id: uuid().optional(),
    })
    .optional(),
  limit: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(10_000)
    .describe('With filter: at most this many, oldest first'),
  template_whatsapp: z.string().max(100).optional(),
  template_email: z.string().max(100).optional(),
};

export const dryRunOutput = {
  batch_id: z.string().describe('Batch id in dry_run_log'),
  total: z.number(),
  would_send_now: z.number(),
  deferred: z.number(),
  blocked: z.number(),
  by_channel: z.record(z.string(), z.number()),
  by_block_code: z.record(z.string(), z.number()),
  sample: z.array(decisionSample),
};

/**
 * Rehearses a send to lead_ids or a filter: decides, gates and renders each lead into dry_run_log
 * (one row per lead, one batch id); never sends, whatever MICRO_AGENT_DISPARO_ENABLED says. A filter over
 * many leads on PostgreSQL runs split over several connections (dry-run-parts.ts), with the same answer.
 */
export async function dryRunDispatch(
  scope: Scope,
  input: Infer<typeof dryRunInput>,
): Promise<Infer<typeof dryRunOutput>> {
  const target = targetOf(input);
  const choice = { whatsapp: input.template_whatsapp, email: input.template_email };
  const opts = { channel: input.filter?.channel };
  const parts = dryRunParts(scope, target);
  if (parts > 1 && 'filter' in target) return runDryRunInParts(scope, choice, target, parts, opts);
  return scope.tx(async (tx) => runDryRun(tx, await loadDecisionContext(tx, scope, choice), target, opts));
}
