import { randomUUID } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { BLOCK_CODES, isDeferral, type BlockCode, type DecidedChannel } from '../model/index.js';
import type { DecisionContext, Target } from './decision-context.js';
import { decide, decisionsQuery, dryRunInsertSql } from './decide.js';
import { withSetFormSettings } from './decisions-set-sql.js';
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
 * Decides, applies policy and records one dry_run_log row per targeted lead, set-based: one statement
 * writes the rows and sums them up from its own RETURNING (counts by channel and block code, and the
 * sample's lead ids), so the batch is not read back; sends nothing and never touches a channel. Returns
 * the batch's counts and a rendered sample.
 */
export async function runDryRun(
  tx: Tx,
  ctx: DecisionContext,
  target: Target,
  opts: { channel?: DecidedChannel; sample?: number } = {},
): Promise<DryRunBatch> {
  const batchId = randomUUID();
  const part = await writeDryRunPart(tx, ctx, target, batchId, opts);
  return summariseDryRun(tx, ctx, batchId, [part], opts);
}

/** What one part of a batch wrote (writeDryRunPart): its counts and its sample candidates. */
export type DryRunPart = SummaryRow[];

/**
 * Writes the dry_run_log rows of target (or of its part, Target.part) under batchId in one statement and
 * returns what summariseDryRun needs from them.
 */
export async function writeDryRunPart(
  tx: Tx,
  ctx: DecisionContext,
  target: Target,
  batchId: string,
  opts: { channel?: DecidedChannel; sample?: number } = {},
): Promise<DryRunPart> {
  const insert = dryRunInsertSql(ctx, await decisionsQuery(tx, ctx, target, opts.channel), batchId);
  const q = summarySql(insert, samplePerChannel(opts));
  const { rows } = 'leadIds' in target ? await q.execute(tx) : await withSetFormSettings(tx, () => q.execute(tx));
  return rows;
}

const samplePerChannel = (opts: { sample?: number }) => Math.max(1, Math.ceil((opts.sample ?? 4) / 2));

/**
 * The batch's counts, summed over its parts, and its sample: per channel the leads that would go now
 * first, then by name (one part: as its statement ordered them; several: ordered again by the database,
 * so that names sort by its collation), rendered.
 */
export async function summariseDryRun(
  tx: Tx,
  ctx: DecisionContext,
  batchId: string,
  parts: DryRunPart[],
  opts: { sample?: number } = {},
): Promise<DryRunBatch> {
  const rows = parts.flat();
  const counts = countsOf(rows.filter((r) => r.k === 'n'));
  const candidates = rows.filter((r) => r.k === 's');
  // By channel, each channel's leads in their order (those that would go now first).
  const sampleIds =
    parts.length === 1
      ? candidates.sort((a, b) => (a.canal < b.canal ? -1 : a.canal > b.canal ? 1 : 0)).map((r) => r.lead_id!)
      : await mergedSample(tx, candidates, samplePerChannel(opts));
  const sample = sampleIds.length ? await decide(tx, ctx, { leadIds: sampleIds }) : [];
  return {
    batch_id: batchId,
    ...counts,
    blocked: counts.total - counts.would_send_now - counts.deferred,
    sample: sample.map((d) => toDecisionSample(d, renderDecision(d, ctx))),
  };
}

/** The top perChannel candidates of each channel over all parts, in summarySql's order, by channel. */
async function mergedSample(tx: Tx, candidates: SummaryRow[], perChannel: number): Promise<string[]> {
  if (!candidates.length) return [];
  const json = JSON.stringify(
    candidates.map((c) => ({ lead_id: c.lead_id, canal: c.canal, agora: c.agora > 0, nome: c.nome, log_id: c.log_id })),
  );
  const { rows } = await sql<{ lead_id: string }>`
    select lead_id from (
      select s.lead_id, s.canal,
             row_number() over (partition by s.canal order by s.agora desc, s.nome, s.log_id) as r
      from jsonb_to_recordset(${json}::jsonb) as s(lead_id uuid, canal text, agora boolean, nome varchar(500), log_id uuid)
    ) x where r <= ${perChannel} order by canal, r`.execute(tx);
  return rows.map((r) => r.lead_id);
}

interface SummaryRow {
  /** 'n': the rows of one channel and block code; 's': one sample lead. */
  k: 'n' | 's';
  canal: string;
  codigo: BlockCode | null;
  n: number;
  /** 'n': how many would go now; 's': 1 when this lead would. */
  agora: number;
  /** 's': the lead, its name and its row (the sample's order); null for 'n'. */
  lead_id: string | null;
  nome: string | null;
  log_id: string | null;
}

/**
 * The INSERT with what runDryRun reports, from its RETURNING: the rows by channel and block code, how
 * many would go now; and up to perChannel leads of each decided channel, those that would go now first,
 * then by name, for a person to read (a top-N per channel, not a sort of the batch).
 */
function summarySql(insert: RawBuilder<unknown>, perChannel: number): RawBuilder<SummaryRow> {
  return sql<SummaryRow>`
    with ins as (${insert}
                 returning log_id, lead_id, lead_nome, canal_decidido, codigo_bloqueio, disparo_seria_executado)
    select 'n' as k, canal_decidido as canal, codigo_bloqueio as codigo, count(*)::int as n,
           (count(*) filter (where disparo_seria_executado))::int as agora, null::uuid as lead_id,
           null::text as nome, null::uuid as log_id
    from ins group by canal_decidido, codigo_bloqueio
    union all
    select 's', c.canal, null, 0, s.disparo_seria_executado::int, s.lead_id, s.lead_nome, s.log_id
    from (select distinct canal_decidido as canal from ins where canal_decidido <> 'none') c
    cross join lateral (select i.lead_id, i.disparo_seria_executado, i.lead_nome, i.log_id
                        from ins i where i.canal_decidido = c.canal
                        order by i.disparo_seria_executado desc, i.lead_nome, i.log_id limit ${perChannel}) s`;
}

/** The batch's rows by channel and by block code, how many in all, and how many would go now or later. */
function countsOf(rows: SummaryRow[]) {
  const out = {
    total: 0,
    would_send_now: 0,
    deferred: 0,
    by_channel: {} as Record<string, number>,
    by_block_code: {} as Record<string, number>,
  };
  for (const r of rows) {
    out.total += r.n;
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
