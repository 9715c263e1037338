import { sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideChannel, toChannelDecision } from '../../src/core/outreach/decide-channel.js';
import { decide } from '../../src/core/outreach/decide.js';
import { dispatchLimits } from '../../src/core/dispatch/limits.js';
import { loadDecisionContext } from '../../src/core/outreach/decision-context.js';
import { renderDecision } from '../../src/core/outreach/preview.js';
import { openDb, type Db } from '../../src/db/connect.js';
import { finalRead, prepared } from '../../src/db/prepared.js';
import { withTenant } from '../../src/db/tenant.js';
import { createScope } from '../../src/scope.js';
import type { Scope } from '../../src/core/scope.js';
import type { ChannelStatus } from '../../src/deps.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { fixedClock, makeDeps } from '../helpers/server.js';

// Tuesday 24 Nov 2026, 10:00 in São Paulo: inside the default send window.
const clock = fixedClock('2026-11-24T13:00:00Z');
const WHATSAPP: ChannelStatus[] = [
  { channel: 'whatsapp', server: 'x', preset: null, transport: 'stdio', state: 'configured', detail: null },
];

/**
 * A read-only decision is two round trips to PostgreSQL (src/db/deferred-begin.ts): begin, tenant scope
 * and context in one simple-protocol message, the decision (`execute` of the prepared statement) and
 * commit in another. The folded messages must keep the transaction's meaning: scope in effect, writes
 * refused, a failure rolled back, nothing after the final statement, the connection left idle.
 */
describe(`read-only transactions in few round trips (${testDbKind()})`, () => {
  let db: TestDb;
  let one: Db;
  let trips = 0;
  let client: pg.ClientBase | undefined;
  const tenants: Array<{ id: string; leadId: string; scope: Scope }> = [];

  beforeAll(async () => {
    db = await openTestDb();
    if (db.kind === 'postgres') {
      one = await openDb({ databaseUrl: db.url!, poolSize: 1 });
      // Every answer of PostgreSQL to a message ends with one ReadyForQuery: one per round trip.
      one.pool!.on('connect', (c) => {
        client = c;
        (c as unknown as { connection: NodeJS.EventEmitter }).connection.on('readyForQuery', () => trips++);
      });
      await one.useAppRole();
    } else one = db;
    for (const slug of ['rt-a', 'rt-b']) {
      const deps = await makeDeps(one, { tenantSlug: slug, clock, channels: () => WHATSAPP });
      const leadId = await insertLead(one.kysely, deps.tenant.tenant_id, {
        nome: `Empresa ${slug}`,
        documento: slug === 'rt-a' ? '11222333000181' : '11444777000161',
        phones: [{ e164: '+5511987654321' }],
      });
      tenants.push({ id: deps.tenant.tenant_id, leadId, scope: createScope(deps) });
    }
  });
  afterAll(async () => {
    if (one !== db) await one.close();
    await db.destroy();
  });

  const idle = () => expect(client?.getTransactionStatus() ?? 'I').toBe('I');

  it('decides in one round trip once the statements are prepared and the context known, with the same decisions', async () => {
    const [a, b] = tenants;
    const first = await decideChannel(a.scope, { lead_id: a.leadId });
    expect(first.decisions[0]).toMatchObject({ lead_id: a.leadId, channel: 'whatsapp', would_send_now: true });
    for (let i = 0; i < 3; i++) {
      trips = 0;
      expect(await decideChannel(a.scope, { lead_id: a.leadId })).toEqual(first);
      if (db.kind === 'postgres' && i > 0) expect(trips).toBe(1);
      idle();
      // Another tenant on the same connection: its own lead only, a's is not found.
      expect(
        (await decideChannel(b.scope, { lead_ids: [a.leadId, b.leadId] })).decisions.map((d) => d.lead_id),
      ).toEqual([b.leadId]);
      await expect(decideChannel(b.scope, { lead_id: a.leadId })).rejects.toThrow(/not found/i);
      idle();
    }
  });

  it('sees a lead moved to another time zone in the next decision, still in one round trip', async () => {
    // 07:30 in Manaus, 08:30 in São Paulo: collection hours (from 08:00) are open in one and not the other.
    const early = createScope({
      ...(await makeDeps(one, {
        tenantSlug: 'rt-c',
        clock: fixedClock('2026-11-24T11:30:00Z'),
        channels: () => WHATSAPP,
      })),
    });
    const t = early.tenant.tenant_id;
    const leadId = await insertLead(one.kysely, t, {
      nome: 'Empresa rt-c',
      documento: '11222333000181',
      phones: [{ e164: '+5511987654321' }],
    });
    const moveTo = (tz: string) =>
      withTenant(one.kysely, t, (tx) => sql`update leads set timezone = ${tz} where lead_id = ${leadId}`.execute(tx));
    const decision = async () => (await decideChannel(early, { lead_id: leadId })).decisions[0];
    for (let i = 0; i < 3; i++)
      expect(await decision()).toMatchObject({ timezone: 'America/Sao_Paulo', would_send_now: true });
    await moveTo('America/Manaus');
    trips = 0;
    const moved = await decision();
    expect(moved).toMatchObject({
      timezone: 'America/Manaus',
      would_send_now: false,
      block_code: 'fora_do_horario_cobranca',
    });
    expect(moved.scheduled_for).toBe('2026-11-24T12:00:00.000Z');
    // The zone is read with the lead's facts (core/outreach/decide-targeted.ts): nothing guessed, one trip.
    if (db.kind === 'postgres') expect(trips).toBe(1);
    // The same as a decision made from the context read first (decide with loadDecisionContext).
    const fresh = await withTenant(one.kysely, t, async (tx) => {
      const ctx = await loadDecisionContext(tx, early, {}, [leadId]);
      return (await decide(tx, ctx, { leadIds: [leadId] }))[0];
    });
    expect(moved).toEqual(toChannelDecision(fresh!, renderDecision(fresh!, (await freshCtx(early, leadId))!)));
    trips = 0;
    expect(await decision()).toEqual(moved);
    if (db.kind === 'postgres') expect(trips).toBe(1);
    await moveTo('America/Sao_Paulo');
    expect(await decision()).toMatchObject({ timezone: 'America/Sao_Paulo', would_send_now: true });
  });

  it("reads get_status's dispatch limits of both channels in one round trip", async () => {
    const [a] = tenants;
    const read = () =>
      withTenant(one.kysely, a.id, (tx) => dispatchLimits(tx, a.id, clock.now(), { final: true }), {
        readOnly: true,
        genericPlans: true,
      });
    const first = await read();
    expect(first).toMatchObject([
      { channel: 'whatsapp', per_second: 80, sent_last_second: 0, recipients_24h: { used: 0, max: 100_000 } },
      { channel: 'email', per_second: 80, sent_last_second: 0, recipients_24h: { used: 0, max: 100_000 } },
    ]);
    for (let i = 0; i < 2; i++) {
      trips = 0;
      expect(await read()).toEqual(first);
      if (db.kind === 'postgres') expect(trips).toBe(1);
      idle();
    }
  });

  const freshCtx = (scope: Scope, leadId: string) =>
    withTenant(one.kysely, scope.tenant.tenant_id, (tx) => loadDecisionContext(tx, scope, {}, [leadId]));

  /** Tenant scope and row-level security as seen by a final statement (prepared, then folded). */
  const seenBy = (tenantId: string) =>
    withTenant(
      one.kysely,
      tenantId,
      async (tx) =>
        (
          await prepared(
            finalRead(
              sql<{ tenant: string; leads: number; ro: string }>`select current_setting('app.tenant_id') as tenant,
                (select count(*)::int from leads where nome like ${'Empresa%'}) as leads,
                current_setting('transaction_read_only') as ro`,
            ),
          ).execute(tx)
        ).rows[0],
      { readOnly: true },
    );

  it('runs the folded statements inside the tenant scope, read-only', async () => {
    for (let i = 0; i < 3; i++)
      for (const t of tenants) expect(await seenBy(t.id)).toEqual({ tenant: t.id, leads: 1, ro: 'on' });
    idle();
  });

  it('passes values to a folded statement as they are bound: quotes, backslashes, arrays, dates, null', async () => {
    const text = "d'Ávila \\ 100% \\' ✓ \n fim";
    const at = new Date('2026-11-24T13:00:00.123Z');
    const run = () =>
      withTenant(
        one.kysely,
        tenants[0].id,
        async (tx) =>
          (
            await prepared(
              finalRead(
                sql<{ t: string; n: number; ids: string[]; at: Date; nada: string | null; b: boolean }>`select
                  ${text}::text as t, ${42.5}::float8 as n, ${[tenants[0].id, "x'y"]}::text[] as ids,
                  ${at}::timestamptz as at, ${null}::text as nada, ${true}::boolean as b`,
              ),
            ).execute(tx)
          ).rows[0],
        { readOnly: true },
      );
    const want = { t: text, n: 42.5, ids: [tenants[0].id, "x'y"], at, nada: null, b: true };
    // The first run prepares the statement; the next ones send it as `execute …` with literals.
    for (let i = 0; i < 3; i++) expect(await run()).toEqual(want);
    idle();
  });

  it('refuses writes, rolls back a failing final statement, refuses a statement after it', async () => {
    const [a] = tenants;
    await expect(
      withTenant(one.kysely, a.id, (tx) => sql`update leads set nome = nome`.execute(tx), { readOnly: true }),
    ).rejects.toThrow(/read-only/);
    idle();
    const failing = () =>
      withTenant(
        one.kysely,
        a.id,
        async (tx) => {
          await prepared(sql`select ${1}::int as x`).execute(tx);
          return prepared(finalRead(sql`select 1 / ${0}::int as x`)).execute(tx);
        },
        { readOnly: true },
      );
    for (let i = 0; i < 2; i++) await expect(failing()).rejects.toThrow(/division by zero/);
    idle();
    expect(await seenBy(a.id)).toMatchObject({ tenant: a.id });
    // Prepared and not (first run), folded with the commit (later runs): nothing may follow (on PGlite too:
    // db/pglite-dialect.ts folds a read-only transaction the same way).
    for (let i = 0; i < 2; i++)
      await expect(
        withTenant(
          one.kysely,
          a.id,
          async (tx) => {
            await prepared(finalRead(sql`select ${i}::int as x`)).execute(tx);
            return sql`select 2`.execute(tx);
          },
          { readOnly: true },
        ),
      ).rejects.toThrow(/after the final statement/);
    idle();
  });
});
