import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { meetingsEnv, type MeetingsEnv } from '../helpers/meetings-setup.js';
import { textOf } from '../helpers/server.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * A send whose first outcome was unknown (the WhatsApp server records the message, then dies before
 * answering) and whose later attempts all fail transiently (the restarted server answers 503) may have
 * reached the person: it must end 'incerto', never 'falhou' (which says it did not leave and invites a
 * re-send). Real sandbox processes: SANDBOX_FAIL_FIRST=2 and SANDBOX_CRASH_AFTER=0, counters per process.
 *   process 1: attempt 1 → 503, 2 → 503, 3 → recorded + crash (unknown)
 *   process 2: attempt 4 → 503, 5 → 503 (max_tentativas 5)
 */
describe(`a send that may have been delivered never ends 'falhou' (${testDbKind()})`, () => {
  let db: TestDb;
  let e: MeetingsEnv;
  beforeAll(async () => {
    db = await openTestDb();
    e = await meetingsEnv(db, {
      now: '2026-11-24T13:00:00Z',
      whatsappEnv: { SANDBOX_FAIL_FIRST: '2', SANDBOX_CRASH_AFTER: '0' },
    });
  });
  afterAll(async () => {
    await e?.close();
    await db?.destroy();
  });

  it('unknown, then transient failures to the last attempt → incerto, sent once', { timeout: 90_000 }, async () => {
    const lead = await e.lead({ nome: 'Loja Incerta', phone: '+5592998887002', timezone: 'America/Manaus' });
    const res = await e.client.callTool({
      name: 'schedule_meeting',
      arguments: { lead_id: lead, start: '2026-11-24T15:30', send_confirmation: true },
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    const disparoId = (res.structuredContent as any).confirmation.disparo_id as string;
    const row = async () =>
      (
        await asOwner(db.kysely, (tx) =>
          sql<{
            status: string;
            tentativas: number;
            erro_classe: string | null;
            talvez_entregue: boolean;
            motivo: string;
          }>`
      select status, tentativas, erro_classe, talvez_entregue, motivo from disparos where disparo_id = ${disparoId}`.execute(
            tx,
          ),
        )
      ).rows[0];
    const seen: string[] = [];
    for (let i = 0; i < 10 && ['pendente', 'adiado'].includes((await row()).status); i++) {
      await e.drain();
      const r = await row();
      seen.push(`${r.tentativas}:${r.status}:${r.erro_classe}`);
      // Retries are due at wall-clock time plus backoff; the test's clock stands still: make it due now.
      await asOwner(db.kysely, (tx) =>
        sql`update disparos set proxima_tentativa_em = ${'2026-11-24T12:00:00Z'} where disparo_id = ${disparoId}`.execute(
          tx,
        ),
      );
    }
    expect(seen).toEqual([
      '1:pendente:transitorio',
      '2:pendente:transitorio',
      '3:pendente:desconhecido',
      '4:pendente:transitorio',
      '5:incerto:transitorio',
    ]);
    const last = await row();
    expect(last).toMatchObject({ status: 'incerto', talvez_entregue: true });
    expect(last.motivo).toMatch(/pode ter sido entregue; verifique antes de reenviar/);
    expect(e.record('whatsapp')).toHaveLength(1); // the message the crashed process recorded: delivered once
  });
});
