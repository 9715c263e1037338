import type { Tx } from '../../db/tenant.js';
import { uuidv7 } from '../ids.js';
import type { InboundProvider } from '../model/index.js';

export interface RawEvent {
  provider: InboundProvider;
  endpointId: string | null;
  /** The provider's delivery id when it has one, else a digest of the body (see migration 021). */
  deliveryKey: string;
  contentType: string | null;
  body: string;
  receivedAt: Date;
}

/**
 * Keeps a raw event before anything else is done with it (the webhook answers 200 only after this
 * commits). A delivery already stored (a provider's retry, a replay) is not stored again:
 * `duplicate: true` with the first one's id.
 */
export async function storeEvent(
  tx: Tx,
  tenantId: string,
  e: RawEvent,
): Promise<{ event_id: string; duplicate: boolean }> {
  const id = uuidv7(e.receivedAt.getTime());
  const ins = await tx
    .insertInto('eventos_recebidos')
    .values({
      evento_id: id,
      tenant_id: tenantId,
      provedor: e.provider,
      endpoint_id: e.endpointId,
      chave_entrega: e.deliveryKey.slice(0, 300),
      content_type: e.contentType?.slice(0, 200) ?? null,
      corpo: e.body,
      recebido_em: e.receivedAt,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'provedor', 'chave_entrega']).doNothing())
    .returning('evento_id')
    .executeTakeFirst();
  if (ins) return { event_id: ins.evento_id, duplicate: false };
  const first = await tx
    .selectFrom('eventos_recebidos')
    .select('evento_id')
    .where('tenant_id', '=', tenantId)
    .where('provedor', '=', e.provider)
    .where('chave_entrega', '=', e.deliveryKey.slice(0, 300))
    .executeTakeFirstOrThrow();
  return { event_id: first.evento_id, duplicate: true };
}
