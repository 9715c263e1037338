import type { Kysely } from 'kysely';
import { storeEvents, type RawEvent, type StoredEvent } from '../../core/inbound/store-event.js';
import type { Database } from '../../db/schema.js';
import { withTenant } from '../../db/tenant.js';

interface Waiting {
  event: RawEvent;
  resolve: (s: StoredEvent) => void;
  reject: (err: Error) => void;
}

/**
 * Group commit for webhook bodies: requests that arrive while a tenant's previous batch is being
 * written wait and go together in the next transaction (one INSERT of many rows), so a flood costs a
 * transaction per batch instead of per request; a lone request is written at once. Each request is
 * answered only after the transaction holding its event has committed.
 */
export class StoreBatcher {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly busy = new Set<string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = 500,
  ) {}

  store(tenantId: string, event: RawEvent): Promise<StoredEvent> {
    return new Promise((resolve, reject) => {
      const q = this.queues.get(tenantId) ?? [];
      q.push({ event, resolve, reject });
      this.queues.set(tenantId, q);
      if (!this.busy.has(tenantId)) void this.flush(tenantId);
    });
  }

  private async flush(tenantId: string): Promise<void> {
    this.busy.add(tenantId);
    try {
      for (;;) {
        const q = this.queues.get(tenantId) ?? [];
        if (!q.length) return;
        const batch = q.splice(0, this.maxBatch);
        try {
          const out = await withTenant(this.db, tenantId, (tx) =>
            storeEvents(
              tx,
              tenantId,
              batch.map((w) => w.event),
            ),
          );
          batch.forEach((w, i) => w.resolve(out[i]));
        } catch (err) {
          for (const w of batch) w.reject(err as Error);
        }
      }
    } finally {
      this.busy.delete(tenantId);
      this.queues.delete(tenantId);
    }
  }
}
