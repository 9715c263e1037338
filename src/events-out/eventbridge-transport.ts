import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Claimed, Destination, Outcome } from '../core/events/deliveries.js';

/**
 * AWS EventBridge PutEvents to EVENT_BUS_NAME: batches of ≤ 10 entries (the API's limit), one entry per
 * event — Source = the CloudEvent source, DetailType = its type, Detail = the whole CloudEvent (id and
 * sequence included: the consumer's dedupe key), Time = when it happened. Per-entry failures
 * (Entries[i].ErrorCode) fail only that delivery: it alone is retried later; the others are done.
 */
export interface EventBridgeOptions {
  region: string;
  /** AGENTE_EVENTBRIDGE_ENDPOINT: an endpoint override (a local fake in tests, a VPC endpoint). */
  endpoint?: string;
  timeoutMs: number;
}

export const MAX_ENTRIES = 10;

export function makeEventBridgeTransport(o: EventBridgeOptions) {
  const client = new EventBridgeClient({
    region: o.region,
    endpoint: o.endpoint,
    maxAttempts: 1, // our queue retries, per entry
    requestHandler: { requestTimeout: o.timeoutMs, connectionTimeout: o.timeoutMs },
  });
  const send = async (items: readonly Claimed[], dests: Map<string, Destination>): Promise<Outcome[]> => {
    const out: Outcome[] = [];
    for (let i = 0; i < items.length; i += MAX_ENTRIES)
      out.push(...(await putBatch(client, items.slice(i, i + MAX_ENTRIES), dests)));
    return out;
  };
  return Object.assign(send, { close: () => client.destroy() });
}

async function putBatch(
  client: EventBridgeClient,
  items: readonly Claimed[],
  dests: Map<string, Destination>,
): Promise<Outcome[]> {
  const entries: PutEventsRequestEntry[] = items.map((c) => ({
    Source: c.event.source.slice(0, 256),
    DetailType: c.event.type,
    Detail: JSON.stringify(c.event),
    EventBusName: dests.get(c.destino_id)?.barramento ?? undefined,
    Time: new Date(c.event.time),
    Resources: [],
  }));
  const base = (c: Claimed) => ({
    entrega_id: c.entrega_id,
    destino_id: c.destino_id,
    evento_id: c.event.id,
    tentativa: c.tentativa,
  });
  const t0 = performance.now();
  try {
    const r = await client.send(new PutEventsCommand({ Entries: entries }));
    const ms = Math.round(performance.now() - t0);
    return items.map((c, i) => {
      const e = r.Entries?.[i];
      if (e?.EventId && !e.ErrorCode) return { ...base(c), ok: true, http_status: 200, duracao_ms: ms };
      return {
        ...base(c),
        ok: false,
        http_status: 200,
        erro: (e?.ErrorCode ?? 'sem_resposta').slice(0, 60),
        duracao_ms: ms,
      };
    });
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    const ms = Math.round(performance.now() - t0);
    return items.map((c) => ({
      ...base(c),
      ok: false,
      http_status: e.$metadata?.httpStatusCode,
      erro: (e.name || 'erro').slice(0, 60),
      duracao_ms: ms,
    }));
  }
}
