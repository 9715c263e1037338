import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import type { LeadStatus } from '../../model/index.js';

/**
 * Of the leads whose message a gate stopped at send time (bloqueado), those still em_disparo with
 * nothing else queued or in flight, each with the status it had before it was queued (its last move
 * into em_disparo in lead_eventos; novo when there is none).
 */
export async function blockedLeadsToRelease(
  tx: Tx,
  tenantId: string,
  leadIds: readonly string[],
): Promise<Array<{ lead_id: string; antes: LeadStatus }>> {
  const ids = [...new Set(leadIds)];
  if (!ids.length) return [];
  const { rows } = await sql<{ lead_id: string; antes: LeadStatus }>`
    select l.lead_id,
           coalesce((select e.status_de from lead_eventos e
                     where e.tenant_id = l.tenant_id and e.lead_id = l.lead_id and e.status_para = 'em_disparo'
                     order by e.evento_id desc limit 1), 'novo') as antes
    from leads l
    where l.tenant_id = ${tenantId} and l.lead_id = any(${ids}::uuid[]) and l.status = 'em_disparo'
      and not exists (select 1 from disparos d
                      where d.tenant_id = l.tenant_id and d.lead_id = l.lead_id
                        and d.status in ('pendente', 'adiado', 'em_execucao'))`.execute(tx);
  return rows;
}
