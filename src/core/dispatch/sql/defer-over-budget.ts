import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import type { SendChannel } from '../../model/index.js';
import { reachedAt, reachedSince, recentWindowStart } from '../recent-sends.js';
import { isQueued } from './queued-literal.js';

/**
 * When a tenant × channel's distinct-recipient budget next frees: the moment its oldest recipient of
 * the rolling 24 h leaves the window (that recipient's latest message + 24 h). Null: nobody reached.
 */
export const budgetFreesAt = (tenantId: string, canal: SendChannel, now: Date) => sql<Date | null>`(
  select min(last) + interval '24 hours' from (
    select max(${reachedAt('d')}) as last from disparos d
    where d.tenant_id = ${tenantId} and d.canal = ${canal} and ${reachedSince('d', recentWindowStart(now))}
    group by d.destino) recent)`;

/**
 * The budget is spent: due rows to recipients not reached in the rolling 24 h are deferred (adiado, not
 * failed) until it frees; rows to recipients already reached may still go. Runs under the rate_limits
 * row lock (rate-limit.ts), like every claim. Returns how many rows were deferred.
 */
export async function deferOverBudget(
  tx: Tx,
  q: { tenantId: string; channel: SendChannel; now: Date; max: number },
): Promise<number> {
  const since = recentWindowStart(q.now);
  const motivo = `limite de ${q.max} destinatários em 24 h atingido; volta quando o limite liberar`;
  const r = await sql`
    update disparos set status = 'adiado', motivo = ${motivo}, updated_at = ${q.now},
      proxima_tentativa_em = greatest(coalesce(${budgetFreesAt(q.tenantId, q.channel, q.now)}, ${q.now}),
                                      ${new Date(q.now.getTime() + 1000)})
    where tenant_id = ${q.tenantId} and canal = ${q.channel} and ${isQueued()} and proxima_tentativa_em <= ${q.now}
      and not exists (select 1 from disparos r where r.tenant_id = ${q.tenantId} and r.canal = ${q.channel}
                      and r.destino = disparos.destino and ${reachedSince('r', since)})`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}
