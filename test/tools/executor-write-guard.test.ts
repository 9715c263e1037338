import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import { Executor } from '../../src/core/dispatch/executor.js';
import { silentLogger } from '../../src/core/ports.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { meetingsEnv, type MeetingsEnv } from '../helpers/meetings-setup.js';
import { textOf } from '../helpers/server.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * The executor's write guard (on PGlite: the disk's free space, db/disk-space.ts; main.ts wires it).
 * While the guard refuses, the executor claims nothing, so nothing is sent: sending stops together with
 * the tools that write. Once it passes, the same rows go out, once.
 */
describe(`the executor stops sending while the database cannot take writes (${testDbKind()})`, () => {
  let db: TestDb;
  let e: MeetingsEnv;
  beforeAll(async () => {
    db = await openTestDb();
    e = await meetingsEnv(db, { now: '2026-11-24T13:00:00Z' });
  });
  afterAll(async () => {
    await e?.close();
    await db?.destroy();
  });

  it('claims and sends nothing while the guard refuses, then sends each row once', { timeout: 60_000 }, async () => {
    // A meeting with its confirmation: a message in the outbox, for the executor to send.
    const lead = await e.lead({ nome: 'Padaria Guarda', phone: '+5592998887001', timezone: 'America/Manaus' });
    const res = await e.client.callTool({
      name: 'schedule_meeting',
      arguments: { lead_id: lead, start: '2026-11-24T15:30', send_confirmation: true },
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect((res.structuredContent as any).confirmation).toMatchObject({ status: 'enfileirado', channel: 'whatsapp' });
    let full = true;
    const guarded = new Executor({
      db: db.kysely,
      channel: e.channels,
      clock: e.clock,
      logger: silentLogger,
      workerId: 'guarded',
      idleMs: 20,
      writeGuard: async () => {
        if (full) throw new AppError('unavailable', 'No space left for the database (disco cheio)');
      },
    });
    const statuses = async () =>
      (
        await asOwner(db.kysely, (tx) =>
          sql<{ status: string }>`select status from disparos where lead_id = ${lead}`.execute(tx),
        )
      ).rows.map((r) => r.status);

    await expect(guarded.tick()).rejects.toThrow(/disco cheio/);
    guarded.start(); // the loop keeps trying, and keeps refusing
    await new Promise((r) => setTimeout(r, 300));
    await guarded.stop();
    expect(e.record('whatsapp')).toEqual([]);
    expect(await statuses()).toEqual(['pendente']);

    full = false;
    for (let i = 0; i < 5 && (await guarded.tick()); i++) await guarded.stop();
    await guarded.stop();
    expect(await statuses()).toEqual(['enviado']);
    const sent = e.record('whatsapp');
    expect(sent).toHaveLength(1);
    expect(sent[0].args).toMatchObject({ to: '+5592998887001' });
  });
});
