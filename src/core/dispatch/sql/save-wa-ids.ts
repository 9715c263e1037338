import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';

/**
 * Keeps the WhatsApp id each sent row's downstream reported on the phone it went to (it may be the old
 * 8-digit form of the number): a reply from that id is matched to the lead (core/inbound/attribute.ts).
 * Written only when it adds something: not the id already kept, and not, on a phone with no id yet, the
 * phone's own digits (a reply from those is matched by the number itself, leads-by-destination.ts). Each
 * write is a new row version of lead_telefones with every index written again (wa_id is indexed), per
 * send: 35k WAL records for 5,000 sends on the dispatch bench, all of them rewriting what was there.
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
      and lt.numero_e164 = d.destino
      and lt.wa_id is distinct from o.wa_id and not (lt.wa_id is null and lt.numero_e164 = '+' || o.wa_id)`.execute(tx);
}
