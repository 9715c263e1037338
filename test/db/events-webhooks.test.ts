import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emit, type EventType } from '../../src/core/events/outbox.js';
import { silentLogger } from '../../src/core/ports.js';
import { withTenant } from '../../src/db/tenant.js';
import { EventDeliverer } from '../../src/events-out/deliverer.js';
import { makeWebhookTransport } from '../../src/events-out/webhook-transport.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps } from '../helpers/server.js';
import { startReceiver, type Answer } from '../helpers/webhook-receiver.js';

/**
 * The webhook deliverer (issue 18 step 2) against a local receiver that verifies Standard Webhooks
 * signatures with the secret it was given once: delivery, retries on 500 with the same webhook-id, 410
 * disables the endpoint, 429 pauses it for Retry-After, type filters, rotation (two signatures), personal
 * data only when configured, ordering per subject, and never another tenant's event.
 */
describe(`webhook deliverer (${testDbKind()})`, () => {
  let db: TestDb;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let answers: (path: string, type: string) => Answer | undefined = () => undefined;
  const tenants: Record<'a' | 'b', { id: string; client: Awaited<ReturnType<typeof connectClient>> }> = {} as never;

  const deliverer = (allowPrivate = true) =>
    new EventDeliverer({
      db: db.kysely,
      kind: 'webhook',
      owner: 'test:1',
      leaseMs: 10_000,
      batch: 50,
      idleMs: 50,
      logger: silentLogger,
      transport: makeWebhookTransport({ timeoutMs: 3000, concurrency: 8, allowPrivate }),
    });

  const addHook = async (t: 'a' | 'b', path: string, extra: Record<string, unknown> = {}) => {
    const r = await tenants[t].client.callTool({
      name: 'manage_webhooks',
      arguments: { action: 'add', url: rx.url(path), ...extra },
    });
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    const w = (r.structuredContent as { webhooks: { webhook_id: string; secret: string }[] }).webhooks[0];
    expect(w.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    rx.trust(path, w.secret);
    return w;
  };
  const write = (t: 'a' | 'b', type: EventType, subject: string, data: Record<string, unknown> = {}) =>
    withTenant(db.kysely, tenants[t].id, (tx) => emit(tx, tenants[t].id, type, subject, { lead_id: subject, ...data }));
  /** Rounds until nothing is due (retries scheduled later are left). */
  const drain = async (d: EventDeliverer) => {
    for (let i = 0; i < 20 && (await d.round()) > 0; i++);
  };
  const due = (destino: string) =>
    withTenant(db.kysely, destinoTenant.get(destino)!, (tx) =>
      sql`update eventos_entregas set proxima_em = now() where destino_id = ${destino} and status = 'pendente'`.execute(
        tx,
      ),
    );
  const destinoTenant = new Map<string, string>();

  beforeAll(async () => {
    db = await openTestDb();
    rx = await startReceiver((r) => answers(r.path, r.event.type));
    for (const t of ['a', 'b'] as const) {
      const deps = await makeDeps(db, { tenantSlug: `hooks-${t}` });
      tenants[t] = { id: deps.tenant.tenant_id, client: await connectClient(deps) };
    }
  });
  afterAll(async () => {
    for (const t of Object.values(tenants)) await t.client?.closeAll();
    await rx?.close();
    await db?.destroy();
  });

  it('delivers each tenant its own events, signed, in order per subject, and never the other tenant’s', async () => {
    const ha = await addHook('a', '/a');
    const hb = await addHook('b', '/b');
    destinoTenant.set(ha.webhook_id, tenants.a.id).set(hb.webhook_id, tenants.b.id);
    const subj = randomUUID();
    for (let i = 0; i < 3; i++) await write('a', 'lead.status_changed', subj, { n: i });
    await write('a', 'lead.replied', randomUUID());
    await write('b', 'lead.replied', randomUUID());
    await drain(deliverer());
    const atA = rx.got.filter((g) => g.path === '/a');
    const atB = rx.got.filter((g) => g.path === '/b');
    expect(atA.map((g) => g.verified)).toEqual([true, true, true, true]);
    expect(atB).toHaveLength(1);
    expect(atA.every((g) => g.event.source.endsWith('/hooks-a') && g.id === g.event.id)).toBe(true);
    expect(atB[0].event.source.endsWith('/hooks-b')).toBe(true);
    expect(atA.filter((g) => g.event.subject === subj).map((g) => g.event.data.n)).toEqual([0, 1, 2]);
    // Ids only in data by default.
    expect(Object.keys(atA[0].event.data).sort()).toEqual(['lead_id', 'n']);
    const log = await withTenant(db.kysely, tenants.a.id, (tx) =>
      sql<{ n: string }>`select count(*) as n from eventos_tentativas where resultado = 'entregue'`.execute(tx),
    );
    expect(Number(log.rows[0].n)).toBe(4);
  });

  it('retries a 500 later with the same webhook-id, holding back the same subject’s next event meanwhile', async () => {
    const h = await addHook('a', '/flaky');
    destinoTenant.set(h.webhook_id, tenants.a.id);
    let fails = 1;
    answers = (path) => (path === '/flaky' && fails-- > 0 ? { status: 500 } : undefined);
    const subj = randomUUID();
    await write('a', 'lead.status_changed', subj, { n: 1 });
    await write('a', 'lead.status_changed', subj, { n: 2 });
    const d = deliverer();
    await drain(d);
    const flaky = () => rx.got.filter((g) => g.path === '/flaky');
    expect(flaky().map((g) => [g.event.data.n, g.status])).toEqual([[1, 500]]);
    const row = await withTenant(db.kysely, tenants.a.id, (tx) =>
      sql<{ tentativas: number; espera: number }>`
        select tentativas, extract(epoch from proxima_em - now())::float8 as espera from eventos_entregas
        where destino_id = ${h.webhook_id} and status = 'pendente' order by seq limit 1`.execute(tx),
    );
    expect(row.rows[0].tentativas).toBe(1);
    expect(row.rows[0].espera).toBeGreaterThan(3); // the schedule's 5 s
    await due(h.webhook_id); // time passes
    await drain(d);
    expect(flaky().map((g) => [g.event.data.n, g.status])).toEqual([
      [1, 500],
      [1, 200],
      [2, 200],
    ]);
    expect(flaky()[0].id).toBe(flaky()[1].id);
    answers = () => undefined;
  });

  it('disables the endpoint on 410 and delivers nothing more to it', async () => {
    const h = await addHook('a', '/gone');
    answers = (path) => (path === '/gone' ? { status: 410 } : undefined);
    await write('a', 'lead.replied', randomUUID());
    await write('a', 'lead.replied', randomUUID());
    await drain(deliverer());
    // Both events were in flight together (different subjects): one or two 410s, then nothing.
    const gone = rx.got.filter((g) => g.path === '/gone');
    expect(gone.length).toBeGreaterThanOrEqual(1);
    expect(gone.every((g) => g.status === 410)).toBe(true);
    const list = await tenants.a.client.callTool({ name: 'manage_webhooks', arguments: { action: 'list' } });
    const w = (
      list.structuredContent as { webhooks: { webhook_id: string; active: boolean; pending: number }[] }
    ).webhooks.find((x) => x.webhook_id === h.webhook_id)!;
    expect(w).toMatchObject({ active: false, pending: 2 });
    await write('a', 'lead.replied', randomUUID());
    await drain(deliverer());
    expect(rx.got.filter((g) => g.path === '/gone')).toHaveLength(gone.length);
    answers = () => undefined;
  });

  it('backs off on 429 for Retry-After, for the whole endpoint', async () => {
    const h = await addHook('a', '/busy');
    destinoTenant.set(h.webhook_id, tenants.a.id);
    let busy = true;
    answers = (path) => (path === '/busy' && busy ? { status: 429, headers: { 'retry-after': '30' } } : undefined);
    await write('a', 'lead.replied', randomUUID());
    await write('a', 'lead.replied', randomUUID());
    const d = deliverer();
    await drain(d);
    // 429: the endpoint is paused for the 30 s asked (both events were in flight together: ≤ 2 attempts).
    const busyGot = () => rx.got.filter((g) => g.path === '/busy');
    expect(busyGot().length).toBeLessThanOrEqual(2);
    const p = await withTenant(db.kysely, tenants.a.id, (tx) =>
      sql<{ pausa: number }>`select extract(epoch from pausa_ate - now())::float8 as pausa from eventos_destinos
        where destino_id = ${h.webhook_id}`.execute(tx),
    );
    expect(p.rows[0].pausa).toBeGreaterThan(25);
    const before = busyGot().length;
    await due(h.webhook_id);
    await drain(d); // still paused: nothing tried
    expect(busyGot().length).toBe(before);
    busy = false;
    await withTenant(db.kysely, tenants.a.id, (tx) =>
      sql`update eventos_destinos set pausa_ate = now() where destino_id = ${h.webhook_id}`.execute(tx),
    );
    await due(h.webhook_id);
    await drain(d);
    expect(busyGot().filter((g) => g.status === 200)).toHaveLength(2);
    answers = () => undefined;
  });

  it('filters by type, adds personal data only when configured, signs with both secrets during a rotation', async () => {
    const lead = randomUUID();
    await withTenant(db.kysely, tenants.b.id, (tx) =>
      sql`insert into leads (lead_id, tenant_id, nome, nome_chave) values (${lead}, ${tenants.b.id}, 'Padaria Sol', 'padaria sol')`.execute(
        tx,
      ),
    );
    const only = await addHook('b', '/only-replied', { types: ['lead.replied'], personal_data: true });
    await write('b', 'lead.status_changed', lead);
    await write('b', 'lead.replied', lead);
    await drain(deliverer());
    const got = rx.got.filter((g) => g.path === '/only-replied');
    expect(got.map((g) => g.event.type)).toEqual(['br.com.alquimista.lead.replied']);
    expect(got[0].event.data.lead).toMatchObject({ nome: 'Padaria Sol' });
    expect(rx.got.filter((g) => g.path === '/b').every((g) => !('lead' in g.event.data))).toBe(true);

    const r = await tenants.b.client.callTool({
      name: 'manage_webhooks',
      arguments: { action: 'rotate', webhook_id: only.webhook_id },
    });
    const fresh = (r.structuredContent as { webhooks: { secret: string }[] }).webhooks[0].secret;
    expect(fresh).not.toBe(only.secret);
    rx.trust('/only-replied', fresh); // the receiver switched: only the new secret
    await write('b', 'lead.replied', lead);
    await drain(deliverer());
    const last = rx.got.filter((g) => g.path === '/only-replied').at(-1)!;
    expect(last.verified).toBe(true);
    expect(last.signatures).toHaveLength(2);
  });

  it('refuses a loopback URL unless private addresses are allowed', async () => {
    const h = await addHook('b', '/private');
    await write('b', 'lead.replied', randomUUID());
    await drain(deliverer(false));
    expect(rx.got.filter((g) => g.path === '/private')).toHaveLength(0);
    const w = await withTenant(db.kysely, tenants.b.id, (tx) =>
      sql<{ ativo: boolean; desativado_motivo: string }>`select ativo, desativado_motivo from eventos_destinos
        where destino_id = ${h.webhook_id}`.execute(tx),
    );
    expect(w.rows[0]).toMatchObject({ ativo: false, desativado_motivo: expect.stringContaining('private') });
  });

  it('rejects bad URLs and unknown types with actionable errors', async () => {
    for (const [args, msg] of [
      [{ url: 'ftp://x.example.com/h' }, /https/],
      [{ url: 'https://u:p@x.example.com/h' }, /user or password/],
      [{ url: 'https://x.example.com/h', types: ['lead.nope'] }, /Unknown event type/],
    ] as const) {
      const r = await tenants.a.client.callTool({ name: 'manage_webhooks', arguments: { action: 'add', ...args } });
      expect(r.isError).toBe(true);
      expect(JSON.stringify(r.content)).toMatch(msg);
    }
  });
});
