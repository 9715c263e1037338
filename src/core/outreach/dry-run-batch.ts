import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { BLOCK_CODES, isDeferral, type BlockCode, type DecidedChannel } from '../model/index.js';
import type { DecisionContext, Target } from './decision-context.js';
import { decide, writeDryRunLog } from './decide.js';
import { toDecisionSample, type DecisionSample } from './decide-channel.js';
import { renderDecision } from './preview.js';

export interface DryRunBatch {
  batch_id: string;
  total: number;
  would_send_now: number;
  deferred: number;
  blocked: number;
  by_channel: Record<string, number>;
  by_block_code: Record<string, number>;
  /** A few decisions with their rendered message, per channel, those that would go now first. */
  sample: DecisionSample[];
}

/**
 * Decides, applies policy and records one dry_run_log row per targeted lead, set-based (one statement);
 * sends nothing and never touches a channel. Returns the batch's counts and a rendered sample.
 */
export async function runDryRun(
  tx: Tx,
  ctx: DecisionContext,
  target: Target,
  opts: { channel?: DecidedChannel; sample?: number } = {},
): Promise<DryRunBatch> {
  const batchId = randomUUID();
  const total = await writeDryRunLog(tx, ctx, target, batchId, opts.channel);
  const counts = await countBatch(tx, ctx.tenantId, batchId);
  const sampleIds = await sampleLeadIds(tx, ctx.tenantId, batchId, Math.max(1, Math.ceil((opts.sample ?? 4) / 2)));
  const sample = sampleIds.length ? await decide(tx, ctx, { leadIds: sampleIds }) : [];
  return {
    batch_id: batchId,
    total,
    ...counts,
    blocked: total - counts.would_send_now - counts.deferred,
    sample: sample.map((d) => toDecisionSample(d, renderDecision(d, ctx))),
  };
}

/** The batch's rows by channel and by block code, and how many would go now or later. */
async function countBatch(tx: Tx, tenantId: string, batchId: string) {
  const { rows } = await sql<{ canal: string; codigo: BlockCode | null; n: number; agora: number }>`
    select canal_decidido as canal, codigo_bloqueio as codigo, count(*)::int as n,
           count(*) filter (where disparo_seria_executado)::int as agora
    from dry_run_log where tenant_id = ${tenantId} and lote_id = ${batchId}
    group by 1, 2`.execute(tx);
  const out = {
    would_send_now: 0,
    deferred: 0,
    by_channel: {} as Record<string, number>,
    by_block_code: {} as Record<string, number>,
  };
  for (const r of rows) {
    out.by_channel[r.canal] = (out.by_channel[r.canal] ?? 0) + r.n;
    out.would_send_now += r.agora;
    if (r.codigo) out.by_block_code[r.codigo] = (out.by_block_code[r.codigo] ?? 0) + r.n;
    if (isDeferral(r.codigo)) out.deferred += r.n;
  }
  // The gates in their order (core/model BLOCK_CODES), so the counts read as the decision runs.
  const codes = Object.entries(out.by_block_code).sort(
    ([a], [b]) => BLOCK_CODES.indexOf(a as BlockCode) - BLOCK_CODES.indexOf(b as BlockCode),
  );
  out.by_block_code = Object.fromEntries(codes);
  return out;
}

/** Up to perChannel leads of each decided channel, those that would go now first, for a person to read. */
async function sampleLeadIds(tx: Tx, tenantId: string, batchId: string, perChannel: number): Promise<string[]> {
  const { rows } = await sql<{ lead_id: string }>`
    select lead_id from (
      select lead_id, row_number() over (partition by canal_decidido
                                         order by disparo_seria_executado desc, lead_nome, log_id) as rn
      from dry_run_log where tenant_id = ${tenantId} and lote_id = ${batchId} and canal_decidido <> 'none'
    ) x where rn <= ${perChannel}`.execute(tx);
  return rows.map((r) => r.lead_id);
}
