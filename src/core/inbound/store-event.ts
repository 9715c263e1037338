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

export interface StoredEvent {
  event_id: string;
  /** true: that delivery was already stored (a provider's retry, a replay): not stored again. */
  duplicate: boolean;
}

/**
 * Keeps raw events before anything else is done with them (a webhook answers 200 only after this
 * commits), in one statement for a batch of them (the receiver groups concurrent requests). A delivery
 * already stored — or twice in the batch — is not stored again: it comes back `duplicate: true`.
 */
export async function storeEvents(tx: Tx, tenantId: string, events: readonly RawEvent[]): Promise<StoredEvent[]> {
  const key = (e: Pick<RawEvent, 'provider' | 'deliveryKey'>) => `${e.provider}\n${e.deliveryKey.slice(0, 300)}`;
  const rows = events.map((e) => ({
    evento_id: uuidv7(e.receivedAt.getTime()),
    tenant_id: tenantId,
    provedor: e.provider,
    endpoint_id: e.endpointId,
    chave_entrega: e.deliveryKey.slice(0, 300),
    content_type: e.contentType?.slice(0, 200) ?? null,
    corpo: e.body,
    recebido_em: e.receivedAt,
  }));
  const unique = [
    ...new Map(rows.map((r) => [key({ provider: r.provedor, deliveryKey: r.chave_entrega }), r])).values(),
  ];
  const inserted = unique.length
    ? await tx
        .insertInto('eventos_recebidos')
        .values(unique)
        .onConflict((oc) => oc.columns(['tenant_id', 'provedor', 'chave_entrega']).doNothing())
        .returning(['evento_id', 'provedor', 'chave_entrega'])
        .execute()
    : [];
  const fresh = new Map(
    inserted.map((r) => [key({ provider: r.provedor, deliveryKey: r.chave_entrega }), r.evento_id]),
  );
  const claimed = new Set<string>();
  return events.map((e, i) => {
    const k = key(e);
    const id = fresh.get(k);
    if (id && !claimed.has(k)) {
      claimed.add(k);
      return { event_id: id, duplicate: false };
    }
    return { event_id: id ?? rows[i].evento_id, duplicate: true };
  });
}
