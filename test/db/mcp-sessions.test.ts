import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTenant, withSystem } from '../../src/db/tenant.js';
import { SessionStore, type SessionOwner } from '../../src/http/sessions.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';

/*
 * The 2025-11-25 MCP sessions in the database (migration 030, src/http/sessions.ts), shared by every
 * replica: caps per owner, per tenant and in total, each making room by closing the least recently
 * used session within it; idle expiry; another owner's session answered like a missing one. The time
 * is ours (the store takes a clock); the per-replica cache is off (cacheMs 0) unless a test is about it.
 */
const LIMITS = { maxSessions: 10, maxSessionsPerTenant: 6, maxSessionsPerToken: 3, sessionIdleMs: 60_000 };

describe(`MCP sessions in the database (${testDbKind()})`, () => {
  let db: TestDb;
  let acme: string;
  let beta: string;
  let gama: string;
  beforeAll(async () => {
    db = await openTestDb();
    acme = (await ensureTenant(db.kysely, 'sess-acme')).tenant_id;
    beta = (await ensureTenant(db.kysely, 'sess-beta')).tenant_id;
    gama = (await ensureTenant(db.kysely, 'sess-gama')).tenant_id;
  });
  afterAll(async () => db?.destroy());

  /** A store on an empty table with our clock (one second per open), and helpers. */
  const setup = async (limits = LIMITS, cacheMs = 0) => {
    await withSystem(db.kysely, (tx) => sql`delete from mcp_sessions`.execute(tx));
    const clock = { t: Date.parse('2026-08-01T12:00:00Z') };
    const store = new SessionStore(db.kysely, limits, () => new Date(clock.t), cacheMs);
    const who = (owner: string, tenantId = acme): SessionOwner => ({ owner, tenantId });
    const open = async (w: SessionOwner) => {
      clock.t += 1000;
      const id = randomUUID();
      await store.open(id, w);
      return id;
    };
    const alive = async (id: string, w: SessionOwner) => store.use(id, w);
    const count = async () =>
      withSystem(db.kysely, (tx) =>
        sql<{ n: number }>`select count(*)::int as n from mcp_sessions`.execute(tx).then((r) => r.rows[0].n),
      );
    return { store, clock, who, open, alive, count };
  };

  it("at a token's cap, a new session closes that token's least recently used one", async () => {
    const { who, open, alive, clock } = await setup();
    const t1 = who('token:t1');
    const [a, b, c] = [await open(t1), await open(t1), await open(t1)];
    clock.t += 1000;
    expect(await alive(a, t1)).toBe(true); // a used again: b is now the least recently used
    await open(t1);
    expect(await alive(b, t1)).toBe(false);
    expect(await alive(a, t1)).toBe(true);
    expect(await alive(c, t1)).toBe(true);
  });

  it('500 sessions opened by one token leave its cap open, and the server still takes a new client', async () => {
    const { who, open, alive, count } = await setup({
      ...LIMITS,
      maxSessionsPerToken: 20,
      maxSessionsPerTenant: 50,
      maxSessions: 100,
    });
    const flood = who('token:flood');
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) ids.push(await open(flood));
    expect(await count()).toBe(20);
    for (const id of ids.slice(-20)) expect(await alive(id, flood)).toBe(true);
    expect(await alive(ids[0], flood)).toBe(false);
    const other = who('token:other', beta);
    expect(await alive(await open(other), other)).toBe(true);
  });

  it("caps a tenant across its tokens, and the server in total closing anyone's least recently used", async () => {
    const { who, open, alive, count } = await setup();
    const acmeIds: Array<[string, SessionOwner]> = [];
    for (const t of ['t1', 't1', 't2', 't2', 't3', 't3'])
      acmeIds.push([await open(who(`token:${t}`)), who(`token:${t}`)]);
    const t4 = who('token:t4');
    await open(t4); // the tenant's 7th: its least recently used (t1's first) gives way
    expect(await alive(...acmeIds[0])).toBe(false);
    expect(await alive(...acmeIds[5])).toBe(true);
    const betas: Array<[string, SessionOwner]> = [];
    for (const t of ['u1', 'u1', 'u2', 'u2'])
      betas.push([await open(who(`token:${t}`, beta)), who(`token:${t}`, beta)]);
    expect(await count()).toBe(10);
    // Full: a third tenant's session takes the place of the least recently used session anywhere.
    await open(who('token:v1', gama));
    expect(await count()).toBe(10);
    expect(await alive(...acmeIds[1])).toBe(false);
    for (const s of betas) expect(await alive(...s)).toBe(true);
  });

  it('a session idle for sessionIdleMs is gone; one used in time lives on', async () => {
    const { who, open, alive, clock } = await setup();
    const t1 = who('token:t1');
    const a = await open(t1);
    const b = await open(t1);
    clock.t += LIMITS.sessionIdleMs - 2000;
    expect(await alive(b, t1)).toBe(true);
    clock.t += 1500;
    expect(await alive(a, t1)).toBe(false);
    expect(await alive(b, t1)).toBe(true);
  });

  it("another owner's session, a malformed id and a closed session are all simply not found", async () => {
    const { store, who, open, alive } = await setup();
    const t1 = who('token:t1');
    const id = await open(t1);
    expect(await alive(id, who('token:t2'))).toBe(false);
    expect(await alive(id, who('token:t1', beta))).toBe(false);
    expect(await alive('not-a-uuid', t1)).toBe(false);
    expect(await store.close(id, who('token:t2'))).toBe(false);
    expect(await alive(id, t1)).toBe(true);
    expect(await store.close(id, t1)).toBe(true);
    expect(await alive(id, t1)).toBe(false);
  });

  it('a replica that saw a session in use trusts it for cacheMs; a close elsewhere is seen after that', async () => {
    const { who, open, clock } = await setup(LIMITS, 200);
    const t1 = who('token:t1');
    const id = await open(t1);
    const replicaB = new SessionStore(db.kysely, LIMITS, () => new Date(clock.t), 200);
    expect(await replicaB.use(id, t1)).toBe(true);
    await withSystem(db.kysely, (tx) => sql`delete from mcp_sessions where session_id = ${id}`.execute(tx));
    expect(await replicaB.use(id, t1)).toBe(true); // within its cache
    await new Promise((r) => setTimeout(r, 250));
    expect(await replicaB.use(id, t1)).toBe(false);
  });

  it('a session this replica closes at a cap or at idle expiry is refused by it at once, cache or not', async () => {
    const { who, open, clock, store } = await setup(LIMITS, 60_000);
    const t1 = who('token:t1');
    const first = await open(t1);
    expect(await store.use(first, t1)).toBe(true); // cached for a minute from here
    for (let i = 0; i < LIMITS.maxSessionsPerToken; i++) await open(t1);
    expect(await store.use(first, t1)).toBe(false); // closed by the cap, not served from the cache

    const idle = await open(who('token:t2'));
    expect(await store.use(idle, who('token:t2'))).toBe(true);
    clock.t += LIMITS.sessionIdleMs + 1;
    await open(who('token:t3')); // opening sweeps the idle ones
    expect(await store.use(idle, who('token:t2'))).toBe(false);
  });
});
