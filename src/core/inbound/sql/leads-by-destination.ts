import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';

/**
 * Every lead with this destination — a phone in any of its forms (or the wa_id a send reported) or
 * an e-mail — most likely first: the one messaged most recently on it, then the oldest.
 */
export async function leadsByDestination(
  tx: Tx,
  tenantId: string,
  d: { phones: string[]; waIds: string[]; email: string | null },
): Promise<string[]> {
  const { rows } = await sql<{ lead_id: string }>`
    with m as (
      select lead_id, min(created_at) as criado from (
        select lead_id, created_at from lead_telefones
        where tenant_id = ${tenantId} and (numero_e164 = any(${d.phones}::text[]) or wa_id = any(${d.waIds}::text[]))
        union all
        select lead_id, created_at from lead_emails
        where tenant_id = ${tenantId} and email_normalizado = ${d.email}
      ) x group by lead_id
    )
    select m.lead_id from m
    left join lateral (select max(d.enviado_em) as ultimo from disparos d
                       where d.tenant_id = ${tenantId} and d.lead_id = m.lead_id and d.status = 'enviado') u on true
    order by u.ultimo desc nulls last, m.criado
    limit 20`.execute(tx);
  return rows.map((r) => r.lead_id);
}
