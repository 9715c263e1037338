/**
 * An e2e campaign against the platform-like sandbox WhatsApp server (its rules on, as by default):
 * numbers that are not WhatsApp users (digits ending 13102xxx: 131026, deterministic) fail on WhatsApp
 * and the campaign falls back to the e-mail version of the same message; the others go by WhatsApp as
 * the approved template. The server runs as a real process (stdio, PGlite), driven by a real client.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSends, writeSandboxMcpConfig } from '../helpers/dispatch-setup.js';
import { CREDITOR_INPUT } from '../helpers/leads-data.js';
import { cleanEnv, MAIN, tempDir } from '../helpers/spawn.js';

// These tests are about sending plumbing, not collection content: they send the built-in sales template
// (contato_comercial_*_v1), which is not a collection message, so they pass on the real clock at any hour.
// A collection message is deferred on Sundays, holidays and at night whatever the send window says
// (state-contact-rules.ts); collection content and hours are covered with a fixed clock in
// test/tools/collection-gates.test.ts.
const SALES = { whatsapp: 'contato_comercial_whatsapp_v1', email: 'contato_comercial_email_v1' } as const;

describe('a campaign that hits 131026 for some numbers falls back to e-mail (stdio, PGlite)', () => {
  let client: Client;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir('platform-');
    writeFileSync(
      join(dataDir, 'leads.csv'),
      [
        'Empresa;Contato;CNPJ;Celular;Email;Valor em aberto;Vencimento',
        'Padaria Sol;Maria;11.222.333/0001-81;(11) 98765-4321;maria@sol.com.br;R$ 1.234,56;10/11/2026',
        'Oficina Lua;José;04.252.011/0001-10;(11) 91310-2001;ze@lua.com.br;R$ 1.234,56;10/11/2026',
        'Bar do Zé;Zé;11.444.777/0001-61;(21) 91310-2002;bar@ze.com.br;R$ 1.234,56;10/11/2026',
        'Mercado Azul;Ana;34.028.316/0001-03;(31) 98888-7777;ana@azul.com.br;R$ 1.234,56;10/11/2026',
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
          // The platform rules are the sandbox's default: no knob.
          AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dataDir),
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
    const ing = await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dataDir, 'leads.csv') } });
    expect((ing.structuredContent as any).job.counts.leads_created).toBe(4);
  });
  afterAll(async () => client?.close());

  it('131026 → the phone is marked not on WhatsApp and the e-mail goes; the others go as the approved template', async () => {
    const s = (
      await client.callTool({
        name: 'start_dispatch',
        arguments: {
          filter: {},
          campaign_key: 'plataforma',
          template_whatsapp: SALES.whatsapp,
          template_email: SALES.email,
        },
      })
    ).structuredContent as any;
    expect(s).toMatchObject({ mode: 'real', queued: 4 });
    // Under load the e-mails may land before the other WhatsApp sends: wait for both.
    let emails: any[] = [];
    let wa: any[] = [];
    for (let i = 0; i < 150 && (emails.length < 2 || wa.length < 2); i++) {
      emails = sandboxSends(dataDir, 'email');
      wa = sandboxSends(dataDir, 'whatsapp');
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(emails.map((e) => e.args.to).sort()).toEqual(['bar@ze.com.br', 'ze@lua.com.br']);
    expect(wa.map((w) => w.args.to).sort()).toEqual(['+5511987654321', '+5531988887777']);
    for (const w of wa) {
      expect(w.args).toMatchObject({ template: SALES.whatsapp });
      expect(w.args.template_params).toHaveLength(3); // contato, remetente, empresa
    }
    let job: any;
    for (let i = 0; i < 50; i++) {
      job = ((await client.callTool({ name: 'job_status', arguments: { job_id: s.job_id } })).structuredContent as any)
        .jobs[0];
      if (job.counts.falhou >= 2) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(job.counts).toMatchObject({ falhou: 2 });
    const lead = (
      (await client.callTool({ name: 'query_leads', arguments: { text: 'oficina' } })).structuredContent as any
    ).leads[0];
    // query_leads {lead_id}: the summary in leads[0], the rest in lead.
    const one = (await client.callTool({ name: 'query_leads', arguments: { lead_id: lead.lead_id } }))
      .structuredContent as any;
    const detail = { ...one.leads[0], ...one.lead };
    expect(detail.phones[0]).toMatchObject({ e164: '+5511913102001', sendable: false });
    expect(detail.whatsapp).toBeNull();
  });
});
