import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';

describe(`pasted replies and list_replies (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  it('pasted replies get server-made ids (a second paste is the same message), a future received_at is refused, and list_replies shows what needs a person', async () => {
    const deps = await makeDeps(db, { tenantSlug: `lr-${Math.random().toString(36).slice(2, 8)}` });
    const t = deps.tenant.tenant_id;
    const solo = await insertLead(db.kysely, t, {
      nome: 'Solo',
      status: 'contatado',
      phones: [{ e164: '+5531987651111' }],
    });
    const a = await insertLead(db.kysely, t, {
      nome: 'A',
      status: 'contatado',
      emails: [{ email: 'socios@shared.com.br' }],
    });
    const b = await insertLead(db.kysely, t, {
      nome: 'B',
      status: 'contatado',
      emails: [{ email: 'socios@shared.com.br' }],
    });
    const client = await connectClient(deps);
    const call = async (args: Record<string, unknown>) => {
      const r = await client.callTool({ name: 'handle_reply', arguments: args });
      return { r, d: r.structuredContent as Record<string, any> };
    };
    const q1 = await call({ channel: 'whatsapp', from: '+55 31 98765-1111', text: 'Qual é o valor da parcela?' });
    expect(q1.r.isError, textOf(q1.r)).toBeFalsy();
    expect(q1.d).toMatchObject({ lead_id: solo, class: 'pergunta', attribution: 'destino', duplicate: false });
    const again = await call({ channel: 'whatsapp', from: '5531987651111', text: 'qual é o valor da parcela' });
    expect(again.d).toMatchObject({ inbound_message_id: q1.d.inbound_message_id, duplicate: true });

    const future = await call({
      channel: 'whatsapp',
      from: '5531987651111',
      text: 'oi',
      received_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.r.isError).toBe(true);
    expect(textOf(future.r)).toMatch(/future/);

    const shared = await call({ channel: 'email', from: 'Sócios <socios@shared.com.br>', text: 'Confirmado, até lá' });
    expect(shared.d).toMatchObject({ attribution: 'ambigua', confirmed_agendamento_id: null });
    expect([a, b]).toContain(shared.d.lead_id);
    expect(shared.d.lead_status).toBe('contatado'); // nothing moved on a guess

    const list = await client.callTool({ name: 'list_replies', arguments: {} });
    const replies = (list.structuredContent as { replies: Array<Record<string, string>> }).replies;
    expect(replies.map((r) => [r.class, r.attribution])).toEqual([
      ['confirmacao', 'ambigua'],
      ['pergunta', 'destino'],
    ]);
    const opt = await call({ channel: 'whatsapp', from: '5531987651111', text: 'SAIR' });
    expect(opt.d).toMatchObject({ class: 'opt_out', lead_status: 'opt_out' });
    const optOuts = await client.callTool({ name: 'list_replies', arguments: { filter: 'opt_outs' } });
    expect((optOuts.structuredContent as { replies: unknown[] }).replies).toHaveLength(1);
    await client.closeAll();
  });
});
