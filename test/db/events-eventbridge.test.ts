import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emit } from '../../src/core/events/outbox.js';
import { silentLogger } from '../../src/core/ports.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { EventDeliverer } from '../../src/events-out/deliverer.js';
import { makeEventBridgeTransport } from '../../src/events-out/eventbridge-transport.js';
import { ensureBus } from '../../src/events-out/start.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { startEventBridgeFake, type PutEntry } from '../helpers/eventbridge-fake.js';

/**
 * The EventBridge deliverer (issue 18 step 2) against a loopback fake of the endpoint that checks the
 * PutEvents request shape and answers like the service, partial failures included: batches of ≤ 10,
 * a failed entry retried alone, every event delivered, each subject's events in order.
 */
describe(`EventBridge deliverer (${testDbKind()})`, () => {
  const BUS = 'fibonacci-bus-dev';
  let db: TestDb;
  let fake: Awaited<ReturnType<typeof startEventBridgeFake>>;
  let tenantId: string;
  let failOnce: string | null = null;
  const idOf = (e: PutEntry) => (JSON.parse(e.Detail) as { id: string }).id;

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIDFAKEFAKEFAKE';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'fake-secret';
    db = await openTestDb();
    fake = await startEventBridgeFake((e) => {
      if (idOf(e) !== failOnce) return undefined;
      failOnce = null;
      return 'InternalFailure';
    });
    tenantId = (await ensureTenant(db.kysely, 'bus-tenant')).tenant_id;
  });
  afterAll(async () => {
    await fake?.close();
    await db?.destroy();
  });

  it('sends batches of ≤ 10 and retries a failed entry alone; every event arrives, in order per subject', async () => {
    await ensureBus(db.kysely, BUS);
    const repeated = randomUUID();
    await withTenant(db.kysely, tenantId, async (tx) => {
      for (let i = 0; i < 23; i++) await emit(tx, tenantId, 'lead.replied', randomUUID(), { i });
      await emit(tx, tenantId, 'lead.status_changed', repeated, { n: 1 });
      await emit(tx, tenantId, 'lead.status_changed', repeated, { n: 2 });
    });
    // Read once committed: until then a transaction's events are staged in eventos_novos (migration 055).
    const ids = await withTenant(db.kysely, tenantId, async (tx) =>
      (await sql<{ evento_id: string }>`select evento_id from eventos_saida order by id`.execute(tx)).rows.map(
        (r) => r.evento_id,
      ),
    );
    failOnce = ids[4];
    const transport = makeEventBridgeTransport({ region: 'sa-east-1', endpoint: fake.endpoint, timeoutMs: 5000 });
    const d = new EventDeliverer({
      db: db.kysely,
      kind: 'eventbridge',
      transport,
      logger: silentLogger,
      owner: 'test:eb',
      leaseMs: 10_000,
      batch: 100,
      idleMs: 50,
    });
    for (let i = 0; i < 10 && (await d.round()) > 0; i++);
    expect(fake.rejected).toEqual([]);
    expect(fake.calls.map((c) => c.entries.length)).toEqual([10, 10, 4, 1]); // 24 due (one subject held back), then its second
    expect(fake.calls.map((c) => c.failed)).toEqual([1, 0, 0, 0]);
    const failed = await withTenant(db.kysely, tenantId, (tx) =>
      sql<{
        evento_id: string;
        tentativas: number;
      }>`select evento_id, tentativas from eventos_entregas where status = 'pendente'`.execute(tx),
    );
    expect(failed.rows).toEqual([{ evento_id: ids[4], tentativas: 1 }]);
    await withTenant(db.kysely, tenantId, (tx) =>
      sql`update eventos_entregas set proxima_em = now() where status = 'pendente'`.execute(tx),
    );
    for (let i = 0; i < 5 && (await d.round()) > 0; i++);
    transport.close();
    // The retry carried the failed entry alone.
    expect(fake.calls.at(-1)!.entries.map(idOf)).toEqual([ids[4]]);
    const sent = fake.calls.flatMap((c) => c.entries);
    const okIds = sent.map(idOf);
    expect(new Set(okIds)).toEqual(new Set(ids));
    expect(okIds.filter((x) => x === ids[4])).toHaveLength(2);
    expect(okIds.length).toBe(ids.length + 1);
    const e = sent[0];
    expect(e.EventBusName).toBe(BUS);
    expect(e.Source).toBe('/agente-disparo-agenda/bus-tenant');
    expect(JSON.parse(e.Detail)).toMatchObject({
      specversion: '1.0',
      type: e.DetailType,
      sequence: expect.stringMatching(/^\d{19}$/),
    });
    const rep = sent.filter((x) => JSON.parse(x.Detail).subject === repeated).map((x) => JSON.parse(x.Detail).data.n);
    expect(rep).toEqual([1, 2]);
    const log = await withTenant(db.kysely, tenantId, (tx) =>
      sql<{
        resultado: string;
        n: string;
      }>`select resultado, count(*) as n from eventos_tentativas group by 1 order by 1`.execute(tx),
    );
    expect(log.rows.map((r) => [r.resultado, Number(r.n)])).toEqual([
      ['entregue', 25],
      ['reagendado', 1],
    ]);
  });
});
