import { plantingFixtures } from '../helpers/transition-guard.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { withTenant } from '../../src/db/tenant.js';
import { insertLead } from '../helpers/fixtures.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';

describe(`handle_reply (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  const setup = async () => {
    const deps = await makeDeps(db, { tenantSlug: `r-${Math.random().toString(36).slice(2, 8)}` });
    const leadId = await insertLead(db.kysely, deps.tenant.tenant_id, {
      nome: 'Loja BH',
      contato: 'Rita',
      documento: '11222333000181',
      status: 'contatado',
      phones: [{ e164: '+5531987654321' }],
      emails: [{ email: 'rita@lojabh.com.br' }],
    });
    return { deps, leadId, client: await connectClient(deps) };
  };
  const reply = (from: string, text: string, id: string, channel = 'whatsapp') => ({
    name: 'handle_reply',
    arguments: { channel, from, text, received_at: '2026-11-24T14:00:00-03:00', message_id: id },
  });

  it('an opt-out from the old 8-digit WhatsApp id suppresses the person on every channel, once', async () => {
    const { deps, leadId, client } = await setup();
    const res = await client.callTool(reply('553187654321@s.whatsapp.net', 'SAIR 🙏', 'wamid.1'));
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent).toMatchObject({
      lead_id: leadId,
      class: 'opt_out',
      lead_status: 'opt_out',
      suppressed: true,
      duplicate: false,
    });
    const supp = await withTenant(db.kysely, deps.tenant.tenant_id, (tx) =>
      tx
        .selectFrom('supressoes')
        .select(['tipo', 'valor'])
        .where('tenant_id', '=', deps.tenant.tenant_id)
        .orderBy('tipo')
        .execute(),
    );
    expect(supp).toEqual([
      { tipo: 'documento', valor: '11222333000181' },
      { tipo: 'email', valor: 'rita@lojabh.com.br' },
      { tipo: 'telefone', valor: '+5531987654321' },
    ]);
    const again = await client.callTool(reply('553187654321@s.whatsapp.net', 'SAIR 🙏', 'wamid.1'));
    expect(again.structuredContent).toMatchObject({ duplicate: true, class: 'opt_out', lead_id: leadId });
    const stored = await withTenant(db.kysely, deps.tenant.tenant_id, (tx) =>
      tx
        .selectFrom('mensagens_recebidas')
        .select('mensagem_id')
        .where('tenant_id', '=', deps.tenant.tenant_id)
        .execute(),
    );
    expect(stored).toHaveLength(1);
    // Its events: replied, opted out (one per suppressed value), the lead's move — and nothing for the duplicate.
    const evs = (await client.callTool({ name: 'list_events', arguments: {} })).structuredContent as any;
    const mine = evs.events.filter((e: any) => e.subject === leadId);
    expect(mine.map((e: any) => e.type.replace('br.com.alquimista.', '')).sort()).toEqual([
      'lead.opted_out',
      'lead.opted_out',
      'lead.opted_out',
      'lead.replied',
      'lead.status_changed',
    ]);
    expect(mine.find((e: any) => e.type.endsWith('.replied')).data).toMatchObject({
      classe: 'opt_out',
      mensagem_id: stored[0].mensagem_id,
    });
    expect(JSON.stringify(mine)).not.toMatch(/SAIR|rita@|87654321|11222333000181/);
    await client.closeAll();
  });

  it('interest moves the lead to respondeu and suggests scheduling', async () => {
    const { leadId, client } = await setup();
    const res = (
      await client.callTool(
        reply('rita@lojabh.com.br', 'Boa tarde, tenho interesse sim, podemos conversar?', 'm-2', 'email'),
      )
    ).structuredContent as any;
    expect(res).toMatchObject({ lead_id: leadId, class: 'interesse', lead_status: 'respondeu', suppressed: false });
    expect(res.suggested_action.length).toBeGreaterThan(5);
    await client.closeAll();
  });

  it('an unknown sender is recorded, and an opt-out from it is still honoured', async () => {
    const { deps, client } = await setup();
    const res = (await client.callTool(reply('+55 21 99999-1234', 'não quero receber mais mensagens', 'm-3')))
      .structuredContent as any;
    expect(res).toMatchObject({ lead_id: null, class: 'opt_out', suppressed: true });
    const supp = await withTenant(db.kysely, deps.tenant.tenant_id, (tx) =>
      tx.selectFrom('supressoes').select(['tipo', 'valor']).where('tenant_id', '=', deps.tenant.tenant_id).execute(),
    );
    expect(supp).toEqual([{ tipo: 'telefone', valor: '+5521999991234' }]);
    await client.closeAll();
  });

  it("a confirmation confirms the lead's next agendado meeting, and the lead with it", async () => {
    const { deps, leadId, client } = await setup();
    const t = deps.tenant.tenant_id;
    const [past, next, later] = await withTenant(db.kysely, t, async (tx) => {
      await plantingFixtures(tx);
      await tx.updateTable('leads').set({ status: 'agendado' }).where('lead_id', '=', leadId).execute();
      const ins = (inicio: string) =>
        tx
          .insertInto('agendamentos')
          .values({
            tenant_id: t,
            lead_id: leadId,
            inicio: new Date(inicio),
            fim: new Date(Date.parse(inicio) + 30 * 60_000),
            timezone: 'America/Sao_Paulo',
            titulo: 'Reunião',
            status: 'agendado',
          })
          .returning('agendamento_id')
          .executeTakeFirstOrThrow();
      return [await ins('2026-11-20T13:00:00Z'), await ins('2026-11-26T13:00:00Z'), await ins('2026-12-03T13:00:00Z')];
    });
    const res = (await client.callTool(reply('+55 31 98765-4321', 'Confirmado, estarei lá!', 'wamid.c1')))
      .structuredContent as any;
    expect(res).toMatchObject({
      class: 'confirmacao',
      lead_id: leadId,
      lead_status: 'confirmado',
      confirmed_agendamento_id: next.agendamento_id,
    });
    expect(res.suggested_action).toContain(next.agendamento_id);
    const statuses = await withTenant(db.kysely, t, (tx) =>
      tx
        .selectFrom('agendamentos')
        .select(['agendamento_id', 'status'])
        .where('lead_id', '=', leadId)
        .orderBy('inicio')
        .execute(),
    );
    expect(statuses.map((x) => x.status)).toEqual(['agendado', 'confirmado', 'agendado']);
    expect(statuses.map((x) => x.agendamento_id)).toEqual([
      past.agendamento_id,
      next.agendamento_id,
      later.agendamento_id,
    ]);
    // The next confirmation confirms the following meeting; with none left, it only records the reply.
    const again = (await client.callTool(reply('+55 31 98765-4321', 'ok, confirmado', 'wamid.c2')))
      .structuredContent as any;
    expect(again).toMatchObject({ class: 'confirmacao', confirmed_agendamento_id: later.agendamento_id });
    const none = (await client.callTool(reply('+55 31 98765-4321', 'confirmado', 'wamid.c3'))).structuredContent as any;
    expect(none).toMatchObject({ class: 'confirmacao', confirmed_agendamento_id: null, lead_status: 'confirmado' });
    await client.closeAll();
  });
});
