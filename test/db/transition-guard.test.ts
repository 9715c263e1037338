import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionLeads } from '../../src/core/leads/transition.js';
import { LEAD_TRANSITIONS, leadSourcesOf } from '../../src/core/model/index.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { GUARDED } from '../helpers/transition-guard.js';

// The whole suite runs under the transition guard (test/helpers/transition-guard.ts, installed by the
// global setup): these tests show the guard is there and bites, so a green suite means every path it
// walked moved leads, disparos, meetings, campaigns and imports only as src/core/model allows.
describe(`transition guard (${testDbKind()})`, () => {
  let db: TestDb;
  let tenantId: string;
  let leadId: string;

  beforeAll(async () => {
    db = await openTestDb();
    tenantId = (await ensureTenant(db.kysely, 'guard')).tenant_id;
    leadId = await withTenant(db.kysely, tenantId, async (tx) => {
      const r = await tx
        .insertInto('leads')
        .values({
          tenant_id: tenantId,
          nome: 'Guarda Ltda',
          nome_chave: 'guarda ltda',
          origem: '[]',
          dados_extras: '{}',
        })
        .returning('lead_id')
        .executeTakeFirstOrThrow();
      return r.lead_id;
    });
  });
  afterAll(async () => db?.destroy());

  it('guards every stateful table', async () => {
    const { rows } = await sql<{ tabela: string }>`
      select distinct event_object_table as tabela from information_schema.triggers
      where trigger_name = 'test_guard_status'`.execute(db.kysely);
    expect(rows.map((r) => r.tabela).sort()).toEqual(GUARDED.map((g) => g.table).sort());
  });

  it('refuses a lead move that is not in LEAD_TRANSITIONS, even by raw SQL', async () => {
    expect(LEAD_TRANSITIONS.novo).not.toContain('confirmado');
    await expect(
      withTenant(db.kysely, tenantId, (tx) =>
        sql`update leads set status = 'confirmado' where lead_id = ${leadId}`.execute(tx),
      ),
    ).rejects.toThrow(/illegal leads transition novo -> confirmado/);
  });

  it('refuses a legal lead move that has no audit row (checked at commit)', async () => {
    await expect(
      withTenant(db.kysely, tenantId, (tx) =>
        sql`update leads set status = 'perdido' where lead_id = ${leadId}`.execute(tx),
      ),
    ).rejects.toThrow(/without its lead_eventos row/);
  });

  it('lets transitionLeads move along the table, with its audit row', async () => {
    const moved = await withTenant(db.kysely, tenantId, (tx) =>
      transitionLeads(tx, tenantId, [leadId], 'perdido', { reason: 'teste', actor: 'test' }),
    );
    expect(moved).toEqual([{ lead_id: leadId, from: 'novo' }]);
  });

  it('transitionLeads refuses to be asked for a move the table forbids', async () => {
    expect(leadSourcesOf('confirmado')).not.toContain('novo');
    await expect(
      withTenant(db.kysely, tenantId, (tx) =>
        transitionLeads(tx, tenantId, [leadId], 'confirmado', { reason: 'x', actor: 'test', from: ['novo'] }),
      ),
    ).rejects.toThrow(/novo → confirmado is not in LEAD_TRANSITIONS/);
  });

  it('refuses a disparo inserted in a final status', async () => {
    await expect(
      withTenant(db.kysely, tenantId, (tx) =>
        tx
          .insertInto('disparos')
          .values({
            tenant_id: tenantId,
            lead_id: leadId,
            canal: 'email',
            destino: 'a@b.com.br',
            template: 't',
            variaveis: '{}',
            idempotency_key: 'guard-1',
            status: 'enviado',
          })
          .execute(),
      ),
    ).rejects.toThrow(/illegal disparos insert in status enviado/);
  });
});
