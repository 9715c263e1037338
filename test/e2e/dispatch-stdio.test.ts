import { CREDITOR_INPUT } from '../helpers/leads-data.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, MAIN, tempDir } from '../helpers/spawn.js';
import { sandboxSends, writeSandboxMcpConfig } from '../helpers/dispatch-setup.js';

// These tests are about sending plumbing, not collection content: they send the built-in sales template
// (contato_comercial_*_v1), which is not a collection message, so they pass on the real clock at any hour.
// A collection message is deferred on Sundays, holidays and at night whatever the send window says
// (state-contact-rules.ts); collection content and hours are covered with a fixed clock in
// test/tools/collection-gates.test.ts.
const SALES = { whatsapp: 'contato_comercial_whatsapp_v1', email: 'contato_comercial_email_v1' } as const;

const records = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => !r.duplicate);

describe('real sends through the bundled sandbox channel servers (stdio, PGlite)', () => {
  let client: Client;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir('dispatch-');
    writeFileSync(
      join(dataDir, 'leads.csv'),
      [
        'Empresa;Contato;CNPJ;Celular;Email;Valor em aberto;Vencimento',
        'Padaria Sol;Maria Souza;11.222.333/0001-81;(11) 98765-4321;maria@sol.com.br;R$ 1.234,56;10/11/2026',
        'Oficina Lua;José;04.252.011/0001-10;;ze@lua.com.br;R$ 1.234,56;10/11/2026',
        'Bar do Zé;Zé;11.444.777/0001-61;(21) 99999-0000;;R$ 1.234,56;10/11/2026',
      ].join('\n'),
    );
    client = new Client({ name: 'e2e', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [MAIN],
        env: cleanEnv({
          AGENTE_DATA_DIR: dataDir,
          MICRO_AGENT_DISPARO_ENABLED: 'true',
          AGENTE_INGEST_DIRS: dataDir,
        }) as Record<string, string>,
      }),
    );
    await client.callTool({
      name: 'set_outreach_policy',
      arguments: {
        creditor: CREDITOR_INPUT,
        sender_name: 'Alquimista Cobranças',
        send_window: { days: Array(7).fill({ start: '00:00', end: '24:00' }), respect_holidays: false },
      },
    });
    const ing = await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dataDir, 'leads.csv') } });
    expect((ing.structuredContent as any).job.counts.leads_created).toBe(3);
  });
  afterAll(async () => client?.close());

  it('send_message sends once through the sandbox WhatsApp server, and the same key never twice', async () => {
    const leads = (
      (await client.callTool({ name: 'query_leads', arguments: { text: 'padaria' } })).structuredContent as any
    ).leads;
    const args = { lead_id: leads[0].lead_id, idempotency_key: 'teste-envio-0001', template: SALES.whatsapp };
    const r1 = await client.callTool({ name: 'send_message', arguments: args });
    const s1 = r1.structuredContent as any;
    expect(s1, JSON.stringify(r1.content)).toMatchObject({
      sent: true,
      mode: 'real',
      channel: 'whatsapp',
      status: 'enviado',
    });
    expect(s1.message_id).toMatch(/^wamid\./);
    const r2 = await client.callTool({ name: 'send_message', arguments: args });
    expect((r2.structuredContent as any).disparo_id).toBe(s1.disparo_id);
    const sent = records(join(dataDir, 'sandbox', 'whatsapp.jsonl'));
    expect(sent).toHaveLength(1);
    expect(sent[0].args.to).toBe('+5511987654321');
    expect(sent[0].args.text).toContain('Olá, Maria! Aqui é a equipe de Alquimista Cobranças.');
    const lead = (
      (await client.callTool({ name: 'query_leads', arguments: { lead_id: leads[0].lead_id } }))
        .structuredContent as any
    ).leads[0];
    expect(lead.status).toBe('contatado');
  });

  it('start_dispatch sends the rest in the background and job_status accounts for every row', async () => {
    const campaign = {
      filter: {},
      campaign_key: 'novembro',
      template_whatsapp: SALES.whatsapp,
      template_email: SALES.email,
    };
    const r = await client.callTool({ name: 'start_dispatch', arguments: campaign });
    const s = r.structuredContent as any;
    expect(s.mode).toBe('real');
    // Padaria was contacted minutes ago: the per-lead daily cap defers it instead of sending twice.
    expect(s.queued).toBe(3);
    let job: any;
    for (let i = 0; i < 100; i++) {
      job = ((await client.callTool({ name: 'job_status', arguments: { job_id: s.job_id } })).structuredContent as any)
        .jobs[0];
      if (job.counts.enviado === 2) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(job.counts).toMatchObject({ enviado: 2, adiado: 1, total: 3 });
    expect(records(join(dataDir, 'sandbox', 'email.jsonl')).map((e) => e.args.to)).toEqual(['ze@lua.com.br']);
    const again = (await client.callTool({ name: 'start_dispatch', arguments: campaign })).structuredContent as any;
    expect(again.queued).toBe(0);
  });
});

describe('a WhatsApp number refused permanently (stdio, PGlite)', () => {
  let client: Client;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir('fallback-');
    writeFileSync(
      join(dataDir, 'leads.csv'),
      'Empresa;Contato;CNPJ;Celular;Email;Valor em aberto;Vencimento\nMercado Azul;Ana;11.222.333/0001-81;(11) 98765-0000;ana@azul.com.br;R$ 1.234,56;10/11/2026\n',
    );
    client = new Client({ name: 'e2e', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [MAIN],
        env: cleanEnv({
          AGENTE_DATA_DIR: dataDir,
          MICRO_AGENT_DISPARO_ENABLED: 'true',
          AGENTE_INGEST_DIRS: dataDir,
          AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dataDir, {
            whatsapp: { SANDBOX_FAIL_RECIPIENTS: '+5511987650000' },
          }),
        }) as Record<string, string>,
      }),
    );
    await client.callTool({
      name: 'set_outreach_policy',
      arguments: {
        creditor: CREDITOR_INPUT,
        sender_name: 'Alquimista',
        send_window: { days: Array(7).fill({ start: '00:00', end: '24:00' }), respect_holidays: false },
      },
    });
    await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dataDir, 'leads.csv') } });
  });
  afterAll(async () => client?.close());

  it('marks the phone invalid and falls back to e-mail', async () => {
    const [lead] = ((await client.callTool({ name: 'query_leads', arguments: {} })).structuredContent as any).leads;
    // A campaign, not send_message: a single send's fallback e-mail is the channel's default (the collection
    // template), while a campaign's is its own template_email, here the sales one.
    const s = (
      await client.callTool({
        name: 'start_dispatch',
        arguments: {
          filter: {},
          campaign_key: 'recusa',
          template_whatsapp: SALES.whatsapp,
          template_email: SALES.email,
        },
      })
    ).structuredContent as any;
    expect(s).toMatchObject({ mode: 'real', queued: 1 });
    let emails: unknown[] = [];
    for (let i = 0; i < 50 && !emails.length; i++) {
      emails = sandboxSends(dataDir, 'email');
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(emails).toHaveLength(1);
    expect((emails[0] as any).args.to).toBe('ana@azul.com.br');
    expect(sandboxSends(dataDir, 'whatsapp')).toHaveLength(0); // refused: nothing delivered on WhatsApp
    const job = (
      (await client.callTool({ name: 'job_status', arguments: { job_id: s.job_id } })).structuredContent as any
    ).jobs[0];
    expect(job.counts).toMatchObject({ falhou: 1 });
    // query_leads {lead_id}: the summary in leads[0], the rest in lead.
    const one = (await client.callTool({ name: 'query_leads', arguments: { lead_id: lead.lead_id } }))
      .structuredContent as any;
    const detail = { ...one.leads[0], ...one.lead };
    expect(detail.phones[0]).toMatchObject({
      e164: '+5511987650000',
      sendable: false,
      invalid_reason: expect.stringContaining('WhatsApp recusou'),
    });
    expect(detail.whatsapp).toBeNull();
    expect(detail.status).toBe('contatado');
  });
});

describe('pausing, resuming and cancelling a campaign (stdio, PGlite)', () => {
  let client: Client;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir('control-');
    const rows = Array.from(
      { length: 30 },
      (_, i) => `Loja ${i};Pessoa ${i};;(11) 9${String(8000_0000 + i)};;R$ 1.234,56;10/11/2026`,
    );
    writeFileSync(
      join(dataDir, 'leads.csv'),
      ['Empresa;Contato;CNPJ;Celular;Email;Valor em aberto;Vencimento', ...rows].join('\n'),
    );
    // The tenant's own template, approved on the (sandbox) platform: its catalogue lists it.
    mkdirSync(join(dataDir, 'sandbox'), { recursive: true });
    const catalogue = join(dataDir, 'templates.json');
    writeFileSync(catalogue, JSON.stringify([{ name: 'lembrete_simples_v1', language: 'pt_BR', params: 2 }]));
    client = new Client({ name: 'e2e', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [MAIN],
        env: cleanEnv({
          AGENTE_DATA_DIR: dataDir,
          MICRO_AGENT_DISPARO_ENABLED: 'true',
          AGENTE_INGEST_DIRS: dataDir,
          AGENTE_MCP_CONFIG: writeSandboxMcpConfig(join(dataDir, 'sandbox'), {
            whatsapp: { SANDBOX_TEMPLATES: catalogue },
          }),
        }) as Record<string, string>,
      }),
    );
    await client.callTool({
      name: 'set_outreach_policy',
      arguments: {
        creditor: CREDITOR_INPUT,
        sender_name: 'Alquimista',
        send_window: { days: Array(7).fill({ start: '00:00', end: '24:00' }), respect_holidays: false },
        pace: { channel: 'whatsapp', per_second: 2 },
        // These leads have no document: use a template that does not need one.
        template: {
          id: 'lembrete_simples_v1',
          channel: 'whatsapp',
          body: 'Olá, {{contato}}! A equipe de {{remetente}} quer falar com você.\n\nSe não quiser mais receber mensagens, responda SAIR.',
        },
      },
    });
    // ...and registered here as approved (outside the 24-h window only an approved template may go).
    const registered = await client.callTool({
      name: 'manage_templates',
      arguments: {
        action: 'register',
        template_id: 'lembrete_simples_v1',
        provider: 'meta',
        name: 'lembrete_simples_v1',
        category: 'utility',
        params: ['contato', 'remetente'],
      },
    });
    expect(registered.isError).toBeFalsy();
    await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dataDir, 'leads.csv') } });
  });
  afterAll(async () => client?.close());

  const job = async (id: string) =>
    ((await client.callTool({ name: 'job_status', arguments: { job_id: id } })).structuredContent as any).jobs[0];

  it('pause holds the queue, resume sends again, cancel ends every unsent message as cancelado', async () => {
    const started = (
      await client.callTool({
        name: 'start_dispatch',
        arguments: { filter: {}, template_whatsapp: 'lembrete_simples_v1' },
      })
    ).structuredContent as any;
    expect(started.queued).toBe(30);
    const paused = await client.callTool({
      name: 'control_dispatch',
      arguments: { job_id: started.job_id, action: 'pause' },
    });
    expect((paused.structuredContent as any).status).toBe('pausado');
    // Sends already claimed when the pause landed (em_execucao, waiting for their paced slot) still go out:
    // a pause stops claiming, it does not recall a call in flight. Wait for those, then nothing more may leave.
    let during = await job(started.job_id);
    for (let i = 0; i < 100 && during.counts.em_execucao > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      during = await job(started.job_id);
    }
    expect(during.counts.em_execucao).toBe(0);
    const sentWhilePaused = during.counts.enviado;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await job(started.job_id)).counts.enviado).toBe(sentWhilePaused);
    await client.callTool({ name: 'control_dispatch', arguments: { job_id: started.job_id, action: 'resume' } });
    for (let i = 0; i < 30 && (await job(started.job_id)).counts.enviado <= sentWhilePaused; i++)
      await new Promise((r) => setTimeout(r, 200));
    const cancelled = await client.callTool({
      name: 'control_dispatch',
      arguments: { job_id: started.job_id, action: 'cancel' },
    });
    expect((cancelled.structuredContent as any).status).toBe('cancelado');
    // A send claimed before the cancel (em_execucao, waiting for its paced slot) still goes out; wait for it.
    let end = await job(started.job_id);
    for (let i = 0; i < 100 && (i < 10 || end.counts.em_execucao > 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      end = await job(started.job_id);
    }
    expect(end.counts.enviado).toBeGreaterThan(sentWhilePaused);
    expect(end.counts.enviado + end.counts.cancelado).toBe(30);
    expect(end.counts.pendente + end.counts.adiado + end.counts.em_execucao).toBe(0);
    expect(sandboxSends(join(dataDir, 'sandbox'))).toHaveLength(end.counts.enviado);
    const cancelledLead = (
      (await client.callTool({ name: 'query_leads', arguments: { status: ['novo'], limit: 100 } }))
        .structuredContent as any
    ).leads;
    expect(cancelledLead.length).toBe(end.counts.cancelado);
  });
});
