import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { meetingsEnv, type MeetingsEnv } from '../helpers/meetings-setup.js';
import { cnpjFor } from '../helpers/leads-data.js';
import { textOf } from '../helpers/server.js';
import { paceRun } from '../helpers/pace-run.js';

/*
 * Issue 19 "Must show": a model's everyday requests, each answered in one or two calls through a real MCP
 * client, on both databases. Sending on, the bundled sandbox servers (WhatsApp, e-mail, calendar) as real
 * stdio processes, the executor in process on the test's clock (Tuesday 10:00 in São Paulo).
 */
const NOW = '2026-11-24T13:00:00Z';
const CSV = [
  'Empresa;Contato;CNPJ;Celular;Email;Cidade/UF;Segmento;Valor;Vencimento',
  'Padaria Rio Negro;Ana;11.222.333/0001-81;(92) 99123-4567;ana@rionegro.com.br;Manaus/AM;Padaria;150,00;10/11/2026',
  `Loja Sol;Bruno;${cnpjFor(2)};(11) 98765-4321;bruno@sol.com.br;São Paulo/SP;Varejo;99,90;12/11/2026`,
  `Mercado Boa Vista;Carla;${cnpjFor(3)};(95) 99111-2222;;Boa Vista/RR;Mercado;300,00;05/11/2026`,
  `Oficina Tarumã;Davi;${cnpjFor(4)};(92) 98888-7777;;Manaus - AM;Oficina;80,00;01/11/2026`,
  `Bazar Fixo;Eva;${cnpjFor(5)};(11) 3333-4444;;Campinas/SP;Bazar;50,00;01/11/2026`,
].join('\n');

describe(`a model's everyday requests, one or two calls each (${testDbKind()})`, () => {
  let db: TestDb;
  let e: MeetingsEnv;
  let calls = 0;
  const ids: Record<string, string> = {};
  const call = async (name: string, args: Record<string, unknown>) => {
    calls++;
    const r = await e.client.callTool({ name, arguments: args });
    expect(r.isError, textOf(r)).toBeFalsy();
    return { data: r.structuredContent as any, text: textOf(r) };
  };
  /** The calls a request took. */
  const counting = async (fn: () => Promise<void>) => {
    const before = calls;
    await fn();
    return calls - before;
  };

  beforeAll(async () => {
    db = await openTestDb();
    e = await meetingsEnv(db, { now: NOW });
    const content_base64 = Buffer.from(CSV).toString('base64');
    const r = await call('ingest_leads', { content_base64, filename: 'leads.csv' });
    expect(r.data.job.status, r.text).toBe('concluido');
    const all = await call('query_leads', { limit: 100 });
    for (const l of all.data.leads) ids[l.name] = l.lead_id;
  }, 60_000);
  afterAll(async () => {
    await e?.close();
    await db?.destroy();
  });

  it('"quem é o número que escreveu?", "quantos de Manaus?", "os de Padaria": one call each', async () => {
    const byPhone = await call('query_leads', { text: '+55 92 9123-4567' });
    expect(byPhone.data.leads.map((l: any) => l.name)).toEqual(['Padaria Rio Negro']);
    expect(byPhone.text).toContain(ids['Padaria Rio Negro']);
    const manaus = await call('query_leads', { text: 'Manaus' });
    expect(manaus.data.totals.total).toBe(2);
    expect(manaus.text).toContain('Oficina Tarumã');
    const extra = await call('query_leads', { extra: { segmento: 'padaria' } });
    expect(extra.data.leads.map((l: any) => l.name)).toEqual(['Padaria Rio Negro']);
  });

  it('"como foi a campanha?": the funnel of a campaign with replies, an opt-out and a meeting, in one call', async () => {
    const started = await call('start_dispatch', { filter: {}, campaign_key: 'dezembro' });
    expect(started.data).toMatchObject({ mode: 'real', queued: 4, blocked: { sem_canal: 1 } });
    await e.drain();
    expect(e.record('whatsapp')).toHaveLength(4);
    // Ana is interested and books; Bruno asks to stop; Carla asks a question nobody answers yet.
    await call('handle_reply', {
      channel: 'whatsapp',
      from: '+5592991234567',
      text: 'Tenho interesse, podemos conversar',
    });
    await call('handle_reply', { channel: 'whatsapp', from: '+5511987654321', text: 'SAIR' });
    await call('handle_reply', { channel: 'whatsapp', from: '+5595991112222', text: 'Qual é o valor total?' });
    const booked = await call('schedule_meeting', {
      lead_id: ids['Padaria Rio Negro'],
      start: '2026-11-25T10:00:00-04:00',
    });
    expect(booked.data.lead_status).toBe('agendado');

    const n = await counting(async () => {
      const r = await call('get_report', { view: 'funnel', campaign_id: started.data.job_id });
      expect(r.data.scope).toMatchObject({ campaign_id: started.data.job_id, campaign_key: 'dezembro' });
      expect(r.data.funnel).toMatchObject({
        queued: 4,
        sent: 4,
        replied: 3,
        opted_out: 1,
        meetings: { booked: 1, confirmed: 0, held: 0, no_show: 0, cancelled: 0 },
      });
      // Ana replied, then booked: she counts in both, though her status is agendado now.
      expect(r.data.funnel.replied_by_class).toMatchObject({ opt_out: 1 });
      expect(Object.values(r.data.funnel.replied_by_class).reduce((a: number, b: any) => a + b, 0)).toBe(3);
      expect(r.data.by_channel.whatsapp).toMatchObject({ queued: 4, sent: 4, replied: 3 });
      expect(r.data.blocked_by_reason).toEqual({ sem_canal: 1 });
      expect(r.data.timeline.length).toBeLessThanOrEqual(121);
      expect(r.data.timeline.reduce((a: number, p: any) => a + p.sent, 0)).toBe(4);
      expect(r.text).toMatch(/\nqueued \| 4 \| 4\n/);
      expect(r.text).toMatch(/\nmeetings_booked \| 1 \| 1\n/);
    });
    expect(n).toBe(1);
  });

  it('"quem precisa de resposta?" and "o que tenho amanhã?": one call each', async () => {
    const inbound = await call('get_report', { view: 'inbound' });
    expect(inbound.data.rows.map((r: any) => [r.company, r.reason])).toEqual([
      ['Mercado Boa Vista', 'pergunta_sem_resposta'],
    ]);
    expect(inbound.text).toContain('Mercado Boa Vista');
    const tomorrow = await call('get_report', { view: 'meetings', from: '2026-11-25' });
    expect(tomorrow.data.rows).toEqual([
      expect.objectContaining({ company: 'Padaria Rio Negro', status: 'agendado', start: '2026-11-25T10:00:00-04:00' }),
    ]);
    expect(tomorrow.text).toContain('Padaria Rio Negro');
  });

  it('"quem não receberia e por quê?": a dry run, then its blocked leads by reason — two calls', async () => {
    const n = await counting(async () => {
      const dry = await call('dry_run_dispatch', { filter: {} });
      const r = await call('get_report', { view: 'blocked', batch_id: dry.data.batch_id });
      // Ana has a meeting and Carla is in a conversation: not queued for outreach.
      expect(r.data.blocked_by_reason).toEqual({ estado_inelegivel: 2, opt_out: 1, sem_canal: 1 });
      expect(r.data.rows.map((x: any) => [x.reason, x.company]).sort()).toEqual([
        ['estado_inelegivel', 'Mercado Boa Vista'],
        ['estado_inelegivel', 'Padaria Rio Negro'],
        ['opt_out', 'Loja Sol'],
        ['sem_canal', 'Bazar Fixo'],
      ]);
      for (const row of r.data.rows) expect(r.text).toContain(`${row.reason} | ${row.lead_id} | ${row.company}`);
    });
    expect(n).toBe(2);
  });

  it('"corrija o telefone da Oficina": one call, then found by the new number', async () => {
    const id = ids['Oficina Tarumã'];
    const edit = await call('update_lead', { lead_id: id, phone: '(92) 98111-0000', reason: 'número trocado' });
    expect(edit.data.changed).toContain('phone');
    const found = await call('query_leads', { text: '92981110000' });
    expect(found.data.leads.map((l: any) => l.lead_id)).toEqual([id]);
  });

  it('"no máximo 5 por segundo": start_dispatch {pace: 5}, observed ≤ 5 sends in every 1-s window', async () => {
    const r = await paceRun(db, { leads: 16, pace: 5 });
    expect(r.sends).toBe(16);
    expect(r.busiest).toBeLessThanOrEqual(5);
    // And at about that pace, not slower: 16 sends are 15 slots of 200 ms apart as the sandbox received them.
    expect(r.spanMs).toBeGreaterThanOrEqual(2800);
    expect(r.report.pace_per_second).toBe(5);
    expect(r.report.funnel.sent).toBe(16);
  }, 90_000);
});
