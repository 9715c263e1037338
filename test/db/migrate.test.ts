import { plantingFixtures } from '../helpers/transition-guard.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedMigrations, listMigrations, migrate, MigrationError } from '../../src/db/migrate.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { asOwner } from '../helpers/tenant-seed.js';

describe(`migrations and schema (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  it('has applied every file, in order, with the seed names 001-008', async () => {
    const files = (await listMigrations()).map((f) => f.name);
    expect(await appliedMigrations(db)).toEqual(files);
    expect(files.slice(0, 8)).toEqual([
      '001_create_leads_table.sql',
      '002_create_lead_telefones_table.sql',
      '003_create_lead_emails_table.sql',
      '004_create_disparos_table.sql',
      '005_create_agendamentos_table.sql',
      '006_create_ingest_jobs_table.sql',
      '007_create_dry_run_log_table.sql',
      '008_create_leads_para_disparo_view.sql',
    ]);
  });

  it('applies nothing the second time', async () => {
    const res = await migrate(db);
    expect(res.applied).toEqual([]);
  });

  it('refuses to run when an applied migration was edited', async () => {
    // The app role may not touch schema_migrations; the owner (a superuser here) tampers with it.
    await expect(
      db.kysely
        .updateTable('schema_migrations')
        .set({ checksum: '0'.repeat(64) })
        .execute(),
    ).rejects.toThrow(/permission denied/);
    await asOwner(db.kysely, (tx) =>
      tx
        .updateTable('schema_migrations')
        .set({ checksum: '0'.repeat(64) })
        .where('nome', '=', '003_create_lead_emails_table.sql')
        .execute(),
    );
    await expect(migrate(db)).rejects.toThrow(MigrationError);
    await expect(migrate(db)).rejects.toThrow(/003_create_lead_emails_table.sql was edited/);
    const f = (await listMigrations()).find((m) => m.name === '003_create_lead_emails_table.sql')!;
    await asOwner(db.kysely, (tx) =>
      tx.updateTable('schema_migrations').set({ checksum: f.checksum }).where('nome', '=', f.name).execute(),
    );
    expect((await migrate(db)).applied).toEqual([]);
  });

  it('keeps the seed columns of dry_run_log', async () => {
    const cols = await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_name = 'dry_run_log' order by ordinal_position`.execute(
      db.kysely,
    );
    expect(cols.rows.map((r) => r.column_name).slice(0, 12)).toEqual([
      'log_id',
      'tenant_id',
      'lead_id',
      'lead_nome',
      'lead_telefone',
      'lead_email',
      'canal_decidido',
      'motivo_decisao',
      'template_selecionado',
      'disparo_seria_executado',
      'razao_bloqueio',
      'created_at',
    ]);
  });

  it('gives dry_run_log rows time-ordered ids (migration 059): version 7, the current millisecond first', async () => {
    const before = Date.now();
    const { rows } = await sql<{ id: string }>`
      select agente_uuid_ordenado()::text as id from generate_series(1, 3)`.execute(db.kysely);
    const after = Date.now();
    for (const { id } of rows) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before - 5);
      expect(ms).toBeLessThanOrEqual(after + 5);
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
    const def = await sql<{ d: string }>`
      select column_default as d from information_schema.columns
      where table_name = 'dry_run_log' and column_name = 'log_id'`.execute(db.kysely);
    expect(def.rows[0].d).toBe('agente_uuid_ordenado()');
  });

  it('enforces constraints in the database: status CHECK, tenant FK, unique valid document', async () => {
    const t = await ensureTenant(db.kysely, 'constraints');
    const lead = { tenant_id: t.tenant_id, nome: 'Padaria São João', nome_chave: 'padaria sao joao' };
    const insert = (
      tenantId: string,
      values: Parameters<ReturnType<typeof db.kysely.insertInto<'leads'>>['values']>[0],
    ) =>
      withTenant(db.kysely, tenantId, async (tx) => {
        await plantingFixtures(tx); // the CHECK itself is what this test is about, not the model's guard
        return tx.insertInto('leads').values(values).execute();
      });
    await expect(insert(t.tenant_id, { ...lead, status: 'inventado' })).rejects.toThrow(/check constraint/);
    const ghost = '00000000-0000-4000-8000-000000000000';
    await expect(insert(ghost, { ...lead, tenant_id: ghost })).rejects.toThrow(/foreign key/);
    const doc = { ...lead, documento: '11222333000181', documento_tipo: 'cnpj' as const, documento_valido: true };
    await insert(t.tenant_id, doc);
    await expect(insert(t.tenant_id, doc)).rejects.toThrow(/duplicate key/);
    // The same invalid document twice is allowed: only a valid document identifies a lead.
    const bad = { ...lead, documento: '11111111111', documento_tipo: 'cpf' as const, documento_valido: false };
    await insert(t.tenant_id, [bad, bad]);
  });

  it('scopes a transaction to a tenant with SET LOCAL app.tenant_id, and only that transaction', async () => {
    const t = await ensureTenant(db.kysely, 'scoped');
    const inside = await withTenant(db.kysely, t.tenant_id, async (tx) => {
      const r = await sql<{ v: string }>`select current_setting('app.tenant_id', true) as v`.execute(tx);
      return r.rows[0].v;
    });
    expect(inside).toBe(t.tenant_id);
    const after = await sql<{
      v: string | null;
    }>`select nullif(current_setting('app.tenant_id', true), '') as v`.execute(db.kysely);
    expect(after.rows[0].v).toBeNull();
  });

  it("keeps a concurrent statement out of another caller's open transaction", async () => {
    const t = await ensureTenant(db.kysely, 'isolation');
    let inTx!: () => void;
    const entered = new Promise<void>((r) => (inTx = r));
    let finish!: () => void;
    const hold = new Promise<void>((r) => (finish = r));
    const rolledBack = withTenant(db.kysely, t.tenant_id, async (tx) => {
      await tx.insertInto('leads').values({ tenant_id: t.tenant_id, nome: 'A', nome_chave: 'a' }).execute();
      inTx();
      await hold;
      throw new Error('roll back');
    }).catch((e: Error) => e.message);
    await entered;
    const outside = withTenant(db.kysely, t.tenant_id, (tx) =>
      tx.insertInto('leads').values({ tenant_id: t.tenant_id, nome: 'B', nome_chave: 'b' }).execute(),
    );
    finish();
    expect(await rolledBack).toBe('roll back');
    await outside;
    const names = await withTenant(db.kysely, t.tenant_id, (tx) =>
      tx.selectFrom('leads').select('nome').where('tenant_id', '=', t.tenant_id).execute(),
    );
    expect(names.map((n) => n.nome)).toEqual(['B']);
  });
});
