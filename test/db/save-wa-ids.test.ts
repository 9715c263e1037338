import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveWaIds } from '../../src/core/dispatch/sql/save-wa-ids.js';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { seedCampaign } from '../helpers/dispatch-setup.js';
import { asOwner } from '../helpers/tenant-seed.js';

// The WhatsApp id a send reported is kept on its phone only when it adds a form to match replies on.
describe(`save WhatsApp ids (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  it("keeps an id other than the phone's own digits, and rewrites nothing that is already there", async () => {
    const { campaignId, tenantId } = await seedCampaign(db, 2, null);
    const rows = await asOwner(db.kysely, async (tx) => {
      const { rows } = await sql<{ disparo_id: string; lead_id: string; destino: string }>`
        select disparo_id, lead_id, destino from disparos where campanha_id = ${campaignId} order by destino`.execute(
        tx,
      );
      // The second phone: Belo Horizonte, whose old accounts answer by the 8-digit id.
      await sql`update lead_telefones set numero_e164 = '+5531987654321' where lead_id = ${rows[1].lead_id}`.execute(
        tx,
      );
      await sql`update disparos set destino = '+5531987654321' where disparo_id = ${rows[1].disparo_id}`.execute(tx);
      return rows;
    });
    const phones = () =>
      asOwner(db.kysely, (tx) =>
        sql<{ lead_id: string; wa_id: string | null; xmin: string }>`
          select lead_id, wa_id, xmin::text from lead_telefones where tenant_id = ${tenantId} order by numero_e164`.execute(
          tx,
        ),
      ).then((r) => r.rows);
    const save = () =>
      withTenant(db.kysely, tenantId, (tx) =>
        saveWaIds(
          tx,
          tenantId,
          [
            { disparo_id: rows[0].disparo_id, wa_id: rows[0].destino.slice(1) },
            { disparo_id: rows[1].disparo_id, wa_id: '553187654321' },
          ],
          new Date(),
        ),
      );
    const before = await phones();
    await save();
    const after = await phones();
    // São Paulo's id is its number: nothing written. Belo Horizonte's 8-digit id is kept.
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toMatchObject({ lead_id: rows[1].lead_id, wa_id: '553187654321' });
    expect(after[1].xmin).not.toBe(before[1].xmin);
    // Reported again: both phones untouched.
    await save();
    expect(await phones()).toEqual(after);
  });
});
