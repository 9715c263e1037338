import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';

const RETRY = 'lease expirado (executor interrompido): reenvio seguro pela chave de idempotência';
const UNKNOWN = 'lease expirado durante o envio: o canal não garante idempotência, o envio pode ou não ter ocorrido';

/**
 * A tenant's rows whose lease expired before `now`: their executor may have died after the call left,
 * so the message may have reached the person (talvez_entregue). On a channel that honours idempotency
 * keys they are retried at once (the downstream drops a repeat); otherwise they end incerto — never
 * silently re-sent.
 */
export async function recoverLeases(
  tx: Tx,
  tenantId: string,
  idempotent: { whatsapp: boolean; email: boolean },
  now: Date,
): Promise<number> {
  const safe = sql`(canal = 'whatsapp' and ${idempotent.whatsapp}) or (canal = 'email' and ${idempotent.email})`;
  const res = await sql`
    update disparos set
      status = case when ${safe} then 'pendente' else 'incerto' end,
      motivo = case when ${safe} then ${RETRY} else ${UNKNOWN} end,
      talvez_entregue = true,
      claimed_by = null, lease_until = null, proxima_tentativa_em = ${now}, updated_at = ${now}
    where tenant_id = ${tenantId} and status = 'em_execucao' and lease_until < ${now}`.execute(tx);
  return Number(res.numAffectedRows ?? 0);
}
