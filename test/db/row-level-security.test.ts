import { plantingFixtures } from '../helpers/transition-guard.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROLE, SYSTEM_ROLE } from '../../src/db/roles.js';
import { createToken, revokeToken, verifyToken } from '../../src/auth/tokens.js';
import { failOrphanedJobs } from '../../src/core/ingest/job-store.js';
import { ensureTenant, withSystem, withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import {
  asOwner,
  seedTenant,
  tenantSnapshot,
  tenantTables,
  TENANT_TABLE_SEEDERS,
  type SeededTenant,
} from '../helpers/tenant-seed.js';

// Row-level security (migration 017): a query that forgets its tenant filter still cannot cross tenants.
describe(`row-level security (${testDbKind()})`, () => {
  let db: TestDb;
  let tables: string[];
  let a: SeededTenant;
  let b: SeededTenant;
  const count = (tx: Parameters<Parameters<typeof withTenant>[2]>[0], table: string, where?: string) =>
    sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(table)} ${where ? sql`where tenant_id = ${where}` : sql``}`
      .execute(tx)
      .then((r) => r.rows[0].n);

  beforeAll(async () => {
    db = await openTestDb();
    tables = await tenantTables(db.kysely);
    a = await seedTenant(db.kysely, (await ensureTenant(db.kysely, 'rls-a')).tenant_id, 1);
    b = await seedTenant(db.kysely, (await ensureTenant(db.kysely, 'rls-b')).tenant_id, 2);
  });
  afterAll(async () => db?.destroy());

  it('has row-level security enabled AND forced, with a tenant policy, on every table with a tenant_id column', async () => {
    expect(tables.length).toBeGreaterThanOrEqual(18);
    const { rows } = await sql<{ name: string; rls: boolean; force: boolean; policies: string[] }>`
      select c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as force,
             coalesce((select array_agg(p.polname::text order by p.polname) from pg_policy p where p.polrelid = c.oid), '{}') as policies
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relname = any(${tables}::text[]) order by 1`.execute(db.kysely);
    const missing = rows.filter((r) => !r.rls || !r.force || !r.policies.includes('tenant_isolation'));
    // A new tenant table must call agente_isolar_tenant('tabela') in its migration.
    expect(missing.map((r) => r.name)).toEqual([]);
    expect(rows).toHaveLength(tables.length);
  });

  it('runs the program as a role that owns nothing and bypasses nothing', async () => {
    const { rows } = await sql<{ me: string; super: boolean; bypass: boolean; owned: number }>`
      select current_user as me, r.rolsuper as super, r.rolbypassrls as bypass,
             (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = 'public' and pg_get_userbyid(c.relowner) = current_user) as owned
      from pg_roles r where r.rolname = current_user`.execute(db.kysely);
    expect(rows[0]).toEqual({ me: APP_ROLE, super: false, bypass: false, owned: 0 });
    const sys = await sql<{
      super: boolean;
      bypass: boolean;
    }>`select rolsuper as super, rolbypassrls as bypass from pg_roles where rolname = ${SYSTEM_ROLE}`.execute(
      db.kysely,
    );
    expect(sys.rows[0]).toEqual({ super: false, bypass: false });
  });

  it('has a seeder for every tenant table, and the seed really wrote a row of each tenant in each', async () => {
    expect(tables.filter((t) => !(t in TENANT_TABLE_SEEDERS))).toEqual([]);
    const snapshot = await tenantSnapshot(db.kysely, b.tenantId, tables);
    expect(
      Object.entries(snapshot)
        .filter(([, rows]) => rows.length === 0)
        .map(([t]) => t),
    ).toEqual([]);
  });

  it("inside tenant A's scope, an unfiltered query sees only A's rows in every tenant table, and none of B's", async () => {
    for (const t of tables) {
      const seen = await withTenant(db.kysely, a.tenantId, async (tx) => ({
        all: await count(tx, t),
        mine: await count(tx, t, a.tenantId),
        theirs: await count(tx, t, b.tenantId),
      }));
      const stored = await asOwner(db.kysely, (tx) => count(tx, t, a.tenantId));
      expect({ t, ...seen }).toEqual({ t, all: stored, mine: stored, theirs: 0 });
    }
  });

  it("inside tenant A's scope, B's rows cannot be updated or deleted, and no row can be written for B", async () => {
    const before = await tenantSnapshot(db.kysely, b.tenantId, tables);
    for (const t of tables) {
      const changed = await withTenant(db.kysely, a.tenantId, async (tx) => {
        const u = await sql`update ${sql.table(t)} set tenant_id = tenant_id where tenant_id = ${b.tenantId}`.execute(
          tx,
        );
        const d = await sql`delete from ${sql.table(t)} where tenant_id = ${b.tenantId}`.execute(tx);
        return Number(u.numAffectedRows ?? 0) + Number(d.numAffectedRows ?? 0);
      });
      expect({ t, changed }).toEqual({ t, changed: 0 });
    }
    // Moving one of A's rows to B, or inserting a row for B, is refused by the policy's WITH CHECK.
    await expect(
      withTenant(db.kysely, a.tenantId, (tx) =>
        sql`update leads set tenant_id = ${b.tenantId} where lead_id = ${a.leadId}`.execute(tx),
      ),
    ).rejects.toThrow(/row-level security|foreign key/);
    await expect(
      withTenant(db.kysely, a.tenantId, (tx) =>
        sql`insert into supressoes (tenant_id, tipo, valor, motivo, ator) values (${b.tenantId}, 'email', 'x@y.com.br', 'teste', 'teste')`.execute(
          tx,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    expect(await tenantSnapshot(db.kysely, b.tenantId, tables)).toEqual(before);
  });

  it('outside any tenant scope, a query sees nothing and writes nothing', async () => {
    for (const t of tables) {
      expect({ t, n: await count(db.kysely as never, t) }).toEqual({ t, n: 0 });
    }
    await expect(
      sql`insert into supressoes (tenant_id, tipo, valor, motivo, ator) values (${b.tenantId}, 'email', 'z@y.com.br', 'teste', 'teste')`.execute(
        db.kysely,
      ),
    ).rejects.toThrow(/row-level security/);
    const u = await sql`update disparos set status = 'cancelado'`.execute(db.kysely);
    expect(Number(u.numAffectedRows)).toBe(0);
  });

  it('the system role reads across tenants only where it must (tokens, tenants, due sends, jobs) and writes no tenant data', async () => {
    const seen = await withSystem(db.kysely, async (tx) => ({
      tokens: await count(tx, 'api_tokens'),
      disparos: await count(tx, 'disparos'),
    }));
    expect(seen.tokens).toBeGreaterThanOrEqual(2);
    expect(seen.disparos).toBeGreaterThanOrEqual(2);
    await expect(withSystem(db.kysely, (tx) => count(tx, 'leads'))).rejects.toThrow(/permission denied/);
    await expect(
      withSystem(db.kysely, (tx) => sql`update disparos set status = 'cancelado'`.execute(tx)),
    ).rejects.toThrow(/permission denied/);
    await expect(withSystem(db.kysely, (tx) => sql`delete from api_tokens`.execute(tx))).rejects.toThrow(
      /permission denied/,
    );
  });

  it('system paths work across tenants under RLS: orphaned imports of every tenant fail, tokens are found and revoked', async () => {
    const stale = new Date(Date.now() - 3600_000);
    const jobs: Record<string, string> = {};
    for (const t of [a, b]) {
      await withTenant(db.kysely, t.tenantId, async (tx) => {
        await plantingFixtures(tx);
        const old = await sql<{ job_id: string }>`insert into ingest_jobs (tenant_id, tipo, arquivo, status, updated_at)
          values (${t.tenantId}, 'csv', 'parado.csv', 'processando', ${stale}) returning job_id`.execute(tx);
        jobs[t.tenantId] = old.rows[0].job_id;
        await sql`insert into ingest_jobs (tenant_id, tipo, arquivo, status) values (${t.tenantId}, 'csv', 'vivo.csv', 'processando')`.execute(
          tx,
        );
      });
    }
    expect(await failOrphanedJobs(db.kysely, new Date(Date.now() - 60_000))).toBe(2);
    const states = await asOwner(db.kysely, (tx) =>
      sql<{
        arquivo: string;
        status: string;
      }>`select arquivo, status from ingest_jobs where arquivo in ('parado.csv', 'vivo.csv') order by arquivo, status`.execute(
        tx,
      ),
    );
    expect(states.rows).toEqual([
      { arquivo: 'parado.csv', status: 'falhou' },
      { arquivo: 'parado.csv', status: 'falhou' },
      { arquivo: 'vivo.csv', status: 'processando' },
      { arquivo: 'vivo.csv', status: 'processando' },
    ]);

    const made = await createToken(db.kysely, 'rls-b', { scopes: ['read'] });
    expect((await verifyToken(db.kysely, made.token))?.tenant.tenant_id).toBe(b.tenantId);
    expect(await revokeToken(db.kysely, made.token.slice(0, 12))).toBe(1);
    expect(await verifyToken(db.kysely, made.token)).toBeNull();
  });

  it('a session whose role was reset by mistake is back to the app role inside withTenant', async () => {
    const role = await db.kysely.transaction().execute(async (tx) => {
      await sql`set local role none`.execute(tx);
      await sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${a.tenantId}, true)`.execute(
        tx,
      );
      return (await sql<{ r: string }>`select current_user as r`.execute(tx)).rows[0].r;
    });
    expect(role).toBe(APP_ROLE);
    const inside = await withTenant(
      db.kysely,
      a.tenantId,
      async (tx) => (await sql<{ r: string }>`select current_user as r`.execute(tx)).rows[0].r,
    );
    expect(inside).toBe(APP_ROLE);
  });
});
