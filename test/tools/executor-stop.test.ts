import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../src/core/dispatch/executor.js';
import type { SendOutcome, SendPayload } from '../../src/core/outreach/channel-port.js';
import { silentLogger, systemClock } from '../../src/core/ports.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { seedCampaign } from '../helpers/dispatch-setup.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * Executor.shutdown(deadline) — the graceful stop of a worker (issue 21): it claims nothing more, rows it
 * claimed but whose call had not started go back to the queue as they were (lease released, attempt
 * not counted), calls already made finish and are recorded; past the deadline they are cancelled and
 * recorded as unknown outcomes. A downstream that stalls each call makes the calls be in flight.
 */

/** A downstream that takes `stallMs` per call (cancellable through the call's signal), recording each call. */
function stallingChannel(stallMs: number) {
  const calls: string[] = [];
  let inFlight = 0;
  return {
    calls,
    inFlight: () => inFlight,
    isIdempotent: () => true,
    async send(_canal: 'whatsapp' | 'email', p: SendPayload, o: { signal?: AbortSignal }): Promise<SendOutcome> {
      calls.push(p.idempotencyKey);
      inFlight++;
      try {
        const cancelled = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), stallMs);
          o.signal?.addEventListener('abort', () => (clearTimeout(t), resolve(true)), { once: true });
        });
        if (cancelled) return { ok: false, errorClass: 'desconhecido', error: 'cancelled: no answer', raw: null };
        return { ok: true, messageId: `m-${p.idempotencyKey}`, raw: null };
      } finally {
        inFlight--;
      }
    },
  };
}

async function rows(db: TestDb, campaignId: string) {
  const { rows } = await asOwner(db.kysely, (tx) =>
    sql<{
      idempotency_key: string;
      status: string;
      tentativas: number;
      claimed_by: string | null;
      talvez_entregue: boolean;
    }>`select idempotency_key, status, tentativas, claimed_by, talvez_entregue from disparos
       where campanha_id = ${campaignId}`.execute(tx),
  );
  return rows;
}

async function until(check: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe(`executor: graceful stop (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const executor = (channel: ReturnType<typeof stallingChannel>, workerId: string) =>
    new Executor({
      db: db.kysely,
      channel,
      clock: systemClock,
      logger: silentLogger,
      workerId,
      batchSize: 20,
      concurrency: 5,
      idleMs: 20,
    });

  it('in-flight calls finish and are recorded; claimed rows not started go back unsent, attempt not counted', async () => {
    const { campaignId } = await seedCampaign(db, 40, null);
    const channel = stallingChannel(400);
    const ex = executor(channel, 'stop-test:1');
    ex.start();
    await until(() => channel.inFlight() >= 5);
    const { drained } = await ex.shutdown(10_000);
    expect(drained).toBe(true);
    expect(channel.inFlight()).toBe(0);
    const after = await rows(db, campaignId);
    expect(after).toHaveLength(40);
    const sent = after.filter((r) => r.status === 'enviado');
    // Exactly the rows whose call was made were recorded sent, each once.
    expect(sent.map((r) => r.idempotency_key).sort()).toEqual([...channel.calls].sort());
    expect(new Set(channel.calls).size).toBe(channel.calls.length);
    expect(sent.length).toBeGreaterThanOrEqual(5);
    expect(sent.length).toBeLessThan(40);
    // Nothing left leased; the rest is queued again as it was before the claim.
    expect(after.filter((r) => r.status === 'em_execucao' || r.claimed_by)).toEqual([]);
    for (const r of after.filter((r) => r.status !== 'enviado'))
      expect(r).toMatchObject({ status: 'pendente', tentativas: 0, talvez_entregue: false });

    // Another executor sends the rest: every row once.
    const next = stallingChannel(5);
    const ex2 = executor(next, 'stop-test:2');
    ex2.start();
    await until(() => next.calls.length === 40 - sent.length);
    await ex2.stop();
    const final = await rows(db, campaignId);
    expect(final.filter((r) => r.status === 'enviado')).toHaveLength(40);
    expect(new Set([...channel.calls, ...next.calls]).size).toBe(40);
  });

  it('past the deadline, calls still in flight are cancelled and recorded as unknown (retried by key), none left leased', async () => {
    const { campaignId } = await seedCampaign(db, 10, null);
    const channel = stallingChannel(120_000);
    const ex = executor(channel, 'stop-test:3');
    ex.start();
    await until(() => channel.inFlight() >= 5);
    const t0 = performance.now();
    const { drained } = await ex.shutdown(300);
    expect(drained).toBe(true);
    expect(performance.now() - t0).toBeLessThan(10_000);
    const after = await rows(db, campaignId);
    expect(after.filter((r) => r.status === 'em_execucao' || r.claimed_by)).toEqual([]);
    const called = new Set(channel.calls);
    for (const r of after) {
      if (called.has(r.idempotency_key))
        expect(r).toMatchObject({ status: 'pendente', tentativas: 1, talvez_entregue: true });
      else expect(r).toMatchObject({ status: 'pendente', tentativas: 0, talvez_entregue: false });
    }
  });
});
