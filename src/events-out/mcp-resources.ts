import type { McpServer } from '@modelcontextprotocol/server';
import { sql } from 'kysely';
import { readEvents } from '../core/events/outbox.js';
import type { ServerDeps } from '../deps.js';
import { withTenant } from '../db/tenant.js';

const SUBSCRIBABLE = /^(job|lead):\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * resources/subscribe for `job://{id}` and `lead://{id}` while a client is connected: the tenant's outbox
 * is read every AGENTE_MCP_NOTIFY_MS (1 s) after the cursor taken at the first subscription, and every
 * event that touches a subscribed resource (its lead_id, campanha_id or job_id) sends
 * notifications/resources/updated with that uri (once per uri per read). Nothing is read while nothing
 * is subscribed; the reading stops when the connection closes.
 */
export function resourceSubscriptions(server: McpServer, deps: ServerDeps): void {
  const subs = new Set<string>();
  const tenant = deps.tenant;
  const everyMs = Number(process.env.AGENTE_MCP_NOTIFY_MS ?? 1000);
  let cursor: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const tick = async () => {
    timer = null;
    if (closed || !subs.size) return;
    try {
      const events = await withTenant(deps.db.kysely, tenant.tenant_id, (tx) =>
        readEvents(tx, tenant, cursor ?? '0', 500),
      );
      if (events.length) cursor = events.at(-1)!.sequence;
      const touched = new Set<string>();
      for (const e of events)
        for (const [scheme, key] of [
          ['lead', 'lead_id'],
          ['job', 'campanha_id'],
          ['job', 'job_id'],
        ] as const) {
          const id = e.data[key];
          if (typeof id === 'string' && subs.has(`${scheme}://${id}`)) touched.add(`${scheme}://${id}`);
        }
      for (const uri of touched) await server.server.sendResourceUpdated({ uri });
    } catch (err) {
      deps.logger.debug({ err: { message: (err as Error).message } }, 'resource subscription read failed');
    }
    if (!closed && subs.size) (timer = setTimeout(() => void tick(), everyMs)).unref();
  };

  server.server.setRequestHandler('resources/subscribe', async (req) => {
    const uri = req.params.uri;
    if (!SUBSCRIBABLE.test(uri))
      throw new Error(`Only job://{id} and lead://{id} can be subscribed; got "${uri.slice(0, 80)}"`);
    if (cursor === null) {
      const { rows } = await withTenant(deps.db.kysely, tenant.tenant_id, (tx) =>
        sql<{ ultimo: string }>`select coalesce(max(ultimo), 0)::text as ultimo from eventos_contador`.execute(tx),
      );
      cursor = rows[0]?.ultimo ?? '0';
    }
    subs.add(uri.toLowerCase());
    if (!timer) (timer = setTimeout(() => void tick(), everyMs)).unref();
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', async (req) => {
    subs.delete(req.params.uri.toLowerCase());
    return {};
  });
  const prev = server.server.onclose;
  server.server.onclose = () => {
    closed = true;
    if (timer) clearTimeout(timer);
    prev?.();
  };
}
