import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import { deliveryReplaces, type DeliveryStatus, type SendChannel } from '../../model/index.js';

export interface DeliveryApplied {
  disparo_id: string;
  lead_id: string;
  canal: SendChannel;
  destino: string;
  idempotency_key: string;
  previous: DeliveryStatus | null;
}

/**
 * Moves one disparo's delivery status forward, never back (model/inbound.ts advancesDelivery): the
 * UPDATE applies only from the statuses the new one may replace, so a late `entregue` after `lido` is
 * a no-op whatever order the events arrive in. Each step's time is kept (the earliest one reported).
 * Returns the row when it moved.
 */
export async function applyDelivery(
  tx: Tx,
  tenantId: string,
  messageIds: string[],
  s: { status: DeliveryStatus; at: Date; code: string | null },
): Promise<DeliveryApplied | undefined> {
  const from = deliveryReplaces(s.status);
  const col = { enviado: 'entrega_enviado_em', entregue: 'entregue_em', lido: 'lido_em', falhou: 'entrega_falhou_em' }[
    s.status
  ];
  const { rows } = await sql<DeliveryApplied>`
    with old as (
      select disparo_id, entrega from disparos
      where tenant_id = ${tenantId} and message_id_externo = any(${messageIds}::text[])
        and (entrega is null or entrega = any(${from}::text[]))
      order by created_at desc limit 1
      for update
    )
    update disparos d set entrega = ${s.status}, entrega_codigo = coalesce(${s.code}, d.entrega_codigo),
      ${sql.ref(col)} = least(coalesce(${sql.ref(`d.${col}`)}, ${s.at}), ${s.at}), updated_at = now()
    from old where d.disparo_id = old.disparo_id
    returning d.disparo_id, d.lead_id, d.canal, d.destino, d.idempotency_key, old.entrega as previous`.execute(tx);
  return rows[0];
}
