import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import { isQueued } from './queued-literal.js';
import { reachedSince } from '../recent-sends.js';
import type { SendChannel } from '../../model/index.js';
import type { Claimed } from '../outcome.js';

/**
 * Claims up to `limit` due rows of a tenant × channel, oldest due first, for this worker until
 * `leaseUntil` (em_execucao; the attempt is counted). Rows another executor holds are skipped.
 *
 * The rows are picked once, in a materialised CTE: an `IN (subquery … LIMIT n FOR UPDATE SKIP LOCKED)`
 * may be re-run by the planner, each run skipping the rows the previous one locked, and claim more rows
 * than slots were granted (the pace broke this way once row-level security changed the plan: 95–114
 * sends in a second at 40/s).
 *
 * Ordered by the due time alone, with no tie-break: read from disparos_claim_idx its rows come in
 * disparo_id order anyway, and from disparos_due_idx (the planner takes it when a fresh campaign has no
 * statistics yet, estimating one row) the scan stops at the batch. With `disparo_id` in the ORDER BY
 * that plan read every queued row of the campaign, ran the pair check on each and sorted them — on
 * every claim, under the rate_limits lock all workers wait on (10k rows: ~25 pair lookups per row
 * sent; 4 workers queued 120 ms on that lock per claim).
 *
 * The pair rate (pairMs > 0): a row whose recipient was reached less than pairMs ago is not picked, and
 * of several rows to one recipient only the first is claimed (the others wait their turn). Claims of a
 * tenant × channel run under its rate_limits row lock, so two workers never claim one recipient at once.
 */
export async function claimDue(
  tx: Tx,
  q: {
    tenantId: string;
    channel: SendChannel;
    limit: number;
    workerId: string;
    now: Date;
    leaseUntil: Date;
    pairMs?: number;
    /**
     * A statement to run first, in the same statement (a data-modifying CTE): the rate_limits update of
     * the slots this claim uses (rate-limit.ts reserveSlotsUnwritten). It reads nothing the claim reads.
     */
    first?: RawBuilder<unknown>;
  },
): Promise<Claimed[]> {
  // A scalar subquery, not a bare NOT EXISTS: the planner would make that an anti join against every
  // recent send of the tenant (quadratic over a campaign: 2M row comparisons for a claim at 10k rows);
  // this way it is one index lookup (disparos_destino_idx) per row read, and rows are read in the order
  // of disparos_claim_idx only until the batch is full.
  const pair = q.pairMs
    ? sql`and not (select exists (select 1 from disparos r where r.tenant_id = ${q.tenantId} and r.destino = c.destino
            and r.canal = ${q.channel} and ${reachedSince('r', new Date(q.now.getTime() - q.pairMs))}))`
    : sql``;
  const first = q.first ? sql`slots as (${q.first}),` : sql``;
  const { rows } = await sql<Claimed>`
    with ${first} cand as materialized (
      select disparo_id, destino, proxima_tentativa_em from disparos c
      where tenant_id = ${q.tenantId} and canal = ${q.channel} and ${isQueued()}
        and proxima_tentativa_em <= ${q.now} ${pair}
      order by proxima_tentativa_em
      limit ${q.limit}
      for update skip locked),
    pick as materialized (
      select disparo_id from (
        select disparo_id, row_number() over (partition by destino order by proxima_tentativa_em, disparo_id) as n
        from cand) one_each
      where n = 1)
    update disparos d set status = 'em_execucao', claimed_by = ${q.workerId}, lease_until = ${q.leaseUntil},
           tentativas = tentativas + 1, updated_at = ${q.now}
    from pick where d.disparo_id = pick.disparo_id
    returning d.disparo_id, d.tenant_id, d.lead_id, d.canal, d.destino, d.template, d.conteudo, d.assunto,
              d.variaveis, d.idempotency_key, d.tentativas, d.max_tentativas, d.talvez_entregue`.execute(tx);
  return rows;
}
