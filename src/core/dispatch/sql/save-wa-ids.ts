import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';

/**
 * Keeps the WhatsApp id each sent row's downstream reported on the phone it went to (it may be the old
 * 8-digit form of the number): a reply from that id is matched to the lead (core/replies/find-lead.ts).
 */
export async function saveWaIds(
  tx: Tx,
  tenantId: string,
  sent: ReadonlyArray<{ disparo_id: string; wa_id: string }>,
  now: Date,
): Promise<void> {
  if (!sent.length) return;
  await sql`
    update lead_telefones lt set wa_id = o.wa_id, updated_at = ${now}
    from disparos d, jsonb_to_recordset(${JSON.stringify(sent)}::jsonb) as o(disparo_id uuid, wa_id text)
    where d.disparo_id = o.disparo_id and lt.tenant_id = ${tenantId} and lt.lead_id = d.lead_id
      and lt.numero_e164 = d.destino`.execute(tx);
}
