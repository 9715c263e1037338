import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { connectClient, fixedClock, makeDeps, textOf } from '../helpers/server.js';
import { asOwner } from '../helpers/tenant-seed.js';

/**
 * generate_briefing, the lead:// resource and the briefing prompt, through a real MCP client, on a lead
 * with a real history: an import event, a WhatsApp message sent, a question answered by handle_reply,
 * an interest reply and a meeting booked.
 */
describe(`generate_briefing (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  const NOW = '2026-11-30T12:00:00Z';

  async function setup() {
    const deps = await makeDeps(db, {
      tenantSlug: `b-${Math.random().toString(36).slice(2, 8)}`,
      clock: fixedClock(NOW),
    });
    const t = deps.tenant.tenant_id;
    const leadId = await insertLead(db.kysely, t, {
      nome: 'Padaria Pão Quente Ltda',
      contato: 'Dona Marta',
      documento: '11222333000181',
      status: 'contatado',
      timezone: 'America/Manaus',
      phones: [{ e164: '+5592987654321' }, { e164: '+559233334444', valido: false }],
      emails: [{ email: 'marta@paoquente.com.br' }],
    });
    await asOwner(db.kysely, (tx) =>
      tx
        .updateTable('leads')
        .set({
          dados_extras: JSON.stringify({
            'Valor em aberto': 'R$ 1.250,00',
            Vencimento: '10/11/2026',
            Segmento: 'padaria',
          }),
        })
        .where('lead_id', '=', leadId)
        .execute(),
    );
    await asOwner(db.kysely, (tx) =>
      tx
        .insertInto('lead_eventos')
        .values({
          tenant_id: t,
          lead_id: leadId,
          tipo: 'importacao',
          status_de: null,
          status_para: 'novo',
          motivo: 'importado de leads.xlsx, linha 7',
          ator: 'ingest',
          dados: JSON.stringify({}),
          created_at: new Date('2026-11-20T10:00:00Z'),
        })
        .execute(),
    );
    await asOwner(db.kysely, (tx) =>
      tx
        .insertInto('disparos')
        .values({
          tenant_id: t,
          lead_id: leadId,
          canal: 'whatsapp',
          destino: '+5592987654321',
          template: 'cobranca_lembrete',
          variaveis: JSON.stringify({}),
          conteudo: 'Olá Dona Marta…',
          idempotency_key: `k-${randomUUID()}`,
          status: 'enviado',
          enviado_em: new Date('2026-11-24T14:00:00Z'),
        })
        .execute(),
    );
    await asOwner(db.kysely, (tx) =>
      tx
        .insertInto('disparos')
        .values({
          tenant_id: t,
          lead_id: leadId,
          canal: 'email',
          destino: 'marta@paoquente.com.br',
          template: 'cobranca_lembrete',
          variaveis: JSON.stringify({}),
          idempotency_key: `k-${randomUUID()}`,
          status: 'incerto',
          erro: 'timeout sem resposta do servidor',
        })
        .execute(),
    );
    const client = await connectClient(deps);
    return { deps, t, leadId, client };
  }

  const reply = (text: string, id: string, at: string) => ({
    name: 'handle_reply',
    arguments: { channel: 'whatsapp', from: '(92) 98765-4321', text, received_at: at, message_id: id },
  });

  it('briefs a lead: data, channels, a dated timeline, open points and an agenda built from the spreadsheet', async () => {
    const { leadId, client } = await setup();
    expect(
      (
        await client.callTool(
          reply('Posso pagar em 3 vezes? Qual o valor com desconto?', 'w1', '2026-11-24T15:00:00-04:00'),
        )
      ).isError,
    ).toBeFalsy();

    const res = await client.callTool({ name: 'generate_briefing', arguments: { lead_id: leadId } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const b = res.structuredContent as any;
    expect(b.lead).toMatchObject({
      lead_id: leadId,
      company: 'Padaria Pão Quente Ltda',
      contact: 'Dona Marta',
      document: '11.222.333/0001-81',
      document_type: 'cnpj',
      document_valid: true,
      timezone: 'America/Manaus',
      sheet_data: { 'Valor em aberto': 'R$ 1.250,00', Vencimento: '10/11/2026', Segmento: 'padaria' },
    });
    expect(b.channels.whatsapp).toBe('+5592987654321');
    expect(b.channels.email).toBe('marta@paoquente.com.br');
    expect(b.channels.phones).toEqual([
      { number: '+5592987654321', type: expect.any(String), sendable: true, invalid_reason: null },
      { number: '+559233334444', type: expect.any(String), sendable: false, invalid_reason: expect.anything() },
    ]);
    expect(b.agendamento).toBeNull();

    const kinds = b.timeline.map((i: any) => i.type);
    expect(kinds).toEqual(expect.arrayContaining(['importacao', 'disparo', 'resposta', 'transicao']));
    const times = b.timeline.map((i: any) => Date.parse(i.at));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(b.timeline.find((i: any) => i.type === 'resposta').summary).toContain('Posso pagar em 3 vezes');

    const open = b.open_points.join('\n');
    expect(open).toContain('Pergunta do lead ainda sem resposta');
    expect(open).toContain('resultado incerto');
    expect(open).toContain('1 telefone(s)');
    const agenda = b.suggested_agenda.join('\n');
    expect(agenda).toContain('Valor em aberto: R$ 1.250,00');
    expect(agenda).toContain('Vencimento: 10/11/2026');
    expect(agenda).toContain('Responder à pergunta');

    const md = textOf(res);
    for (const h of [
      '# Briefing — Padaria Pão Quente Ltda',
      '## Linha do tempo',
      '## Pontos em aberto',
      '## Pauta sugerida',
      '- Base legal: legítimo interesse (LGPD art. 7º, IX)', // the lead's basis (inserted without one: the default)
    ])
      expect(md).toContain(h);
    await client.closeAll();
  });

  it('briefs the meeting asked for, in the lead’s local time, and flags an unconfirmed meeting and interest', async () => {
    const { t, leadId, client } = await setup();
    await client.callTool(reply('tenho interesse sim', 'w2', '2026-11-25T09:00:00-04:00'));
    const { agendamento_id } = await asOwner(db.kysely, (tx) =>
      tx
        .insertInto('agendamentos')
        .values({
          tenant_id: t,
          lead_id: leadId,
          inicio: new Date('2026-12-01T14:00:00Z'),
          fim: new Date('2026-12-01T14:30:00Z'),
          timezone: 'America/Manaus',
          titulo: 'Negociação — Padaria Pão Quente',
          local: 'https://meet.example/abc',
          status: 'agendado',
          evento_id_externo: 'ev-1',
        })
        .returning('agendamento_id')
        .executeTakeFirstOrThrow(),
    );

    const res = await client.callTool({ name: 'generate_briefing', arguments: { agendamento_id } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const b = res.structuredContent as any;
    // 14:00 UTC is 10:00 in Manaus (UTC-4).
    expect(b.agendamento).toEqual({
      agendamento_id,
      start: '2026-12-01T14:00:00.000Z',
      end: '2026-12-01T14:30:00.000Z',
      label: 'terça-feira, 01/12/2026 às 10:00 (horário de Manaus)',
      timezone: 'America/Manaus',
      title: 'Negociação — Padaria Pão Quente',
      location: 'https://meet.example/abc',
      status: 'agendado',
    });
    expect(b.open_points).toContain('Reunião ainda não confirmada pelo lead.');
    // Interest with a meeting booked is not an open point.
    expect(b.open_points.join('\n')).not.toContain('ainda não há reunião');
    expect(textOf(res)).toContain(
      '**Reunião:** Negociação — Padaria Pão Quente — terça-feira, 01/12/2026 às 10:00 (horário de Manaus)',
    );

    // Without agendamento_id, the next upcoming meeting is the one briefed.
    const byLead = (await client.callTool({ name: 'generate_briefing', arguments: { lead_id: leadId } }))
      .structuredContent as any;
    expect(byLead.agendamento?.agendamento_id).toBe(agendamento_id);
    await client.closeAll();
  });

  it('an opted-out lead is flagged first; unknown ids and missing arguments are actionable errors', async () => {
    const { leadId, client } = await setup();
    await client.callTool(reply('pare de me mandar mensagem', 'w3', '2026-11-25T09:00:00-04:00'));
    const b = (await client.callTool({ name: 'generate_briefing', arguments: { lead_id: leadId } }))
      .structuredContent as any;
    expect(b.lead.status).toBe('opt_out');
    expect(b.open_points[0]).toMatch(/^O lead pediu para não ser contatado/);

    const missing = await client.callTool({ name: 'generate_briefing', arguments: { lead_id: randomUUID() } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/not_found: Lead .* was not found/);
    const none = await client.callTool({ name: 'generate_briefing', arguments: {} });
    expect(none.isError).toBe(true);
    expect(textOf(none)).toContain('Give lead_id or agendamento_id');
    const ag = await client.callTool({ name: 'generate_briefing', arguments: { agendamento_id: randomUUID() } });
    expect(textOf(ag)).toMatch(/Agendamento .* was not found/);
    await client.closeAll();
  });

  it('lead:// resource and the preparar_reuniao prompt serve the same lead; another tenant’s lead is not found', async () => {
    const { leadId, client } = await setup();
    const r = await client.readResource({ uri: `lead://${leadId}` });
    const lead = JSON.parse((r.contents[0] as { text: string }).text);
    expect(lead).toMatchObject({ lead_id: leadId, name: 'Padaria Pão Quente Ltda', whatsapp: '+5592987654321' });
    expect(lead.phones).toHaveLength(2);

    const p = await client.getPrompt({ name: 'preparar_reuniao', arguments: { lead_id: leadId } });
    const text = (p.messages[0]!.content as { text: string }).text;
    expect(text).toContain('# Briefing — Padaria Pão Quente Ltda');
    expect(text).toContain('opt-out');

    const other = await setup();
    await expect(other.client.readResource({ uri: `lead://${leadId}` })).rejects.toThrow(/not found/);
    await expect(other.client.getPrompt({ name: 'preparar_reuniao', arguments: { lead_id: leadId } })).rejects.toThrow(
      /not found/,
    );
    await expect(client.getPrompt({ name: 'preparar_reuniao', arguments: { lead_id: 'abc' } })).rejects.toThrow(/UUID/);
    await other.client.closeAll();
    await client.closeAll();
  });
});
