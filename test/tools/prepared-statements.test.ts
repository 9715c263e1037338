import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideChannel } from '../../src/core/outreach/decide-channel.js';
import { savePolicy } from '../../src/core/outreach/policy.js';
import { openDb, type Db } from '../../src/db/connect.js';
import { prepared, PREPARE_MARK, statementName } from '../../src/db/prepared.js';
import { withTenant } from '../../src/db/tenant.js';
import { createScope } from '../../src/scope.js';
import type { Scope } from '../../src/core/scope.js';
import type { ChannelStatus } from '../../src/deps.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { fixedClock, makeDeps } from '../helpers/server.js';

// Tuesday 24 Nov 2026, 10:00 in São Paulo: inside the default send window.
const clock = fixedClock('2026-11-24T13:00:00Z');
const DAY = { inicio: '08:00', fim: '20:00' };
const WHATSAPP: ChannelStatus[] = [
  { channel: 'whatsapp', server: 'x', preset: null, transport: 'stdio', state: 'configured', detail: null },
];
/** Every weekday but Tuesday. */
const NO_TUESDAY = { dias: [null, DAY, null, DAY, DAY, DAY, null] };

/** The statements PostgreSQL holds prepared on a connection (as the app role may read them). */
async function preparedOn(db: Db, tenantId: string) {
  return withTenant(
    db.kysely,
    tenantId,
    async (tx) =>
      (
        await sql<{ name: string; statement: string; calls: number }>`
          select name, statement, generic_plans + custom_plans as calls from pg_prepared_statements`.execute(tx)
      ).rows,
  );
}

/**
 * The hot statements run as named prepared statements on PostgreSQL (src/db/prepared.ts). A plan
 * PostgreSQL keeps must not carry one call's tenant, policy or template into the next: one connection (a
 * pool of one) decides for two tenants in turn, past the five custom plans after which PostgreSQL may
 * switch to a generic plan.
 */
describe(`prepared statements keep every call's own tenant and policy (${testDbKind()})`, () => {
  let db: TestDb;
  let one: Db;
  const tenants: Array<{ id: string; leadId: string; scope: Scope }> = [];

  beforeAll(async () => {
    db = await openTestDb();
    if (db.kind === 'postgres') {
      one = await openDb({ databaseUrl: db.url!, poolSize: 1 });
      await one.useAppRole();
    } else one = db;
    for (const slug of ['prep-a', 'prep-b']) {
      const deps = await makeDeps(one, { tenantSlug: slug, clock, channels: () => WHATSAPP });
      const leadId = await insertLead(one.kysely, deps.tenant.tenant_id, {
        nome: `Empresa ${slug}`,
        documento: '11222333000181',
        phones: [{ e164: '+5511987654321' }],
      });
      tenants.push({ id: deps.tenant.tenant_id, leadId, scope: createScope(deps) });
    }
    // Tenant B sends on no Tuesday, and signs as someone else.
    await withTenant(one.kysely, tenants[1].id, (tx) =>
      savePolicy(tx, tenants[1].id, { janela: NO_TUESDAY, remetente: 'Cobranças B' }),
    );
  });
  afterAll(async () => {
    if (one !== db) await one.close();
    await db.destroy();
  });

  it('decides for two tenants in turn on one connection, each with its own leads and policy', async () => {
    const [a, b] = tenants;
    for (let i = 0; i < 8; i++) {
      const da = (await decideChannel(a.scope, { lead_ids: [a.leadId, b.leadId] })).decisions;
      expect(da.map((d) => d.lead_id)).toEqual([a.leadId]);
      expect(da[0]).toMatchObject({ channel: 'whatsapp', would_send_now: true, block_code: null });
      const dbs = (await decideChannel(b.scope, { lead_ids: [a.leadId, b.leadId] })).decisions;
      expect(dbs.map((d) => d.lead_id)).toEqual([b.leadId]);
      expect(dbs[0]).toMatchObject({ channel: 'whatsapp', would_send_now: false, block_code: 'fora_da_janela' });
      const one_b = (await decideChannel(b.scope, { lead_id: b.leadId })).decisions[0];
      expect(one_b.message).toContain('Cobranças B');
    }
  });

  it('prepares marked statements once per connection (PostgreSQL: not with prepare: false)', async () => {
    const rows = await withTenant(
      one.kysely,
      tenants[0].id,
      async (tx) => (await prepared(sql<{ x: number }>`select ${41}::int + 1 as x`).execute(tx)).rows,
    );
    expect(rows).toEqual([{ x: 42 }]);
    // PGlite: SQL-level `prepare s_… as <text>` (db/pglite-dialect.ts); PostgreSQL: the protocol's Parse.
    const stmts = (await preparedOn(one, tenants[0].id)).map((s) => ({
      ...s,
      statement: s.statement.replace(/^prepare \S+ as /, ''),
    }));
    // The 24 decisions: each reads its leads' facts with the tenant's context in one statement
    // (core/outreach/decide-targeted.ts); a tenant's first reads the context alone before (nothing cached).
    const facts = stmts.find((s) => /^\S+\s+(\/\*final\*\/\s+)?select to_json\(c\) as contexto/.test(s.statement));
    const context = stmts.find((s) => /^\S+\s+select x\.versao/.test(s.statement));
    for (const s of [facts, context]) expect(s?.name).toBe(statementName(s!.statement));
    expect(facts!.calls).toBeGreaterThanOrEqual(24);
    expect(context!.calls).toBeGreaterThanOrEqual(2);
    expect(context!.calls).toBeLessThan(facts!.calls);
    expect(stmts.every((s) => s.statement.startsWith(PREPARE_MARK))).toBe(true);
    if (one.kind === 'pglite') return;

    const plain = await openDb({ databaseUrl: db.url!, poolSize: 1, prepare: false });
    try {
      await plain.useAppRole();
      const scope = createScope(
        await makeDeps(plain, { tenant: tenants[0].scope.tenant, clock, channels: () => WHATSAPP }),
      );
      expect((await decideChannel(scope, { lead_id: tenants[0].leadId })).decisions).toHaveLength(1);
      expect(await preparedOn(plain, tenants[0].id)).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});

/**
 * kysely's `begin` travels with the transaction's first statement when that has no parameters
 * (src/db/deferred-begin.ts). Whatever the first statement, it must run inside the transaction, and a
 * transaction with no statement must leave no transaction open on the connection.
 */
describe(`a transaction's begin sent with its first statement (${testDbKind()})`, () => {
  let db: TestDb;
  let one: Db;

  beforeAll(async () => {
    db = await openTestDb();
    one = db.kind === 'postgres' ? await openDb({ databaseUrl: db.url!, poolSize: 1 }) : db;
  });
  afterAll(async () => {
    if (one !== db) await one.close();
    await db.destroy();
  });

  /** A transaction-local setting made by the first statement, read back by the second. */
  const localSettingSeen = async (first: 'with parameters' | 'without parameters') =>
    one.kysely.transaction().execute(async (tx) => {
      if (first === 'with parameters') await sql`select set_config('agente.teste', ${'v'}, true)`.execute(tx);
      else await sql.raw(`select set_config('agente.teste', 'v', true)`).execute(tx);
      return (await sql<{ v: string | null }>`select current_setting('agente.teste', true) as v`.execute(tx)).rows[0].v;
    });

  it('runs a first statement with or without parameters inside the transaction', async () => {
    expect(await localSettingSeen('with parameters')).toBe('v');
    expect(await localSettingSeen('without parameters')).toBe('v');
    // Outside a transaction the setting is gone: each statement was its own transaction.
    await sql.raw(`select set_config('agente.teste', 'w', true)`).execute(one.kysely);
    const after = await sql<{ v: string | null }>`select current_setting('agente.teste', true) as v`.execute(
      one.kysely,
    );
    expect(after.rows[0].v ?? '').toBe('');
  });

  it('leaves no transaction open after one that ran nothing, committed or rolled back', async () => {
    await one.kysely.transaction().execute(async () => 1);
    await expect(
      one.kysely.transaction().execute(async () => {
        throw new Error('nothing ran');
      }),
    ).rejects.toThrow('nothing ran');
    await sql.raw(`select set_config('agente.teste', 'x', true)`).execute(one.kysely);
    const r = await sql<{ v: string | null }>`select current_setting('agente.teste', true) as v`.execute(one.kysely);
    expect(r.rows[0].v ?? '').toBe('');
    if (one.kind === 'postgres') {
      const client = await one.pool!.connect();
      try {
        expect(client.getTransactionStatus()).toBe('I');
      } finally {
        client.release();
      }
    }
  });
});
