import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emit } from '../../src/core/events/outbox.js';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps } from '../helpers/server.js';

/**
 * notifications/resources/updated (issue 18 step 2, MCP): a connected client subscribed to lead://{id}
 * and job://{id} hears when an event touches them, and nothing about what it did not subscribe to.
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
