import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeGrownTables } from '../../src/core/dispatch/sql/analyze-grown.js';
import { ensureTenant, withSystem, withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { asOwner } from '../helpers/tenant-seed.js';

// Migration 063: the executor's housekeeping ANALYZEs its tables once a bulk write has grown them, as the
// app role (which owns no table), so a campaign started right after an import is planned with statistics.
describe(`analyze grown tables (${testDbKind()})`, () => {
  let db: TestDb;
  let tenantId: string;
  beforeAll(async () => {
    db = await openTestDb();
    tenantId = (await ensureTenant(db.kysely, 'analyze-grown')).tenant_id;
  });
  afterAll(async () => db?.destroy());

  const addLeads = (from: number, to: number) =>
    withTenant(db.kysely, tenantId, (tx) =>
      sql`insert into leads (tenant_id, nome, nome_chave, contato_nome, documento, documento_tipo, documento_valido)
          select ${tenantId}, 'Empresa ' || i, 'empresa ' || i, 'Contato ' || i, lpad(i::text, 14, '0'), 'cnpj', false
          from generate_series(${from}::int, ${to}::int) i`.execute(tx),
    );
  const leadStats = () =>
    asOwner(db.kysely, (tx) =>
      sql<{ reltuples: number }>`select reltuples::float8 as reltuples from pg_class where relname = 'leads'`.execute(
        tx,
      ),
    ).then((r) => r.rows[0].reltuples);

  it('analyzes a table a bulk write grew, once; again only when it has doubled since', async () => {
    // Small tables are left alone (their plans do not matter).
    await addLeads(1, 10);
    expect(await withSystem(db.kysely, analyzeGrownTables)).not.toContain('leads');
    await addLeads(11, 3000);
    const before = await leadStats();
    expect(await withSystem(db.kysely, analyzeGrownTables)).toContain('leads');
    expect(before).toBeLessThan(3000);
    expect(await leadStats()).toBe(3000);
    // Nothing grew since: nothing to do.
    expect(await withSystem(db.kysely, analyzeGrownTables)).toEqual([]);
    await addLeads(3001, 4000);
    expect(await withSystem(db.kysely, analyzeGrownTables)).toEqual([]);
    await addLeads(4001, 7000);
    expect(await withSystem(db.kysely, analyzeGrownTables)).toEqual(['leads']);
    expect(await leadStats()).toBe(7000);
  });

  it('works for the app role, which owns no table: its own ANALYZE is skipped', async () => {
    await addLeads(7001, 15000);
    // PostgreSQL skips a table the role does not own (a warning): the statistics stay as they were.
    await withTenant(db.kysely, tenantId, (tx) => sql`analyze leads`.execute(tx));
    expect(await leadStats()).toBe(7000);
    expect(await withTenant(db.kysely, tenantId, analyzeGrownTables)).toEqual(['leads']);
    expect(await leadStats()).toBe(15000);
  });
});
