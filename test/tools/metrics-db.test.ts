import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelStatus } from '../../src/deps.js';
import { claim, fanOut, settle } from '../../src/core/events/deliveries.js';
import { emit } from '../../src/core/events/outbox.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { readEventBacklog, readQueue, registerDbGauges } from '../../src/metrics/db-gauges.js';
import { readinessProbe } from '../../src/metrics/health.js';
import { registry } from '../../src/metrics/registry.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { seedCampaign } from '../helpers/dispatch-setup.js';
import { parseProm, promValue } from '../helpers/prom-text.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * What /metrics and /readyz read from the database (issue 21), on PGlite and PostgreSQL: the queue by
 * status and the oldest overdue row, read at scrape time in one statement across tenants (as the
 * system role, under row-level security); the events-out backlog per destination; readiness — database,
 * migrations, channels.
 */
const channel = (state: ChannelStatus['state']): ChannelStatus => ({
  channel: 'whatsapp',
  server: 'wa',
  preset: null,
  transport: 'stdio',
  state,
  detail: null,
});

describe(`metrics read from the database (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('queue depth by status and the oldest due age, across tenants, as a scrape shows them', async () => {
    const a = await seedCampaign(db, 30, null);
    const b = await seedCampaign(db, 12, null);
    // Five of the first tenant's rows leased; the oldest due row due 90 s before "now".
    const now = new Date(Date.now() + 60_000);
    await asOwner(db.kysely, async (tx) => {
      await sql`update disparos set status = 'em_execucao', claimed_by = 'x', lease_until = ${now}
                where disparo_id in (select disparo_id from disparos where campanha_id = ${a.campaignId} limit 5)`.execute(
        tx,
      );
      await sql`update disparos set proxima_tentativa_em = ${new Date(now.getTime() - 90_000)}
                where disparo_id in (select disparo_id from disparos where campanha_id = ${b.campaignId}
                                     and status = 'pendente' limit 1)`.execute(tx);
    });
    const rows = await readQueue(db, now);
    const by = Object.fromEntries(rows.map((r) => [r.status, r]));
    expect(by.pendente.n).toBe(37);
    expect(by.em_execucao.n).toBe(5);
    expect(by.adiado).toBeUndefined();
    expect(by.pendente.oldest_due_s).toBeCloseTo(90, 0);

    const unregister = registerDbGauges(db, () => now);
    try {
      const samples = parseProm(await registry.metrics());
      expect(promValue(samples, 'agente_queue_depth', { status: 'pendente' })).toBe(37);
      expect(promValue(samples, 'agente_queue_depth', { status: 'em_execucao' })).toBe(5);
      expect(promValue(samples, 'agente_queue_depth', { status: 'adiado' })).toBe(0);
      expect(promValue(samples, 'agente_queue_oldest_due_age_seconds')).toBeCloseTo(90, 0);
      expect(promValue(samples, 'agente_metrics_db_errors')).toBe(0);
      if (db.kind === 'postgres') expect(promValue(samples, 'agente_db_pool_connections', { state: 'max' })).toBe(5);
    } finally {
      unregister();
    }
    expect(await registry.metrics()).not.toMatch(/agente_queue_depth/);
  });

  it('readiness: database, migrations and channels checked; a stopping process is not ready', async () => {
    let stopping = false;
    let channels = [channel('configured')];
    const probe = () => readinessProbe({ db, channels: () => channels, stopping: () => stopping });
    expect(await probe()()).toEqual({ ready: true, checks: { database: 'ok', migrations: 'ok', channels: 'ok' } });

    channels = [channel('config_error')];
    const broken = await probe()();
    expect(broken).toMatchObject({ ready: false, checks: { database: 'ok', channels: 'config_error: whatsapp' } });

    // A migration of this build not applied to the database (a replica started before `migrate`).
    channels = [channel('configured')];
    const last = await asOwner(db.kysely, async (tx) => {
      const r = await sql<{ nome: string; checksum: string }>`
        select nome, checksum from schema_migrations order by nome desc limit 1`.execute(tx);
      await sql`delete from schema_migrations where nome = ${r.rows[0].nome}`.execute(tx);
      return r.rows[0];
    });
    try {
      const pending = await probe()();
      expect(pending).toMatchObject({ ready: false, checks: { database: 'ok', migrations: `pending: ${last.nome}` } });
    } finally {
      await asOwner(db.kysely, (tx) =>
        sql`insert into schema_migrations (nome, checksum) values (${last.nome}, ${last.checksum})`.execute(tx),
      );
    }

    // Cached a few seconds; but stopping wins at once.
    const cached = probe();
    expect((await cached()).ready).toBe(true);
    stopping = true;
    expect(await cached()).toMatchObject({ ready: false, checks: { database: 'stopping' } });
  });

  it('events-out backlog per destination: not yet fanned out, then pending, then less as deliveries settle', async () => {
    const a = await ensureTenant(db.kysely, 'backlog-a');
    const b = await ensureTenant(db.kysely, 'backlog-b');
    const hook = (t: string, url: string) =>
      withTenant(db.kysely, t, async (tx) => {
        const { rows } = await sql<{ destino_id: string }>`insert into eventos_destinos (tenant_id, tipo, url, segredo)
          values (${t}, 'webhook', ${url}, 'whsec_dGVzdA==') returning destino_id`.execute(tx);
        return rows[0]!.destino_id;
      });
    const events = (t: string, n: number) =>
      withTenant(db.kysely, t, async (tx) => {
        for (let i = 0; i < n; i++) await emit(tx, t, 'lead.replied', crypto.randomUUID(), { i });
      });
    const da = await hook(a.tenant_id, 'https://a.example/hook');
    const db2 = await hook(b.tenant_id, 'https://b.example/hook');
    await events(a.tenant_id, 5);
    await events(b.tenant_id, 2);
    const backlog = async () =>
      Object.fromEntries((await readEventBacklog(db)).map((r) => [r.destination, `${r.kind}:${r.pending}`]));
    // Committed, not fanned out yet: counted from the tenant's sequence.
    expect(await backlog()).toMatchObject({ [da]: 'webhook:5', [db2]: 'webhook:2' });

    // Fanned out: the same count, now pending deliveries; two of a's delivered.
    const ta = { tenant_id: a.tenant_id, slug: 'backlog-a' };
    expect(await withTenant(db.kysely, a.tenant_id, (tx) => fanOut(tx, ta, 'webhook'))).toBe(5);
    expect(await backlog()).toMatchObject({ [da]: 'webhook:5' });
    await withTenant(db.kysely, a.tenant_id, async (tx) => {
      const got = await claim(tx, ta, 'webhook', { limit: 2, leaseMs: 30_000, owner: 'test' });
      await settle(
        tx,
        a.tenant_id,
        'test',
        got.map((c) => ({ ...c, evento_id: c.event.id, ok: true, duracao_ms: 1 })),
      );
    });
    expect(await backlog()).toMatchObject({ [da]: 'webhook:3', [db2]: 'webhook:2' });

    // As /metrics shows it, labelled by destination and kind.
    const unregister = registerDbGauges(db);
    try {
      const samples = parseProm(await registry.metrics());
      expect(promValue(samples, 'agente_webhook_backlog', { destination: da, kind: 'webhook' })).toBe(3);
      expect(promValue(samples, 'agente_webhook_backlog', { destination: db2, kind: 'webhook' })).toBe(2);
    } finally {
      unregister();
    }
  });
});
