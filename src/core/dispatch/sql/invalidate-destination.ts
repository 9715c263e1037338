import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import type { SendChannel } from '../../model/index.js';

/** Marks a lead's phone (WhatsApp) or e-mail that the channel refused permanently as not sendable, saying why. */
export async function invalidateDestination(
  tx: Tx,
  tenantId: string,
  r: { lead_id: string; canal: SendChannel; destino: string },
  now: Date,
): Promise<void> {
  if (r.canal === 'whatsapp')
    await sql`
      update lead_telefones set valido_para_disparo = false,
        motivo_invalido = 'WhatsApp recusou o número (falha permanente no envio)', updated_at = ${now}
      where tenant_id = ${tenantId} and lead_id = ${r.lead_id} and numero_e164 = ${r.destino}`.execute(tx);
  else
    await sql`
      update lead_emails set valido_para_disparo = false,
        motivo_invalido = 'e-mail recusado pelo servidor (falha permanente)', updated_at = ${now}
      where tenant_id = ${tenantId} and lead_id = ${r.lead_id} and email_normalizado = ${r.destino}`.execute(tx);
}
