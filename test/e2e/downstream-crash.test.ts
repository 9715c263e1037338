import { CREDITOR_INPUT } from '../helpers/leads-data.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSends } from '../helpers/dispatch-setup.js';
import { cleanEnv, MAIN, ROOT, tempDir } from '../helpers/spawn.js';

/*
 * A downstream server killed in the middle of a call (SANDBOX_CRASH_AFTER=1: the second send is
 * recorded, then the process exits before answering), through the real server over stdio (PGlite,
 * executor inside the server). Already covered elsewhere: the channel client reconnecting
 * (test/unit/channel-client.test.ts) and crashes inside a PostgreSQL campaign with workers
 * (test/e2e/workers-postgres.test.ts). Here: the difference idempotency makes. A channel that honours
 * keys gets the send retried (the restarted server answers it from its record: received once); one
 * that does not ends `incerto` with the reason and is never re-sent.
 */
// These tests are about sending plumbing, not collection content: they send the built-in sales template
// (contato_comercial_*_v1), which is not a collection message, so they pass on the real clock at any hour.
// A collection message is deferred on Sundays, holidays and at night whatever the send window says
// (state-contact-rules.ts); collection content and hours are covered with a fixed clock in
// test/tools/collection-gates.test.ts.
const SALES = { whatsapp: 'contato_comercial_whatsapp_v1', email: 'contato_comercial_email_v1' } as const;

describe('a downstream MCP server killed during a call (stdio, PGlite)', () => {
  let client: Client;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('downstream-crash-');
    writeFileSync(
      join(dir, 'leads.csv'),
      [
        'Empresa;Contato;CNPJ;Celular;Email;Valor em aberto;Vencimento',
        'Loja A;Ana;11.222.333/0001-81;(11) 98765-1001;;R$ 1.234,56;10/11/2026',
        'Loja B;Bia;04.252.011/0001-10;(11) 98765-1002;;R$ 1.234,56;10/11/2026',
        'Loja C;Caio;11.444.777/0001-61;;caio@lojac.com.br;R$ 1.234,56;10/11/2026',
        'Loja D;Duda;45.723.174/0001-10;;duda@lojad.com.br;R$ 1.234,56;10/11/2026',
      ].join('\n'),
    );
    const server = (name: string, env: Record<string, string>) => ({
      command: process.execPath,
      args: [join(ROOT, 'dist', 'sandbox', `${name}-server.js`)],
      env: { SANDBOX_RECORD: join(dir, `${name}.jsonl`), ...env },
    });
    writeFileSync(
      join(dir, 'mcp.json'),
      JSON.stringify({
        mcpServers: {
          wa: server('whatsapp', { SANDBOX_CRASH_AFTER: '1', SANDBOX_IDEMPOTENCY: 'off' }),
          mail: server('email', { SANDBOX_CRASH_AFTER: '1' }),
        },
        channels: {
          whatsapp: { server: 'wa', preset: 'sandbox-whatsapp', idempotent: false },
          email: { server: 'mail', preset: 'sandbox-email' },
        },
      }),
    );
    client = new Client({ name: 'e2e', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [MAIN],
        env: cleanEnv({
          AGENTE_DATA_DIR: dir,
          MICRO_AGENT_DISPARO_ENABLED: 'true',
          AGENTE_INGEST_DIRS: dir,
          AGENTE_MCP_CONFIG: join(dir, 'mcp.json'),
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
    const ing = await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dir, 'leads.csv') } });
    expect((ing.structuredContent as any).job.counts.leads_created).toBe(4);
  });
  afterAll(async () => client?.close());

  const leadId = async (text: string) =>
    ((await client.callTool({ name: 'query_leads', arguments: { text } })).structuredContent as any).leads[0].lead_id;
  /** send_message with a key; called again with the same key it reports the same disparo's state. */
  const send = async (text: string, key: string, template: string) => {
    const res = await client.callTool({
      name: 'send_message',
      arguments: { lead_id: await leadId(text), idempotency_key: key, template },
    });
    expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
    return res.structuredContent as any;
  };
  const settle = async (text: string, key: string, template: string) => {
    for (let i = 0; i < 100; i++) {
      const r = await send(text, key, template);
      if (['enviado', 'falhou', 'bloqueado', 'cancelado', 'incerto'].includes(r.status)) return r;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`${key} never settled`);
  };

  it('channel without idempotency: the interrupted send ends incerto with the reason, never re-sent', async () => {
    expect(await settle('Loja A', 'queda-envio-a', SALES.whatsapp)).toMatchObject({
      status: 'enviado',
      channel: 'whatsapp',
    });
    const b = await settle('Loja B', 'queda-envio-b', SALES.whatsapp);
    expect(b).toMatchObject({ status: 'incerto', channel: 'whatsapp', sent: false });
    expect(JSON.stringify(b)).toMatch(/não garante idempotência/);
    await new Promise((res) => setTimeout(res, 1500)); // time for any (wrong) retry to happen
    expect((await send('Loja B', 'queda-envio-b', SALES.whatsapp)).status).toBe('incerto');
    const received = sandboxSends(dir, 'whatsapp').map((s) => s.args.to);
    expect(received).toEqual(['+5511987651001', '+5511987651002']); // B arrived once (before the crash), nobody twice
  });

  it('channel with idempotency: the interrupted send is retried after the server restarts and received once', async () => {
    expect(await settle('Loja C', 'queda-envio-c', SALES.email)).toMatchObject({ status: 'enviado', channel: 'email' });
    const d = await settle('Loja D', 'queda-envio-d', SALES.email);
    expect(d).toMatchObject({ status: 'enviado', channel: 'email' });
    const received = sandboxSends(dir, 'email').map((s) => s.args.to);
    expect(received).toEqual(['caio@lojac.com.br', 'duda@lojad.com.br']);
    await client.ping();
  });
});
