import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../helpers/db.js';
import { sandboxSends } from '../helpers/dispatch-setup.js';
import { CREDITOR_INPUT, leadsCsv } from '../helpers/leads-data.js';
import { cleanEnv, MAIN, runMain, startMain, stop, tempDir } from '../helpers/spawn.js';

/*
 * A real send asks the person first (src/server.ts CONFIRM_FIRST, define-tool.ts confirmFirst), with
 * MCP 2026-07-28's multi round-trip `input_required`: the first tools/call answers with an
 * elicitation for the client to put to the person, the client calls again with the answer. Through
 * real SDK clients of both eras, on the built binary with sending on (the bundled sandbox servers).
 */
describe('input_required: a real send is confirmed by the person first, when the client can ask', () => {
  const children: ChildProcess[] = [];
  const clients: Client[] = [];
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let url: string;
  let token: string;
  let leads: string[];
  let drop: () => Promise<void>;

  /** A client; `answer` is what the person says when asked (undefined: the client cannot ask). */
  const connect = async (era: 'modern' | 'legacy', answer?: 'yes' | 'no', asked: string[] = []) => {
    const client = new Client(
      { name: `confirm-${era}`, version: '1.0.0' },
      {
        ...(answer ? { capabilities: { elicitation: {} } } : {}),
        ...(era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
      },
    );
    if (answer)
      client.setRequestHandler('elicitation/create', async (req) => {
        asked.push((req.params as { message: string }).message);
        return answer === 'yes' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
      });
    clients.push(client);
    return client;
  };
  const http = (client: Client) =>
    client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
  const send = (client: Client, i: number) =>
    client.callTool({ name: 'send_message', arguments: { lead_id: leads[i], template: SALES } }, { timeout: 60_000 });
  const SALES = 'contato_comercial_whatsapp_v1';
  const sent = () => sandboxSends(join(dir, 'sandbox')).length;
  // Sends must not depend on the hour the suite runs at: an all-day window, holidays ignored (a send
  // outside the window is deferred, not sent, and this file counts what reached the sandbox), and the
  // built-in sales template, not a collection message: a collection is deferred on Sundays, holidays and
  // at night whatever the window (state-contact-rules.ts; its content and hours are covered with a fixed
  // clock in test/tools/collection-gates.test.ts). Every lead here has a mobile, so WhatsApp is the channel.
  // The creditor stays configured, as a real tenant's would be (issue 17).
  const ALL_DAY = {
    send_window: { days: Array(7).fill({ start: '00:00', end: '24:00' }), respect_holidays: false },
    creditor: CREDITOR_INPUT,
  };

  beforeAll(async () => {
    const db = await createPgDatabase();
    drop = db.drop;
    dir = tempDir('confirm-');
    env = cleanEnv({ DATABASE_URL: db.url, MICRO_AGENT_DISPARO_ENABLED: 'true', AGENTE_DATA_DIR: dir });
    token = (await runMain(['token', 'create', '--tenant', 'confirma'], env)).stdout.trim();
    const admin = (
      await runMain(['token', 'create', '--tenant', 'confirma', '--scopes', 'read,dispatch,admin'], env)
    ).stdout.trim();
    const started = await startMain(['serve', '--http', '--port', '0'], env, /listening on (\S+)/);
    children.push(started.child);
    url = started.match[1];
    const setup = await connect('modern');
    await setup.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${admin}` } },
      }),
    );
    const policy = await setup.callTool({ name: 'set_outreach_policy', arguments: ALL_DAY });
    expect(policy.isError, JSON.stringify(policy.content)).toBeFalsy();
    // Even rows carry the CNPJ the collections template needs: those can be sent.
    const csv = Buffer.from(leadsCsv(0, 12)).toString('base64');
    await setup.callTool({ name: 'ingest_leads', arguments: { content_base64: csv, filename: 'l.csv' } });
    const page = (await setup.callTool({ name: 'query_leads', arguments: { limit: 50 } })).structuredContent as {
      leads: Array<{ lead_id: string; documento?: string | null; document?: string | null }>;
    };
    leads = page.leads.filter((l) => l.documento ?? l.document).map((l) => l.lead_id);
    expect(leads.length).toBeGreaterThanOrEqual(5);
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    for (const c of children) await stop(c);
    await drop?.();
  });

  it('2026-07-28: asks first; a yes sends, a no sends nothing and says so', async () => {
    const asked: string[] = [];
    const yes = await connect('modern', 'yes', asked);
    await http(yes);
    const before = sent();
    const r = await send(yes, 0);
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    expect(asked).toEqual([`Send a REAL message now to lead ${leads[0]}?`]);
    expect(sent()).toBe(before + 1);

    const no = await connect('modern', 'no');
    await http(no);
    const refused = await send(no, 1);
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toMatch(/cancelled: the person did not confirm/);
    expect(sent()).toBe(before + 1);
  });

  it('a client that cannot ask (no elicitation capability, or 2025-11-25 over HTTP) sends as before', async () => {
    const before = sent();
    const plain = await connect('modern');
    await http(plain);
    expect((await send(plain, 2)).isError).toBeFalsy();
    // A 2025-11-25 request over HTTP is served by a server of its own, with no connection to ask on.
    const legacy = await connect('legacy', 'no');
    await http(legacy);
    expect((await send(legacy, 3)).isError).toBeFalsy();
    expect(sent()).toBe(before + 2);
  });

  it('2025-11-25 over stdio: the SDK asks with a real elicitation request on the connection', async () => {
    const asked: string[] = [];
    const client = await connect('legacy', 'yes', asked);
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [MAIN], env: env as Record<string, string> }),
    );
    expect(client.getProtocolEra()).toBe('legacy');
    const before = sent();
    expect((await client.callTool({ name: 'set_outreach_policy', arguments: ALL_DAY })).isError).toBeFalsy();
    // Over stdio the tenant is AGENTE_TENANT's (default), not the token's: import a lead there.
    const csv = Buffer.from(leadsCsv(100, 102)).toString('base64');
    await client.callTool({ name: 'ingest_leads', arguments: { content_base64: csv, filename: 's.csv' } });
    const mine = (await client.callTool({ name: 'query_leads', arguments: {} })).structuredContent as {
      leads: Array<{ lead_id: string; documento?: string | null; document?: string | null }>;
    };
    const lead = mine.leads.find((l) => l.documento ?? l.document)!.lead_id;
    const r = await client.callTool(
      { name: 'send_message', arguments: { lead_id: lead, template: SALES } },
      { timeout: 60_000 },
    );
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    expect(asked).toEqual([`Send a REAL message now to lead ${lead}?`]);
    expect(sent()).toBe(before + 1);
  });
});
