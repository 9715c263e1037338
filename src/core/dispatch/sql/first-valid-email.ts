import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';

/** The lead's first sendable e-mail (in import order), the fallback of a refused WhatsApp number. */
export async function firstValidEmail(tx: Tx, tenantId: string, leadId: string): Promise<string | null> {
  const { rows } = await sql<{ email: string }>`
    select email_normalizado as email from lead_emails
    where tenant_id = ${tenantId} and lead_id = ${leadId} and valido_para_disparo
    order by created_at, posicao limit 1`.execute(tx);
  return rows[0]?.email ?? null;
}
