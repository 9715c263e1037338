import { randomUUID } from 'node:crypto';
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/tokens.js';
import { listenBuses } from '../../src/events-out/outbox-watcher.js';
import { createMcpEndpoint } from '../../src/http/mcp-endpoint.js';
import { SessionStore } from '../../src/http/sessions.js';
import { buildServer } from '../../src/server.js';
import { emit } from '../../src/core/events/outbox.js';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps } from '../helpers/server.js';

/**
 * notifications/resources/updated (issue 18 step 2, MCP): a connected client subscribed to lead://{id}
 * and job://{id} hears when an event touches them, and nothing about what it did not subscribe to. On
 * protocol 2026-07-28 (no resources/subscribe) the same through subscriptions/listen `resourceSubscriptions`,
 * with real SDK clients pinned to that revision: over HTTP (the endpoint; another tenant's stream naming the
 * same uri hears nothing) and over the stdio entry.
 */
describe(`resource subscriptions (${testDbKind()})`, () => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof connectClient>>;
  let tenantId: string;
  const updated: string[] = [];

  beforeAll(async () => {
    process.env.AGENTE_MCP_NOTIFY_MS = '100';
    db = await openTestDb();
    const deps = await makeDeps(db, { tenantSlug: 'subs' });
    tenantId = deps.tenant.tenant_id;
    client = await connectClient(deps);
    client.setNotificationHandler('notifications/resources/updated', (n) => {
      updated.push(n.params.uri);
    });
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('notifies subscribed lead:// and job:// resources only, until unsubscribed', async () => {
    const lead = randomUUID();
    const other = randomUUID();
    const job = randomUUID();
    await client.subscribeResource({ uri: `lead://${lead}` });
    await client.subscribeResource({ uri: `job://${job}` });
    const write = (type: 'lead.replied' | 'campaign.paused', subject: string, data: Record<string, unknown>) =>
      withTenant(db.kysely, tenantId, (tx) => emit(tx, tenantId, type, subject, data));
    await write('lead.replied', lead, { lead_id: lead });
    await write('lead.replied', other, { lead_id: other });
    await write('campaign.paused', job, { campanha_id: job });
    const until = Date.now() + 10_000;
    while (updated.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect([...updated].sort()).toEqual([`job://${job}`, `lead://${lead}`].sort());

    await client.unsubscribeResource({ uri: `lead://${lead}` });
    await write('lead.replied', lead, { lead_id: lead });
    await write('campaign.paused', job, { campanha_id: job });
    const until2 = Date.now() + 10_000;
    while (updated.length < 3 && Date.now() < until2) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(updated.slice(2)).toEqual([`job://${job}`]);
    await expect(client.subscribeResource({ uri: 'agente://status' })).rejects.toThrow(
      /job:\/\/\{id\} and lead:\/\/\{id\}/,
    );
  });
});

describe(`resource updates on protocol 2026-07-28: subscriptions/listen (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    process.env.AGENTE_MCP_NOTIFY_MS = '100';
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const modernClient = (name: string) => {
    const client = new Client({ name, version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    const heard: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (n) => void heard.push(n.params.uri));
    return { client, heard };
  };
  const waitFor = async (ok: () => boolean) => {
    const until = Date.now() + 10_000;
    while (!ok() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  };

  it('over HTTP: a listen stream hears the lead:// and job:// it named, of its own tenant only', async () => {
    const a = await makeDeps(db, { transport: 'http', tenantSlug: 'listen-a' });
    const b = await makeDeps(db, { transport: 'http', tenantSlug: 'listen-b' });
    const principal = (deps: typeof a): Principal => ({
      token_id: `tok-${deps.tenant.slug}`,
      name: deps.tenant.slug,
      tenant: deps.tenant,
      scopes: ['read', 'dispatch', 'admin'],
      source: 'token',
    });
    const sessions = new SessionStore(db.kysely, {
      maxSessions: 10,
      maxSessionsPerTenant: 10,
      maxSessionsPerToken: 10,
      sessionIdleMs: 60_000,
    });
    const endpoint = createMcpEndpoint(
      (p) => buildServer(p.tenant.tenant_id === a.tenant.tenant_id ? a : b),
      sessions,
      {
        maxBodyBytes: 1024 * 1024,
        busFor: listenBuses(a),
      },
    );
    // The endpoint is the clients' fetch (no socket); a listen answer is a stream, passed through as it is.
    const fetchAs = (deps: typeof a) => async (url: string | URL, init?: RequestInit) => {
      const text = init?.body ? String(init.body) : '';
      return endpoint.handle(new Request(url, init), text ? JSON.parse(text) : undefined, principal(deps));
    };
    const lead = randomUUID();
    const other = randomUUID();
    const job = randomUUID();
    const ca = modernClient('listen-a');
    const cb = modernClient('listen-b');
    await ca.client.connect(new StreamableHTTPClientTransport(new URL('http://a.test/mcp'), { fetch: fetchAs(a) }));
    await cb.client.connect(new StreamableHTTPClientTransport(new URL('http://b.test/mcp'), { fetch: fetchAs(b) }));
    expect(ca.client.getProtocolEra()).toBe('modern');
    const subA = await ca.client.listen({ resourceSubscriptions: [`lead://${lead}`, `job://${job}`] });
    expect(subA.honoredFilter.resourceSubscriptions).toEqual([`lead://${lead}`, `job://${job}`]);
    const subB = await cb.client.listen({ resourceSubscriptions: [`lead://${lead}`] });

    const t = a.tenant.tenant_id;
    await withTenant(db.kysely, t, (tx) => emit(tx, t, 'lead.replied', lead, { lead_id: lead }));
    await withTenant(db.kysely, t, (tx) => emit(tx, t, 'lead.replied', other, { lead_id: other }));
    await withTenant(db.kysely, t, (tx) => emit(tx, t, 'campaign.paused', job, { campanha_id: job }));
    await waitFor(() => ca.heard.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect([...ca.heard].sort()).toEqual([`job://${job}`, `lead://${lead}`].sort());
    expect(cb.heard).toEqual([]);

    await subA.close();
    await subB.close();
    await ca.client.close();
    await cb.client.close();
    await endpoint.close();
  });

  it('over the stdio entry: the listen stream hears the uri it named, not the others', async () => {
    const deps = await makeDeps(db, { tenantSlug: 'listen-stdio' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const handle = serveStdio(({ era }) => buildServer(deps, { modernStdio: era === 'modern' }), {
      transport: serverSide,
    });
    const c = modernClient('listen-stdio');
    await c.client.connect(clientSide);
    expect(c.client.getProtocolEra()).toBe('modern');
    const lead = randomUUID();
    const other = randomUUID();
    const sub = await c.client.listen({ resourceSubscriptions: [`lead://${lead}`] });
    const t = deps.tenant.tenant_id;
    await withTenant(db.kysely, t, (tx) => emit(tx, t, 'lead.replied', other, { lead_id: other }));
    await withTenant(db.kysely, t, (tx) => emit(tx, t, 'lead.replied', lead, { lead_id: lead }));
    await waitFor(() => c.heard.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.heard).toEqual([`lead://${lead}`]);
    await sub.close();
    await c.client.close();
    await handle.close();
  });
});
