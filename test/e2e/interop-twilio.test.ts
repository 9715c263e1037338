/**
 * Interop with Twilio's own MCP server, offline: the real @twilio-alpha/mcp (stdio) whose bundled
 * OpenAPI spec points at a loopback fake of api.twilio.com (test/interop/fake-twilio.ts) that answers
 * with Twilio's full Message resource and Twilio's error bodies and statuses. Proves the
 * 'twilio-whatsapp' preset: it fits the live schema (AccountSid taken from the server's own launch
 * argument, the sender from the server's env block, written as Twilio's docs write it); a send reaches
 * the fake with To / From / Body right and the SID comes back; every refusal class reads as what it
 * is; and through the executor: a bad number marks the phone invalid and falls back to e-mail, 429 / 5xx
 * are retried, a slow answer past the timeout is `incerto`, a repeated idempotency key sends nothing new.
 *
 * The answers the real server gave are recorded in test/fixtures/outcomes/twilio.json
 * (RECORD_OUTCOMES=1 rewrites it) and read again by test/unit/outcome-readers.test.ts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpChannelClient } from '../../src/channels/channel-client.js';
import { McpConfigSchema, type McpConfig } from '../../src/channels/config.js';
import { McpClientPool } from '../../src/channels/pool.js';
import type { SendOutcome } from '../../src/core/outreach/channel-port.js';
import { silentLogger, type Logger } from '../../src/core/ports.js';
import { openTestDb, type TestDb } from '../helpers/db.js';
import { tempDir } from '../helpers/spawn.js';
import { dispatchHarness } from '../interop/dispatch-harness.js';
import { startFakeTwilio, SLOW_MS, type FakeTwilio } from '../interop/fake-twilio.js';
import { answerFromRaw, closePool, outcomeFixtures, packageVersion, ROOT } from '../interop/helpers.js';
import { twilioServerAgainst } from '../interop/twilio-server.js';

const ACCOUNT_SID = `AC${'0a1b2c3d'.repeat(4)}`;
const API_KEY = `SK${'9f8e7d6c'.repeat(4)}`;
const API_SECRET = 'fake-secret-for-loopback';
const SENDER = '+14155238886';

describe('interop: @twilio-alpha/mcp (stdio) → loopback fake of api.twilio.com', () => {
  let fake: FakeTwilio;
  let downFake: FakeTwilio;
  let pool: McpClientPool;
  let config: McpConfig;
  let channels: McpChannelClient;
  const fixtures = outcomeFixtures('twilio');
  const warnings: Array<{ obj: object; msg?: string }> = [];
  const logger: Logger = { ...silentLogger, warn: (obj, msg) => warnings.push({ obj, msg }), child: () => logger };

  const twilioServer = (baseUrl: string, secret: string, env: Record<string, string>) => ({
    command: process.execPath,
    args: [twilioServerAgainst(baseUrl), `${ACCOUNT_SID}/${API_KEY}:${secret}`],
    env,
  });

  beforeAll(async () => {
    fake = await startFakeTwilio({ apiKey: API_KEY, apiSecret: API_SECRET, sender: SENDER });
    // A fake that is closed again at once: its port refuses connections (the API is unreachable).
    downFake = await startFakeTwilio({ apiKey: API_KEY, apiSecret: API_SECRET, sender: SENDER });
    await downFake.close();
    const dir = tempDir('interop-twilio-');
    config = McpConfigSchema.parse({
      mcpServers: {
        // As Twilio's docs write the sender: with the channel prefix. Set in the server's env block.
        twilio: twilioServer(fake.url, API_SECRET, { TWILIO_WHATSAPP_FROM: `whatsapp:${SENDER}` }),
        'twilio-bad-secret': twilioServer(fake.url, 'wrong-secret', { TWILIO_WHATSAPP_FROM: SENDER }),
        'twilio-other-sender': twilioServer(fake.url, API_SECRET, { TWILIO_WHATSAPP_FROM: '+1 415 555 0000' }),
        'twilio-down': twilioServer(downFake.url, API_SECRET, { TWILIO_WHATSAPP_FROM: SENDER }),
        mail: {
          command: process.execPath,
          args: [join(ROOT, 'dist', 'sandbox', 'email-server.js')],
          env: { SANDBOX_RECORD: join(dir, 'email.jsonl') },
        },
      },
      channels: {
        whatsapp: { server: 'twilio', preset: 'twilio-whatsapp' },
        email: { server: 'mail', preset: 'sandbox-email' },
      },
    });
    pool = new McpClientPool(config.mcpServers, silentLogger);
    channels = new McpChannelClient(config, pool, logger, {}, 10_000);
    await channels.verify();
  });

  afterAll(async () => {
    fixtures.save({
      provider: 'twilio',
      server: `@twilio-alpha/mcp ${packageVersion('@twilio-alpha/mcp')}`,
      against: 'test/interop/fake-twilio.ts',
    });
    await closePool(pool);
    await fake?.close();
  });

  /** A channel layer whose whatsapp channel uses another of the configured Twilio servers. */
  const via = async (server: string) => {
    const c = new McpChannelClient(
      { ...config, channels: { whatsapp: { server, preset: 'twilio-whatsapp' } } },
      pool,
      silentLogger,
      {},
      10_000,
    );
    await c.verify();
    return c;
  };

  const record = (name: string, out: SendOutcome, expect: Parameters<typeof fixtures.add>[0]['expect']) => {
    if (out.raw !== null) fixtures.add({ case: name, answer: answerFromRaw(out.raw), expect });
  };

  it('verify(): the preset fits the live CreateMessage schema; AccountSid from the launch argument', () => {
    const wa = channels.status().find((s) => s.channel === 'whatsapp')!;
    expect(wa, JSON.stringify(wa)).toMatchObject({
      state: 'configured',
      preset: 'twilio-whatsapp',
      preset_proof: 'proven',
      detail: 'verified twilio/TwilioApiV2010--CreateMessage',
    });
    expect(warnings.filter((w) => w.msg === 'channel disabled')).toEqual([]);
  });

  it('delivers: the fake receives To, From and Body as Twilio wants them, and the SID comes back', async () => {
    const before = fake.created.length;
    const text = 'Olá, Maria! Seu boleto de novembro (R$ 1.234,56) vence amanhã.';
    const out = await channels.send('whatsapp', { to: '+5511987654321', text, idempotencyKey: 'tw-ok-1' });
    expect(out, JSON.stringify(out)).toMatchObject({ ok: true });
    expect(fake.created.length).toBe(before + 1);
    const got = fake.created.at(-1)!;
    expect(got).toMatchObject({ to: 'whatsapp:+5511987654321', from: `whatsapp:${SENDER}`, body: text });
    expect(fake.requests.at(-1)!.accountSid).toBe(ACCOUNT_SID);
    expect(fake.requests.at(-1)!.auth).toBe(`Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`);
    if (!out.ok) throw new Error('unreachable');
    expect(out.messageId).toBe(got.sid);
    // The success body holds "error_code": null — it must not read as a failure.
    expect(JSON.stringify(out.raw)).toContain('\\"error_code\\": null');
    record('created (201, status queued)', out, { kind: 'delivered', messageId: 'present' });
    expect(channels.status().find((s) => s.channel === 'whatsapp')!.last_success_at).toBeTruthy();
  });

  it.each([
    ['+15005550001', 'destino_invalido', 'bad_destination', '21211'],
    ['+15005550009', 'destino_invalido', 'bad_destination', '21614'],
    ['+5511900021610', 'politica', 'opted_out', '21610'],
    ['+5511900063016', 'politica', 'template_refused', '63016'],
    ['+5511900000429', 'transitorio', 'rate_limited', '20429'],
    ['+5511900000503', 'transitorio', 'server_error', '20503'],
    ['+5511900000500', 'transitorio', 'server_error', '20500'],
  ])('a refusal for %s reads as %s (%s, code %s)', async (to, errorClass, reason, code) => {
    const out = await channels.send('whatsapp', { to, text: 'Olá', idempotencyKey: `tw-${code}` });
    expect(out, JSON.stringify(out)).toMatchObject({ ok: false, errorClass, reason, providerCode: code });
    record(`refused ${code}`, out, {
      kind: errorClass === 'transitorio' ? 'refused_transiently' : 'refused_permanently',
      reason,
      code,
    });
    const last = channels.status().find((s) => s.channel === 'whatsapp')!.last_failure;
    expect(last).toMatchObject({ error_class: errorClass, reason, provider_code: code });
  });

  it('a wrong API secret is an auth refusal (20003), a sender Twilio does not know is 63007', async () => {
    const bad = await (
      await via('twilio-bad-secret')
    ).send('whatsapp', {
      to: '+5511987654321',
      text: 'x',
      idempotencyKey: 'tw-auth',
    });
    expect(bad).toMatchObject({ ok: false, errorClass: 'politica', reason: 'auth', providerCode: '20003' });
    record('refused 20003 (401)', bad, { kind: 'refused_permanently', reason: 'auth', code: '20003' });
    const other = await (
      await via('twilio-other-sender')
    ).send('whatsapp', {
      to: '+5511987654321',
      text: 'x',
      idempotencyKey: 'tw-from',
    });
    expect(other).toMatchObject({ ok: false, errorClass: 'politica', reason: 'auth', providerCode: '63007' });
    record('refused 63007 (unknown From)', other, { kind: 'refused_permanently', reason: 'auth', code: '63007' });
  });

  it('an unreachable API is an unknown outcome (the server cannot say whether it left)', async () => {
    const out = await (
      await via('twilio-down')
    ).send('whatsapp', {
      to: '+5511987654321',
      text: 'x',
      idempotencyKey: 'tw-down',
    });
    expect(out).toMatchObject({ ok: false, errorClass: 'desconhecido' });
    record('API unreachable (-32603 without a body)', out, { kind: 'unknown' });
  });

  it('a slow answer: unknown past the timeout (the message did go), delivered within it', async () => {
    const before = fake.created.length;
    const late = await channels.send(
      'whatsapp',
      { to: '+5511900000777', text: 'devagar', idempotencyKey: 'tw-slow-1' },
      { timeoutMs: 500 },
    );
    expect(late).toMatchObject({ ok: false, errorClass: 'desconhecido' });
    await new Promise((r) => setTimeout(r, SLOW_MS + 300));
    expect(fake.created.length).toBe(before + 1); // it was created: 'unknown' was the truth
    const inTime = await channels.send(
      'whatsapp',
      { to: '+5511900000777', text: 'devagar', idempotencyKey: 'tw-slow-2' },
      { timeoutMs: SLOW_MS + 5_000 },
    );
    expect(inTime).toMatchObject({ ok: true });
  });

  describe('through the executor', () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await openTestDb('postgres'); // the e2e project provides PostgreSQL 15
    });
    afterAll(async () => {
      await db?.destroy();
    });

    it('bad number → phone invalid + e-mail fallback; 429/5xx → retried; slow → incerto; same key → nothing new', async () => {
      const h = await dispatchHarness(db, channels, { sendTimeoutMs: 1_000 });
      const ok = await h.queue({ phone: '+5511987650001', key: 'ex-ok' });
      const bad = await h.queue({ phone: '+15005550001', email: 'maria@padaria.com.br', key: 'ex-bad' });
      const limited = await h.queue({ phone: '+5511900000429', key: 'ex-429' });
      const down = await h.queue({ phone: '+5511900000503', key: 'ex-503' });
      const slow = await h.queue({ phone: '+5511900000777', key: 'ex-slow' });
      const before = fake.created.length;
      await h.drain();
      const byLead = async () => new Map((await h.rows()).map((r) => [`${r.lead_id}:${r.canal}`, r]));
      let rows = await byLead();

      const sent = rows.get(`${ok}:whatsapp`)!;
      expect(sent).toMatchObject({ status: 'enviado', tentativas: 1 });
      expect(fake.created.map((c) => c.sid)).toContain(sent.message_id_externo);

      expect(rows.get(`${bad}:whatsapp`)).toMatchObject({ status: 'falhou', erro_classe: 'destino_invalido' });
      expect(rows.get(`${bad}:whatsapp`)!.motivo).toContain('bad_destination 21211');
      expect(await h.phone(bad)).toMatchObject({ valido_para_disparo: false });
      // The e-mail version was queued and went out through the e-mail channel.
      expect(rows.get(`${bad}:email`)).toMatchObject({
        status: 'enviado',
        destino: 'maria@padaria.com.br',
        idempotency_key: 'ex-bad:email',
      });

      const tries = new Map<string, number>();
      for (const id of [limited, down]) {
        const r = rows.get(`${id}:whatsapp`)!;
        expect(r).toMatchObject({ status: 'pendente', erro_classe: 'transitorio' });
        expect(r.motivo).toMatch(/erro transitório \((rate_limited 20429|server_error 20503)\)/);
        tries.set(id, r.tentativas);
      }
      expect(rows.get(`${slow}:whatsapp`)).toMatchObject({ status: 'incerto', erro_classe: 'desconhecido' });

      // The retries go out again (and are refused again): attempts count up, never 'incerto'.
      await h.makeDue();
      await h.drain(1);
      rows = await byLead();
      for (const id of [limited, down]) {
        const r = rows.get(`${id}:whatsapp`)!;
        expect(r).toMatchObject({ status: 'pendente', erro_classe: 'transitorio' });
        expect(r.tentativas).toBeGreaterThan(tries.get(id)!);
      }

      // A second disparo with a key already used is not queued; nothing new reaches Twilio.
      await new Promise((r) => setTimeout(r, SLOW_MS)); // the slow one lands at the fake meanwhile
      const created = fake.created.length;
      await h.queue({ phone: '+5511987650001', key: 'ex-ok' });
      await h.drain();
      expect(fake.created.length).toBe(created);
      expect((await h.rows()).filter((r) => r.idempotency_key === 'ex-ok')).toHaveLength(1);
      // ok + slow were created; the refusals created nothing.
      expect(created - before).toBe(2);
    });
  });
});
