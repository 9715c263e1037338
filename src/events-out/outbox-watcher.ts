import { InMemoryServerEventBus, type ServerEventBus } from '@modelcontextprotocol/server';
import { sql, type Kysely } from 'kysely';
import { readEvents, type OutEvent } from '../core/events/outbox.js';
import type { Logger } from '../core/ports.js';
import type { Database } from '../db/schema.js';
import { withTenant } from '../db/tenant.js';

type TenantRef = { tenant_id: string; slug: string };

/** The resources an event touches: lead://{data.lead_id}, job://{data.campanha_id}, job://{data.job_id}. */
export function touchedUris(events: readonly OutEvent[]): Set<string> {
  const out = new Set<string>();
  for (const e of events)
    for (const [scheme, key] of [
      ['lead', 'lead_id'],
      ['job', 'campanha_id'],
      ['job', 'job_id'],
    ] as const) {
      const id = e.data[key];
      if (typeof id === 'string') out.add(`${scheme}://${id.toLowerCase()}`);
    }
  return out;
}

/**
 * Reads one tenant's outbox every `everyMs` after a cursor (the tenant's last sequence when started) and
 * hands the uris each read touched to `onUris`. Started and stopped by its owner; one read at a time.
 */
export class OutboxWatcher {
  private cursor: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly tenant: TenantRef,
    private readonly everyMs: number,
    private readonly logger: Logger,
    private readonly onUris: (uris: Set<string>) => Promise<void> | void,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.cursor === null) {
      const { rows } = await withTenant(this.db, this.tenant.tenant_id, (tx) =>
        sql<{ ultimo: string }>`select coalesce(max(ultimo), 0)::text as ultimo from eventos_contador`.execute(tx),
      );
      this.cursor = rows[0]?.ultimo ?? '0';
    }
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule() {
    if (this.running && !this.timer) (this.timer = setTimeout(() => void this.tick(), this.everyMs)).unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    try {
      const events = await withTenant(this.db, this.tenant.tenant_id, (tx) =>
        readEvents(tx, this.tenant, this.cursor ?? '0', 500),
      );
      if (events.length) this.cursor = events.at(-1)!.sequence;
      const uris = touchedUris(events);
      if (uris.size) await this.onUris(uris);
    } catch (err) {
      this.logger.debug({ err: { message: (err as Error).message } }, 'outbox watch read failed');
    }
    this.schedule();
  }
}

export const notifyEveryMs = () => Number(process.env.AGENTE_MCP_NOTIFY_MS ?? 1000);

/**
 * MCP 2026-07-28 over HTTP: the event bus of one tenant's `subscriptions/listen` streams (the SDK's listen
 * router subscribes each open stream to it and keeps, per stream, only the uris its filter named). While at
 * least one stream is open the tenant's outbox is watched and every lead:// and job:// an event touched is
 * published as resource_updated; with none open nothing is read.
 */
export class TenantListenBus extends InMemoryServerEventBus {
  private readonly watcher: OutboxWatcher;

  constructor(db: Kysely<Database>, tenant: TenantRef, logger: Logger) {
    super((err) => logger.debug({ err: { message: err.message } }, 'listen stream delivery failed'));
    this.watcher = new OutboxWatcher(db, tenant, notifyEveryMs(), logger, (uris) => {
      for (const uri of uris) this.publish({ kind: 'resource_updated', uri });
    });
  }

  override subscribe(listener: Parameters<ServerEventBus['subscribe']>[0]): () => void {
    const off = super.subscribe(listener);
    if (this.listenerCount === 1) void this.watcher.start();
    return () => {
      off();
      if (this.listenerCount === 0) this.watcher.stop();
    };
  }

  close(): void {
    this.watcher.stop();
  }
}

/** One TenantListenBus per tenant, made on first use (src/http/mcp-endpoint.ts busFor). */
export function listenBuses(deps: { db: { kysely: Kysely<Database> }; logger: Logger }) {
  const buses = new Map<string, TenantListenBus>();
  return (tenant: TenantRef): TenantListenBus => {
    let b = buses.get(tenant.tenant_id);
    if (!b) buses.set(tenant.tenant_id, (b = new TenantListenBus(deps.db.kysely, tenant, deps.logger)));
    return b;
  };
}
