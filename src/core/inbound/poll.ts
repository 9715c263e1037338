import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { withTenant, type Tx } from '../../db/tenant.js';
import type { InboundMessage, InboundStatus, ParsedEvent } from './parse/index.js';
import { storeEvents, type RawEvent } from './store-event.js';

/**
 * Port: one polled downstream operation (an inbox or status list tool of a channel), implemented by
 * src/channels. `origin` names it for its stored high-water mark ("email:inbound:mail"); fetch reads
 * what arrived from `mark` on and says where the next poll starts.
 */
export interface InboxSource {
  origin: string;
  fetch(
    mark: string | null,
    now: Date,
  ): Promise<{
    messages: InboundMessage[];
    statuses: InboundStatus[];
    unreadable: number;
    nextMark: string | null;
  }>;
}

export interface PollSummary {
  origin: string;
  /** Items the source returned. */
  fetched: number;
  /** New raw events stored (what a previous poll or a webhook already stored is not stored again). */
  stored: number;
  duplicates: number;
  unreadable: number;
  mark: string | null;
  error: string | null;
}

/** A source's summary before anything is fetched (or when polling it failed: `error`). */
export function emptySummary(origin: string, error: string | null = null): PollSummary {
  return { origin, fetched: 0, stored: 0, duplicates: 0, unreadable: 0, mark: null, error };
}

/**
 * One poll of one source for one tenant: reads the stored mark, fetches, then in one transaction stores
 * each new message and status as a raw event (provider `polling`, keyed by the provider's id: a message
 * polled twice, or polled and webhooked, is processed once by receive-message.ts) and moves the mark —
 * only if no other poll moved it meanwhile. A poll that fails records its error and keeps the mark.
 * Processing the stored events is the inbound processor's (as for webhooks).
 */
export async function pollSource(
  db: Kysely<Database>,
  tenantId: string,
  source: InboxSource,
  now: Date,
): Promise<PollSummary> {
  const sum = emptySummary(source.origin);
  const before = await withTenant(db, tenantId, (tx) =>
    tx
      .selectFrom('caixas_entrada')
      .select('marca')
      .where('tenant_id', '=', tenantId)
      .where('origem', '=', source.origin)
      .executeTakeFirst(),
  );
  const mark = before?.marca ?? null;
  sum.mark = mark;
  let got: Awaited<ReturnType<InboxSource['fetch']>>;
  try {
    got = await source.fetch(mark, now);
  } catch (err) {
    sum.error = (err as Error).message.slice(0, 500);
    await withTenant(db, tenantId, (tx) => saveMark(tx, tenantId, source.origin, mark, mark, now, 0, sum.error));
    return sum;
  }
  sum.fetched = got.messages.length + got.statuses.length + got.unreadable;
  sum.unreadable = got.unreadable;
  const events = [...got.messages.map((m) => messageEvent(m, now)), ...got.statuses.map((s) => statusEvent(s, now))];
  await withTenant(db, tenantId, async (tx) => {
    const stored = events.length ? await storeEvents(tx, tenantId, events) : [];
    sum.stored = stored.filter((s) => !s.duplicate).length;
    sum.duplicates = stored.length - sum.stored;
    sum.mark = (await saveMark(tx, tenantId, source.origin, mark, got.nextMark, now, sum.stored, null)) ?? mark;
  });
  return sum;
}

const one = (e: Partial<ParsedEvent>): string => JSON.stringify({ messages: [], statuses: [], ignored: 0, ...e });

function messageEvent(m: InboundMessage, now: Date): RawEvent {
  return {
    provider: 'polling',
    endpointId: null,
    deliveryKey: `m:${m.channel}:${m.providerId}`,
    contentType: 'application/json',
    body: one({ messages: [m] }),
    receivedAt: now,
  };
}

function statusEvent(s: InboundStatus, now: Date): RawEvent {
  return {
    provider: 'polling',
    endpointId: null,
    deliveryKey: `s:${s.providerId}:${s.status}`,
    contentType: 'application/json',
    body: one({ statuses: [s] }),
    receivedAt: now,
  };
}

/**
 * Upserts the mark when it is still the one this poll started from (compare-and-set: a slower
 * concurrent poll never moves it back). Returns the mark written, or null when another poll won.
 */
async function saveMark(
  tx: Tx,
  tenantId: string,
  origin: string,
  from: string | null,
  to: string | null,
  now: Date,
  stored: number,
  error: string | null,
): Promise<string | null> {
  const row = await tx
    .insertInto('caixas_entrada')
    .values({ tenant_id: tenantId, origem: origin, marca: to, ultima_leitura: now, ultimo_erro: error, lidas: stored })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'origem'])
        .doUpdateSet((eb) => ({
          marca: to,
          ultima_leitura: now,
          ultimo_erro: error,
          lidas: eb('caixas_entrada.lidas', '+', stored),
          atualizado_em: now,
        }))
        .where((eb) =>
          from === null ? eb('caixas_entrada.marca', 'is', null) : eb('caixas_entrada.marca', '=', from),
        ),
    )
    .returning('marca')
    .executeTakeFirst();
  return row ? row.marca : null;
}
