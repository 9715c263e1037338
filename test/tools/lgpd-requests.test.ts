import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, fixedClock, makeDeps, textOf } from '../helpers/server.js';

/** lgpd_request's bookkeeping (LGPD arts. 18, 19): due dates, overdue, closing, and the refusals that guard erase. */
describe(`lgpd_request: requests and their due dates (${testDbKind()})`, () => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof connectClient>>;
  let tenantId: string;
  const NOW = '2026-12-03T12:00:00Z';
  beforeAll(async () => {
    db = await openTestDb();
    const deps = await makeDeps(db, {
      tenantSlug: `lgpdr-${Math.random().toString(36).slice(2, 8)}`,
      clock: fixedClock(NOW),
    });
    tenantId = deps.tenant.tenant_id;
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });
  const call = (args: Record<string, unknown>) => client.callTool({ name: 'lgpd_request', arguments: args });
  const ok = async (args: Record<string, unknown>) => {
    const r = await call(args);
    expect(r.isError, textOf(r)).toBeFalsy();
    return r.structuredContent as any;
  };

  it('due 15 days after receipt; overdue once past it; open ones first; complete and refuse close them once', async () => {
    const late = (
      await ok({ action: 'open', type: 'access', phone: '(11) 98765-0001', received_at: '2026-11-10T09:00:00-03:00' })
    ).requests[0];
    expect(late).toMatchObject({
      status: 'open',
      due_at: '2026-11-25T12:00:00.000Z',
      overdue: true,
      completed_at: null,
    });
    const fresh = (await ok({ action: 'open', type: 'objection', email: 'Pessoa@Exemplo.com.br' })).requests[0];
    expect(fresh).toMatchObject({
      received_at: '2026-12-03T12:00:00.000Z',
      due_at: '2026-12-18T12:00:00.000Z',
      overdue: false,
    });

    const list = await call({ action: 'list' });
    expect(textOf(list).split('\n')[0]).toBe('2 LGPD request(s); 1 overdue.');
    for (const r of (list.structuredContent as any).requests) expect(textOf(list)).toContain(r.request_id);
    expect(
      (await ok({ action: 'list', email: 'pessoa@exemplo.com.br' })).requests.map((r: any) => r.request_id),
    ).toEqual([fresh.request_id]);

    expect(
      (await ok({ action: 'complete', request_id: late.request_id, note: 'exportação enviada' })).requests[0],
    ).toMatchObject({
      status: 'done',
      overdue: false,
      completed_at: '2026-12-03T12:00:00.000Z',
    });
    expect((await ok({ action: 'refuse', request_id: fresh.request_id })).requests[0].status).toBe('refused');
    const again = await call({ action: 'complete', request_id: late.request_id });
    expect([again.isError, textOf(again)]).toEqual([true, expect.stringContaining('already done')]);
    const stored = await withTenant(db.kysely, tenantId, (tx) =>
      tx
        .selectFrom('lgpd_solicitacoes' as never)
        .selectAll()
        .execute(),
    );
    // Stored hashed: neither the phone nor the e-mail in any form.
    expect(JSON.stringify(stored)).not.toMatch(/98765|pessoa@/i);
    expect((stored as any[]).map((r) => r.status).sort()).toEqual(['concluida', 'recusada']);
  });

  it('refuses what would be a mistake, saying what to give', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ action: 'open', email: 'a@b.com.br' }, 'open needs type'],
      [{ action: 'open', type: 'access' }, 'at least one of document'],
      [{ action: 'open', type: 'access', document: '123' }, 'not a CPF/CNPJ'],
      [
        { action: 'open', type: 'access', email: 'a@b.com.br', received_at: '2027-01-01T00:00:00Z' },
        'not in the future',
      ],
      [{ action: 'erase', email: 'a@b.com.br' }, 'needs the request_id of an open erasure request'],
    ];
    for (const [args, msg] of cases) {
      const r = await call(args);
      expect([r.isError, textOf(r)], JSON.stringify(args)).toEqual([true, expect.stringContaining(msg)]);
    }
    const access = (await ok({ action: 'open', type: 'access', email: 'a@b.com.br' })).requests[0];
    const notErasure = await call({ action: 'erase', request_id: access.request_id, email: 'a@b.com.br' });
    expect(textOf(notErasure)).toContain('is not an erasure request');
    const erasure = (await ok({ action: 'open', type: 'erasure', email: 'a@b.com.br' })).requests[0];
    const other = await call({ action: 'erase', request_id: erasure.request_id, email: 'c@d.com.br' });
    expect(textOf(other)).toContain('not those of request');
    // An erase of someone this tenant never held still completes the request and leaves the hashes.
    const done = await ok({ action: 'erase', request_id: erasure.request_id, email: 'a@b.com.br' });
    expect(done.requests[0].status).toBe('done');
    expect(done.changed.supressoes).toBe(1);
  });
});
