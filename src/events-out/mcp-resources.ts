import type { McpServer } from '@modelcontextprotocol/server';
import type { ServerDeps } from '../deps.js';
import { notifyEveryMs, OutboxWatcher } from './outbox-watcher.js';

const SUBSCRIBABLE = /^(job|lead):\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resource updates for `job://{id}` and `lead://{id}` on one connection (README "Events", MCP):
 *  - 2025-11-25: resources/subscribe and unsubscribe; while something is subscribed the tenant's outbox is
 *    read every AGENTE_MCP_NOTIFY_MS (1 s) after the cursor taken at the first subscription, and each
 *    subscribed uri an event touched gets notifications/resources/updated (once per read).
 *  - 2026-07-28 over stdio (`allUpdates`): there is no resources/subscribe; the client opens
 *    subscriptions/listen with `resourceSubscriptions`, which the SDK's stdio entry keeps and matches. The
 *    server cannot see that filter, so it watches the outbox for the whole connection and sends every touched
 *    uri; the entry forwards those a listen stream named and drops the rest.
 * (Over HTTP the 2026-07-28 streams outlive the per-request server: src/events-out/outbox-watcher.ts.)
 */
export function resourceSubscriptions(server: McpServer, deps: ServerDeps, o: { allUpdates?: boolean } = {}): void {
  const subs = new Set<string>();
  const watcher = new OutboxWatcher(deps.db.kysely, deps.tenant, notifyEveryMs(), deps.logger, async (uris) => {
    for (const uri of uris) if (o.allUpdates || subs.has(uri)) await server.server.sendResourceUpdated({ uri });
  });
  if (o.allUpdates) void watcher.start();

  server.server.setRequestHandler('resources/subscribe', async (req) => {
    const uri = req.params.uri;
    if (!SUBSCRIBABLE.test(uri))
      throw new Error(`Only job://{id} and lead://{id} can be subscribed; got "${uri.slice(0, 80)}"`);
    subs.add(uri.toLowerCase());
    await watcher.start();
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', async (req) => {
    subs.delete(req.params.uri.toLowerCase());
    if (!subs.size && !o.allUpdates) watcher.stop();
    return {};
  });
  const prev = server.server.onclose;
  server.server.onclose = () => {
    watcher.stop();
    prev?.();
  };
}
