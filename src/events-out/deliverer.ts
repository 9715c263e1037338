import { sql, type Kysely } from 'kysely';
import {
  claim,
  destinations,
  fanOut,
  leadNames,
  settle,
  type Claimed,
  type Destination,
  type DestinationKind,
  type Outcome,
  type Settled,
} from '../core/events/deliveries.js';
import type { Logger } from '../core/ports.js';
import { recordWebhookDelivery } from '../metrics/registry.js';
import type { Database } from '../db/schema.js';
import { withSystem, withTenant } from '../db/tenant.js';

export type Transport = ((items: readonly Claimed[], dests: Map<string, Destination>) => Promise<Outcome[]>) & {
  close?: () => Promise<void> | void;
};

export interface DelivererOptions {
  db: Kysely<Database>;
  kind: DestinationKind;
  transport: Transport;
  logger: Logger;
  /** This process (host:pid): the lease owner. */
  owner: string;
  /** How long a claimed delivery is ours: longer than a transport call can take (AGENTE_EVENTS_LEASE_MS). */
  leaseMs: number;
  /** Deliveries claimed per transaction. */
  batch: number;
  /** Pause between rounds that found nothing to do. */
  idleMs: number;
  /** Before each round (at most every 30 s): make sure every tenant has this kind's destination (EventBridge). */
  ensure?: (db: Kysely<Database>) => Promise<void>;
}

/**
 * One deliverer loop (webhooks or EventBridge): fan the tenants' new events out to their destinations,
 * claim due deliveries under a lease, hand them to the transport, settle the outcomes. All state is in
 * PostgreSQL, so a restarted worker (or another one) carries on where this one stopped; an event whose
 * lease expired mid-delivery is delivered again with the same id (at-least-once).
 */
export class EventDeliverer {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private ensuredAt = 0;
  delivered = 0;
  /** Time spent per phase (ms) and batches, for the benchmark's profile. */
  readonly stats = { fanOutMs: 0, claimMs: 0, transportMs: 0, settleMs: 0, batches: 0 };

  constructor(private readonly o: DelivererOptions) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let worked = 0;
      try {
        worked = await this.round();
      } catch (err) {
        this.o.logger.warn(
          { err: { message: (err as Error).message }, kind: this.o.kind },
          'event delivery round failed',
        );
      }
      if (!worked && !this.stopped)
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.o.idleMs);
          this.wake = () => (clearTimeout(t), r());
        });
    }
  }

  /** One pass over the tenants with destinations of this kind; returns the attempts made. */
  async round(): Promise<number> {
    if (this.o.ensure && Date.now() - this.ensuredAt > 30_000) {
      await this.o.ensure(this.o.db);
      this.ensuredAt = Date.now();
    }
    const tenants = await withSystem(
      this.o.db,
      async (tx) =>
        (
          await sql<{ tenant_id: string; slug: string }>`
          select t.tenant_id, t.slug from tenants t
          where exists (select 1 from eventos_destinos d where d.tenant_id = t.tenant_id and d.tipo = ${this.o.kind} and d.ativo)`.execute(
            tx,
          )
        ).rows,
    );
    let attempts = 0;
    for (const t of tenants) {
      if (this.stopped) break;
      const f0 = performance.now();
      await withTenant(this.o.db, t.tenant_id, (tx) => fanOut(tx, t, this.o.kind));
      this.stats.fanOutMs += performance.now() - f0;
      attempts += await this.deliverTenant(t);
    }
    return attempts;
  }

  /**
   * Up to 20 batches of one tenant, pipelined: the next batch is claimed (and its requests started)
   * while the previous one is still in flight, at most two at once. Per-subject order holds: a batch
   * in flight is still pending, so the claim passes over its rows and over every later event of their
   * subjects.
   */
  private async deliverTenant(t: { tenant_id: string; slug: string }): Promise<number> {
    let attempts = 0;
    let previous: Promise<number> | null = null;
    for (let i = 0; i < 20 && !this.stopped; i++) {
      const c0 = performance.now();
      const batch = await withTenant(this.o.db, t.tenant_id, async (tx) => {
        const items = await claim(tx, t, this.o.kind, {
          limit: this.o.batch,
          leaseMs: this.o.leaseMs,
          owner: this.o.owner,
        });
        if (!items.length) return { items, dests: new Map<string, Destination>() };
        const dests = await destinations(
          tx,
          items.map((c) => c.destino_id),
        );
        return { items: await withPersonalData(tx, items, dests), dests };
      }).catch(async (err) => {
        if (previous) attempts += await previous;
        throw err;
      });
      this.stats.claimMs += performance.now() - c0;
      if (!batch.items.length) break;
      const current = this.send(t, batch.items, batch.dests);
      if (previous) attempts += await previous;
      previous = current;
    }
    if (previous) attempts += await previous;
    return attempts;
  }

  /** One claimed batch: the transport, then its outcomes settled. Never rejects (leases expire, then retried). */
  private async send(t: { tenant_id: string }, items: Claimed[], dests: Map<string, Destination>): Promise<number> {
    try {
      const c1 = performance.now();
      const outcomes = await this.o.transport(items, dests);
      const c2 = performance.now();
      const settled = await withTenant(this.o.db, t.tenant_id, (tx) => settle(tx, t.tenant_id, this.o.owner, outcomes));
      this.stats.transportMs += c2 - c1;
      this.stats.settleMs += performance.now() - c2;
      this.stats.batches++;
      if (this.o.kind === 'webhook') countWebhookDeliveries(items, outcomes, settled);
      const ok = outcomes.filter((x) => x.ok).length;
      this.delivered += ok;
      if (ok < outcomes.length)
        this.o.logger.info(
          {
            kind: this.o.kind,
            ok,
            failed: outcomes.length - ok,
            errors: [...new Set(outcomes.map((x) => x.erro).filter(Boolean))],
          },
          'event deliveries failed; retried on schedule',
        );
      return outcomes.length;
    } catch (err) {
      this.o.logger.warn(
        { err: { message: (err as Error).message }, kind: this.o.kind },
        'event delivery batch failed; its leases expire and it is retried',
      );
      return 0;
    }
  }
}

/** For destinations configured with personal data: data.lead = the lead's names and external id. */
async function withPersonalData(
  tx: Parameters<typeof leadNames>[0],
  items: Claimed[],
  dests: Map<string, Destination>,
) {
  const wants = (c: Claimed) => dests.get(c.destino_id)?.dados_pessoais && typeof c.event.data.lead_id === 'string';
  const ids = items.filter(wants).map((c) => c.event.data.lead_id as string);
  if (!ids.length) return items;
  const names = await leadNames(tx, ids);
  return items.map((c) =>
    wants(c)
      ? {
          ...c,
          event: { ...c.event, data: { ...c.event.data, lead: names.get(c.event.data.lead_id as string) ?? null } },
        }
      : c,
  );
}

const METRIC_OUTCOME = { entregue: 'delivered', reagendado: 'retry', desistiu: 'failed', desativou: 'dead' } as const;

/** Each webhook attempt's fate into /metrics (src/metrics), with the event's age when delivered. */
function countWebhookDeliveries(items: readonly Claimed[], outcomes: readonly Outcome[], settled: readonly Settled[]) {
  const now = Date.now();
  const timeOf = new Map(items.map((c) => [c.entrega_id, Date.parse(c.event.time)]));
  settled.forEach((r, i) => {
    const time = timeOf.get(outcomes[i]!.entrega_id);
    recordWebhookDelivery(METRIC_OUTCOME[r], r === 'entregue' && time ? (now - time) / 1000 : undefined);
  });
}
