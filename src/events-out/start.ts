import { sql, type Kysely } from 'kysely';
import type { Logger } from '../core/ports.js';
import type { Database } from '../db/schema.js';
import { withSystem, withTenant } from '../db/tenant.js';
import { EventDeliverer } from './deliverer.js';
import { makeEventBridgeTransport } from './eventbridge-transport.js';
import { makeWebhookTransport } from './webhook-transport.js';

/**
 * The event deliverers of a worker (README "Events"): webhooks always (they deliver only when a tenant
 * registered an endpoint), EventBridge when EVENT_BUS_NAME is set. Each is its own loop.
 */
export function startEventDeliverers(
  db: Kysely<Database>,
  logger: Logger,
  owner: string,
  o: { idleMs?: number } = {},
  env = process.env,
) {
  const num = (k: string, d: number) => {
    const v = Number(env[k] ?? d);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${k} must be a positive number, got "${env[k]}"`);
    return v;
  };
  const leaseMs = num('AGENTE_EVENTS_LEASE_MS', 30_000);
  const timeoutMs = num('AGENTE_EVENTS_TIMEOUT_MS', 10_000);
  const idleMs = num('AGENTE_EVENTS_IDLE_MS', o.idleMs ?? 200);
  if (timeoutMs >= leaseMs) throw new Error('AGENTE_EVENTS_TIMEOUT_MS must be below AGENTE_EVENTS_LEASE_MS');
  const webhooks = makeWebhookTransport({
    timeoutMs,
    concurrency: num('AGENTE_EVENTS_CONCURRENCY', 64),
    allowPrivate: env.AGENTE_EVENTS_ALLOW_PRIVATE_URLS === 'true',
  });
  const deliverers: EventDeliverer[] = [
    new EventDeliverer({
      db,
      kind: 'webhook',
      owner,
      leaseMs,
      idleMs,
      batch: num('AGENTE_EVENTS_BATCH', 200),
      logger: logger.child({ component: 'webhooks-out' }),
      transport: webhooks,
    }).start(),
  ];
  const bus = env.EVENT_BUS_NAME?.trim();
  let closeEb = () => {};
  if (bus) {
    const transport = makeEventBridgeTransport({
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      endpoint: env.AGENTE_EVENTBRIDGE_ENDPOINT || undefined,
      timeoutMs,
    });
    closeEb = transport.close;
    deliverers.push(
      new EventDeliverer({
        db,
        kind: 'eventbridge',
        owner,
        leaseMs,
        idleMs,
        batch: 100,
        logger: logger.child({ component: 'eventbridge' }),
        transport,
        ensure: (d) => ensureBus(d, bus),
      }).start(),
    );
  }
  return {
    deliverers,
    stop: async () => {
      await Promise.all(deliverers.map((d) => d.stop()));
      closeEb();
      await webhooks.close().catch(() => {});
    },
  };
}

/** Every tenant gets the bus as a destination (from its current sequence on) the first time it is seen. */
export async function ensureBus(db: Kysely<Database>, bus: string): Promise<void> {
  const tenants = await withSystem(
    db,
    async (tx) => (await sql<{ tenant_id: string }>`select tenant_id from tenants`.execute(tx)).rows,
  );
  for (const t of tenants)
    await withTenant(db, t.tenant_id, (tx) =>
      sql`insert into eventos_destinos (tenant_id, tipo, barramento, cursor_seq)
        values (${t.tenant_id}, 'eventbridge', ${bus},
          coalesce((select ultimo from eventos_contador where tenant_id = ${t.tenant_id}), 0))
        on conflict do nothing`.execute(tx),
    );
}
