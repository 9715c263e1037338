import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelStatus } from '../../src/deps.js';
import { readQueue, registerDbGauges } from '../../src/metrics/db-gauges.js';
import { readinessProbe } from '../../src/metrics/health.js';
import { registry } from '../../src/metrics/registry.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { seedCampaign } from '../helpers/dispatch-setup.js';
import { parseProm, promValue } from '../helpers/prom-text.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * What /metrics and /readyz read from the database (issue 21), on PGlite and PostgreSQL: the queue by
 * status and the oldest overdue row, read at scrape time in one statement across tenants (as the
 * system role, under row-level security); readiness — database, migrations, channels.
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
});
