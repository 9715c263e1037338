import type { Kysely } from 'kysely';
import { processEvents, recordEventFailure, type EventSummary } from '../core/inbound/process-event.js';
import { coreMetrics } from '../core/metrics.js';
import { actorLabel, systemActor } from '../core/model/index.js';
import type { Clock, Logger } from '../core/ports.js';
import type { Database } from '../db/schema.js';
import { withSystem, withTenant } from '../db/tenant.js';

export interface ProcessorOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  /** How often stored events nobody kicked (another process stored them, or died first) are looked for. */
  sweepMs?: number;
  /** Test hook (AGENTE_INBOUND_DELAY_MS): wait this long before processing a kicked tenant. */
  delayMs?: number;
  onProcessed?: (tenantId: string, s: EventSummary) => void;
}

/**
 * Processes stored inbound events (core/inbound/process-event.ts) in the background: a webhook kicks
 * its tenant right after the raw event is stored and answered; a sweep at start and every few seconds
 * finds events that were stored and never processed — by a process killed in between, or another
 * replica. Each event is processed in its own transaction, so it is processed once whatever dies when.
 */
export class InboundProcessor {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly actor = actorLabel(systemActor('entrada'));

  constructor(private readonly o: ProcessorOptions) {}

  start(): this {
    const tick = () => {
      if (this.stopped) return;
      this.sweep()
        .catch((err: Error) => this.o.logger.warn({ err: { message: err.message } }, 'inbound sweep failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.o.sweepMs ?? 5000);
        });
    };
    tick();
    return this;
  }

  /** Processes the tenant's waiting events soon (coalesced with a run already going). */
  kick(tenantId: string): void {
    if (this.stopped) return;
    if (this.running.has(tenantId)) {
      this.again.add(tenantId);
      return;
    }
    const run = (async () => {
      if (this.o.delayMs) await new Promise((r) => setTimeout(r, this.o.delayMs));
      do {
        this.again.delete(tenantId);
        await this.drainTenant(tenantId);
      } while (this.again.has(tenantId) && !this.stopped);
    })()
      .catch((err: Error) => this.o.logger.warn({ err: { message: err.message } }, 'inbound processing failed'))
      .finally(() => this.running.delete(tenantId));
    this.running.set(tenantId, run);
  }

  /** Every tenant with events waiting, processed now; resolves when they are done. */
  async sweep(): Promise<void> {
    const rows = await withSystem(this.o.db, (tx) =>
      tx.selectFrom('eventos_recebidos').select('tenant_id').distinct().where('processado_em', 'is', null).execute(),
    );
    for (const r of rows) this.kick(r.tenant_id);
    await this.idle();
  }

  /** Resolves when no tenant is being processed. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle();
  }

  /**
   * Processes the tenant's waiting events in batches of up to 100 per transaction. When a batch fails,
   * the events are taken one at a time to find the one that fails; it keeps its error and is retried
   * on the next sweep (set aside after MAX_EVENT_ATTEMPTS).
   */
  private async drainTenant(tenantId: string): Promise<void> {
    let limit = BATCH;
    for (;;) {
      if (this.stopped) return;
      let claimed: string | null = null;
      const now = this.o.clock.now();
      try {
        const done = await withTenant(this.o.db, tenantId, (tx) =>
          processEvents(tx, { tenantId, actor: this.actor, now }, limit, (id) => (claimed = id)),
        );
        if (!done.length) return;
        for (const s of done) this.o.onProcessed?.(tenantId, s);
        countProcessed(done);
        this.o.logger.debug({ events: done.length }, 'inbound events processed');
        limit = BATCH;
      } catch (err) {
        if (limit > 1) {
          limit = 1;
          continue;
        }
        const message = (err as Error).message;
        this.o.logger.warn({ err: { message } }, 'inbound event failed; it stays stored and is retried');
        const id: string | null = claimed;
        if (id) await withTenant(this.o.db, tenantId, (tx) => recordEventFailure(tx, { tenantId, now }, id, message));
        return;
      }
    }
  }
}

/** Events per processing transaction. */
const BATCH = 100;

/** The processed events' contents, by result, for /metrics (agente_inbound_processed_total). */
function countProcessed(done: readonly EventSummary[]): void {
  const m = coreMetrics();
  m.inboundProcessed('events', done.length);
  const sum = (f: (s: EventSummary) => number) => done.reduce((a, s) => a + f(s), 0);
  m.inboundProcessed(
    'messages',
    sum((s) => s.messages),
  );
  m.inboundProcessed(
    'duplicates',
    sum((s) => s.duplicates),
  );
  m.inboundProcessed(
    'statuses',
    sum((s) => s.statuses),
  );
  m.inboundProcessed(
    'statuses_applied',
    sum((s) => s.statuses_applied),
  );
  m.inboundProcessed(
    'refused',
    sum((s) => s.refused.length),
  );
  m.inboundProcessed(
    'opt_outs',
    sum((s) => s.opt_outs),
  );
}
