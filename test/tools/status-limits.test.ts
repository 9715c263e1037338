import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRateLimit } from '../../src/core/dispatch/rate-limit.js';
import { LIMITS_MAX_AGE_MS } from '../../src/core/status/server-facts.js';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps } from '../helpers/server.js';

/**
 * get_status's dispatch limits are read once for the calls of the last LIMITS_MAX_AGE_MS of one process
 * (a status poll is not a query per call), and the answer says when they were read (dispatch.checked_at).
 * A clock that moves past the window reads again; set_outreach_policy's pace is seen at once.
 */
describe(`get_status's dispatch limits, read at most every ${LIMITS_MAX_AGE_MS} ms (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  it('answers the recent read with its checked_at, reads again when the clock moves past it or the pace changes', async () => {
    let now = Date.parse('2026-11-24T13:00:00.000Z');
    const deps = await makeDeps(db, {
      tenantSlug: `t-${Math.random().toString(36).slice(2, 10)}`,
      clock: { now: () => new Date(now) },
    });
    const other = await makeDeps(db, { tenantSlug: `t-${Math.random().toString(36).slice(2, 10)}`, clock: deps.clock });
    const client = await connectClient(deps);
    const otherClient = await connectClient(other);
    type Status = { dispatch: { checked_at: string; limits: Array<{ channel: string; per_second: number }> } };
    const status = async (c = client) =>
      (await c.callTool({ name: 'get_status', arguments: {} })).structuredContent as Status;
    const whatsapp = (s: Status) => s.dispatch.limits.find((l) => l.channel === 'whatsapp')!.per_second;
    try {
      const first = await status();
      expect(first.dispatch.checked_at).toBe('2026-11-24T13:00:00.000Z');
      expect(whatsapp(first)).toBe(80);
      // Changed behind this process's back (another replica, a worker): seen once the window has passed.
      await withTenant(db.kysely, deps.tenant.tenant_id, (tx) =>
        setRateLimit(tx, deps.tenant.tenant_id, 'whatsapp', 40),
      );
      now += LIMITS_MAX_AGE_MS - 1;
      expect(await status()).toEqual(first);
      // Another tenant's limits are its own read.
      expect((await status(otherClient)).dispatch.checked_at).toBe(new Date(now).toISOString());
      now += 1;
      const later = await status();
      expect(later.dispatch.checked_at).toBe(new Date(now).toISOString());
      expect(whatsapp(later)).toBe(40);
      // A clock that goes back (another test's clock, a corrected one) does not take an older read.
      now -= 10;
      expect((await status()).dispatch.checked_at).toBe(new Date(now).toISOString());
      // set_outreach_policy's pace: the next get_status reads it, within the window too.
      const set = await client.callTool({
        name: 'set_outreach_policy',
        arguments: { pace: { channel: 'whatsapp', per_second: 25 } },
      });
      expect(set.isError).toBeFalsy();
      expect(whatsapp(await status())).toBe(25);
    } finally {
      await client.closeAll();
      await otherClient.closeAll();
    }
  });
});
