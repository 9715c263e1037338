/**
 * Issue 16 against Twilio's own MCP server (@twilio-alpha/mcp, stdio) and a loopback fake of
 * api.twilio.com that enforces WhatsApp's 24-hour window as Twilio does (test/interop/fake-twilio.ts):
 * outside the window the approved template goes as ContentSid + ContentVariables (its values in
 * parameter order), an unknown ContentSid is refused with Twilio's 21655, a free Body outside the window
 * is accepted (201) and then fails with 63016 through the StatusCallback — read by our Twilio webhook
 * parser and acted on (the message needs a template) — and inside the window the follow-up is a Body.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpChannelClient } from '../../src/channels/channel-client.js';
import { McpConfigSchema } from '../../src/channels/config.js';
import { McpClientPool } from '../../src/channels/pool.js';
import { enqueueDisparos } from '../../src/core/dispatch/enqueue.js';
import { applyStatus } from '../../src/core/inbound/apply-status.js';
import { parseEvent } from '../../src/core/inbound/parse/index.js';
import { loadDecisionContext } from '../../src/core/outreach/decision-context.js';
import { silentLogger } from '../../src/core/ports.js';
import type { Scope } from '../../src/core/scope.js';
import { CONTATO_TEMPLATES } from '../../src/core/templates/builtin-contato.js';
import { manageTemplates } from '../../src/core/templates/manage.js';
import { withTenant } from '../../src/db/tenant.js';
import { createScope } from '../../src/scope.js';
import { openTestDb, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { makeDeps } from '../helpers/server.js';
import { plantingFixtures } from '../helpers/transition-guard.js';
import { dispatchHarness } from '../interop/dispatch-harness.js';
import { startFakeTwilio, type FakeTwilio, type WindowRules } from '../interop/fake-twilio.js';
import { closePool } from '../interop/helpers.js';
import { twilioServerAgainst } from '../interop/twilio-server.js';

const ACCOUNT_SID = `AC${'0a1b2c3d'.repeat(4)}`;
const API_KEY = `SK${'9f8e7d6c'.repeat(4)}`;
const API_SECRET = 'fake-secret-for-loopback';
const SENDER = '+14155238886';
const SID = `HX${'5e6f7a8b'.repeat(4)}`;
const PHONE = '+5511987650042';
/**
 * The built-in sales-contact template's parameters, in {{n}} order. A sales contact, not a collection:
 * a collection would wait for the hours the law allows (state-contact-rules.ts) and turn this test
 * into a test of the clock.
 */
const TEMPLATES = { whatsapp: 'contato_comercial_whatsapp_v1', email: 'contato_comercial_email_v1' };
const PARAMS = [...CONTATO_TEMPLATES.find((t) => t.canal === 'whatsapp')!.whatsapp!.parametros];

describe('interop: Twilio MCP server with the 24-hour window (ContentSid / ContentVariables)', () => {
  let db: TestDb;
  let fake: FakeTwilio;
  let pool: McpClientPool;
  let channels: McpChannelClient;
  let hook: Server;
  const callbacks: string[] = [];
  const rules: WindowRules = { contents: { [SID]: PARAMS.length }, open: new Set() };
  let scope: Scope;
  let t: string;
  let leadId: string;
  let harness: Awaited<ReturnType<typeof dispatchHarness>>;

  beforeAll(async () => {
    db = await openTestDb('postgres'); // the e2e project provides PostgreSQL 15
    fake = await startFakeTwilio({ apiKey: API_KEY, apiSecret: API_SECRET, sender: SENDER, window: rules });
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        callbacks.push(body);
        res.end();
      });
    });
    await new Promise<void>((ok) => hook.listen(0, '127.0.0.1', ok));
    const callbackUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/webhooks/twilio/cb`;
    const config = McpConfigSchema.parse({
      mcpServers: {
        twilio: {
          command: process.execPath,
          args: [twilioServerAgainst(fake.url), `${ACCOUNT_SID}/${API_KEY}:${API_SECRET}`],
          env: { TWILIO_WHATSAPP_FROM: SENDER },
        },
      },
      channels: {
        whatsapp: { server: 'twilio', preset: 'twilio-whatsapp', arguments: { StatusCallback: callbackUrl } },
      },
    });
    pool = new McpClientPool(config.mcpServers, silentLogger);
    channels = new McpChannelClient(config, pool, silentLogger, {}, 10_000);
    await channels.verify();
    harness = await dispatchHarness(db, channels);
    t = harness.tenantId;
    const tenant = await withTenant(db.kysely, t, (tx) =>
      tx.selectFrom('tenants').select(['tenant_id', 'slug', 'nome']).executeTakeFirstOrThrow(),
    );
    const deps = await makeDeps(db, {
      tenant,
      channels: () => channels.status(),
      env: { MICRO_AGENT_DISPARO_ENABLED: 'true' },
    });
    scope = createScope(deps);
    leadId = await insertLead(db.kysely, t, {
      nome: 'Mercado Janela Ltda',
      contato: 'Ana Lima',
      documento: '11444777000161',
      phones: [{ e164: PHONE }],
    });
  });

  afterAll(async () => {
    await closePool(pool);
    await fake?.close();
    await new Promise<void>((ok) => (hook ? hook.close(() => ok()) : ok()));
    await db?.destroy();
  });

  const enqueue = (key: string) =>
    scope.tx(async (tx) =>
      enqueueDisparos(
        tx,
        await loadDecisionContext(tx, scope, TEMPLATES),
        { leadIds: [leadId] },
        {
          campaignId: null,
          campaignKey: key,
          actor: 't',
          reason: 't',
        },
      ),
    );

  it('the preset (Body, ContentSid, ContentVariables, StatusCallback) fits the live CreateMessage schema', () => {
    expect(channels.status().find((s) => s.channel === 'whatsapp')).toMatchObject({ state: 'configured' });
  });

  it('outside the window without a registered template nothing reaches Twilio', async () => {
    expect(await enqueue('sem-modelo')).toMatchObject({ enqueued: 0, blocked: { sem_template_aprovado: 1 } });
    expect(fake.requests).toHaveLength(0);
  });

  it('with the approved ContentSid registered, Twilio receives ContentSid + ContentVariables and no Body', async () => {
    await manageTemplates(scope, {
      action: 'register',
      template_id: TEMPLATES.whatsapp,
      provider: 'twilio',
      name: SID,
      category: 'utility',
      params: PARAMS,
    });
    expect((await enqueue('com-modelo')).enqueued).toBe(1);
    await harness.drain();
    const [sent] = fake.created;
    expect(sent).toMatchObject({ contentSid: SID, body: '', to: `whatsapp:${PHONE}` });
    const vars = JSON.parse(sent!.variables!);
    expect(vars).toEqual({ '1': 'Ana', '2': 'Alquimista Cobranças', '3': 'Mercado Janela Ltda' });
    expect((await harness.rows()).at(-1)).toMatchObject({ status: 'enviado', message_id_externo: sent!.sid });
    expect(fake.failedLater).toEqual([]);
  });

  it('an unknown ContentSid is refused with Twilio’s 21655, read as a template refusal', async () => {
    const out = await channels.send('whatsapp', {
      to: PHONE,
      text: 'x',
      idempotencyKey: 'tw-unknown-sid',
      contentSid: `HX${'0'.repeat(32)}`,
      contentVariables: '{"1":"Ana"}',
      templateLanguage: 'pt_BR',
    });
    expect(out).toMatchObject({ ok: false, reason: 'template_refused', providerCode: '21655' });
  });

  it('a free Body outside the window: 201, then 63016 by the status callback → the message needs a template', async () => {
    const out = await channels.send('whatsapp', { to: PHONE, text: 'Oi, tudo bem?', idempotencyKey: 'tw-free-1' });
    expect(out).toMatchObject({ ok: true });
    const sid = (out as { messageId: string }).messageId;
    await withTenant(db.kysely, t, async (tx) => {
      await plantingFixtures(tx);
      await sql`insert into disparos (tenant_id, lead_id, canal, destino, template, variaveis, conteudo, idempotency_key,
                                      status, message_id_externo, enviado_em)
                values (${t}, ${leadId}, 'whatsapp', ${PHONE}, 'livre', '{}'::jsonb, 'Oi, tudo bem?', 'tw-free-1',
                        'enviado', ${sid}, now())`.execute(tx);
    });
    for (let i = 0; i < 50 && !callbacks.some((c) => c.includes(sid)); i++) await new Promise((r) => setTimeout(r, 50));
    const body = callbacks.find((c) => c.includes(sid))!;
    expect(new URLSearchParams(body).get('ErrorCode')).toBe('63016');
    const [status] = parseEvent('twilio', body, new Date()).statuses;
    await withTenant(db.kysely, t, (tx) => applyStatus(tx, { tenantId: t, actor: 't', now: new Date() }, status!));
    const row = (await harness.rows()).find((r) => r.message_id_externo === sid)!;
    expect(row.motivo).toMatch(/^sem_template_aprovado: fora da janela de 24 h.*63016/);
  });

  it('after the person writes, the follow-up is a free Body and Twilio delivers it', async () => {
    rules.open.add(PHONE);
    await withTenant(db.kysely, t, (tx) =>
      sql`insert into mensagens_recebidas (tenant_id, lead_id, canal, remetente, texto, recebida_em, message_id_externo,
                                           classe, confianca, remetente_formas, provedor)
          values (${t}, ${leadId}, 'whatsapp', ${PHONE}, 'Quero pagar', now() - interval '1 hour', 'SMin-1',
                  'interesse', 0.9, ${[PHONE]}::text[], 'twilio')`.execute(tx),
    );
    // The earlier tests wrote to this number seconds ago: our pair rate (one message per recipient per
    // 6.5 s, dispatch-limits) would hold this one; it is not what this test is about.
    await withTenant(db.kysely, t, (tx) =>
      sql`update rate_limits set par_intervalo_ms = 0 where tenant_id = ${t} and canal = 'whatsapp'`.execute(tx),
    );
    const before = fake.created.length;
    expect((await enqueue('dentro-da-janela')).enqueued).toBe(1);
    await harness.drain();
    const sent = fake.created[before]!;
    expect(sent.contentSid).toBeUndefined();
    expect(sent.body).toContain('Olá, Ana!');
    expect(fake.failedLater).toHaveLength(1); // only the earlier free Body outside the window
  });
});
