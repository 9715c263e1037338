/**
 * Interop with Resend's own MCP server, offline: the real resend-mcp (npm, stdio) with RESEND_BASE_URL
 * pointed at a loopback fake of api.resend.com (test/interop/fake-resend.ts) that answers with
 * Resend's bodies, statuses and idempotency rules. Proves the 'resend' preset: it fits the live schema
 * both ways a sender can be set (SENDER_EMAIL_ADDRESS on the server, or RESEND_FROM given in the
 * server's env block); a send reaches the fake with from / to / subject / text / html and the id comes
 * back; the idempotency key is passed as Resend's Idempotency-Key, so a repeated send delivers nothing
 * new; each refusal class reads as what it is; and through the executor an unknown outcome (a slow
 * answer) is retried safely and ends `enviado` with one e-mail, a bad address is marked invalid, a
 * 429 is retried.
 *
 * The answers are recorded in test/fixtures/outcomes/resend.json (RECORD_OUTCOMES=1 rewrites it).
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpChannelClient } from '../../src/channels/channel-client.js';
import { McpConfigSchema, type McpConfig } from '../../src/channels/config.js';
import { McpClientPool } from '../../src/channels/pool.js';
import type { SendOutcome } from '../../src/core/outreach/channel-port.js';
import { silentLogger } from '../../src/core/ports.js';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, type TestDb } from '../helpers/db.js';
import { dispatchHarness } from '../interop/dispatch-harness.js';
import { SLOW_MS, startFakeResend, type FakeResend } from '../interop/fake-resend.js';
import { answerFromRaw, closePool, outcomeFixtures, packageBin, packageVersion, ROOT } from '../interop/helpers.js';
import { tempDir } from '../helpers/spawn.js';

const API_KEY = 're_test_loopback_0123456789';

describe('interop: resend-mcp (stdio) → loopback fake of api.resend.com', () => {
  let fake: FakeResend;
  let pool: McpClientPool;
  let config: McpConfig;
  const fixtures = outcomeFixtures('resend');

  const server = (baseUrl: string, env: Record<string, string>) => ({
    command: process.execPath,
    args: [packageBin('resend-mcp')],
    // Its `dotenv/config` reads .env from the working directory: an empty temp dir.
    cwd: tempDir('resend-cwd-'),
    env: { RESEND_API_KEY: API_KEY, RESEND_BASE_URL: baseUrl, NODE_ENV: 'production', ...env },
  });

  beforeAll(async () => {
    fake = await startFakeResend({ apiKey: API_KEY, domain: 'alquimista.ai' });
    config = McpConfigSchema.parse({
      mcpServers: {
        'resend-sender': server(fake.url, { SENDER_EMAIL_ADDRESS: 'Alquimista Cobranças <cobranca@alquimista.ai>' }),
        // No SENDER_EMAIL_ADDRESS: the tool requires "from"; RESEND_FROM is given in this env block.
        'resend-from': server(fake.url, { RESEND_FROM: 'Alquimista <agente@alquimista.ai>' }),
        'resend-bad-key': {
          ...server(fake.url, { SENDER_EMAIL_ADDRESS: 'cobranca@alquimista.ai' }),
          env: {
            RESEND_API_KEY: 're_wrong',
            RESEND_BASE_URL: fake.url,
            SENDER_EMAIL_ADDRESS: 'cobranca@alquimista.ai',
            NODE_ENV: 'production',
          },
        },
        'resend-unverified': server(fake.url, { SENDER_EMAIL_ADDRESS: 'cobranca@gmail.com' }),
      },
      channels: { email: { server: 'resend-sender', preset: 'resend' } },
    });
    pool = new McpClientPool(config.mcpServers, silentLogger);
  });

  afterAll(async () => {
    fixtures.save({
      provider: 'resend',
      server: `resend-mcp ${packageVersion('resend-mcp')}`,
      against: 'test/interop/fake-resend.ts',
    });
    await closePool(pool);
    await fake?.close();
  });

  const via = async (name: string, env: Record<string, string> = {}) => {
    const c = new McpChannelClient(
      { ...config, channels: { email: { server: name, preset: 'resend' } } },
      pool,
      silentLogger,
      env,
      10_000,
    );
    await c.verify();
    return c;
  };
  const record = (name: string, out: SendOutcome, expect: Parameters<typeof fixtures.add>[0]['expect']) => {
    if (out.raw !== null) fixtures.add({ case: name, answer: answerFromRaw(out.raw), expect });
  };
  const mail = (to: string, key: string) => ({
    to,
    subject: 'Lembrete de pagamento — Padaria Pão Quente',
    text: 'Olá, Maria! Seu boleto vence amanhã (R$ 1.234,56).',
    html: '<p>Olá, Maria! Seu boleto vence <b>amanhã</b>.</p>',
    idempotencyKey: key,
  });

  it('verify(): fits the live send-email schema with the sender on the server, and with RESEND_FROM', async () => {
    for (const name of ['resend-sender', 'resend-from']) {
      const email = (await via(name)).status().find((s) => s.channel === 'email')!;
      expect(email, JSON.stringify(email)).toMatchObject({
        state: 'configured',
        preset_proof: 'proven',
        detail: `verified ${name}/send-email`,
      });
    }
  });

  it('without any sender the channel is disabled, naming both ways to set one', async () => {
    const cfg = McpConfigSchema.parse({
      mcpServers: { r: server(fake.url, {}) },
      channels: { email: { server: 'r', preset: 'resend' } },
    });
    const own = new McpClientPool(cfg.mcpServers, silentLogger);
    const c = new McpChannelClient(cfg, own, silentLogger, {});
    await c.verify();
    await closePool(own);
    const email = c.status().find((s) => s.channel === 'email')!;
    expect(email.state).toBe('config_error');
    expect(email.detail).toContain('missing required argument "from" (set RESEND_FROM');
    expect(email.detail).toContain('SENDER_EMAIL_ADDRESS');
  });

  it('delivers from / to / subject / text / html; a repeated key delivers nothing new', async () => {
    for (const [name, from] of [
      ['resend-sender', 'Alquimista Cobranças <cobranca@alquimista.ai>'],
      ['resend-from', 'Alquimista <agente@alquimista.ai>'],
    ] as const) {
      const c = await via(name);
      const before = fake.delivered.length;
      const out = await c.send('email', mail('maria@padaria.com.br', `rs-ok-${name}`));
      expect(out, JSON.stringify(out)).toMatchObject({ ok: true });
      expect(fake.delivered.length).toBe(before + 1);
      const got = fake.delivered.at(-1)!;
      expect(got).toMatchObject({
        from,
        to: ['maria@padaria.com.br'],
        subject: 'Lembrete de pagamento — Padaria Pão Quente',
        text: 'Olá, Maria! Seu boleto vence amanhã (R$ 1.234,56).',
        html: '<p>Olá, Maria! Seu boleto vence <b>amanhã</b>.</p>',
        idempotencyKey: `rs-ok-${name}`,
      });
      if (!out.ok) throw new Error('unreachable');
      expect(out.messageId).toBe(got.id);
      if (name === 'resend-sender') record('sent (200 {id})', out, { kind: 'delivered', messageId: 'present' });

      const again = await c.send('email', mail('maria@padaria.com.br', `rs-ok-${name}`));
      expect(again).toMatchObject({ ok: true, messageId: got.id });
      expect(fake.delivered.length).toBe(before + 1);
    }
  });

  it.each([
    ['ratelimit@padaria.com.br', 'transitorio', 'rate_limited', 'rate_limit_exceeded'],
    ['quota@padaria.com.br', 'transitorio', 'rate_limited', 'daily_quota_exceeded'],
    ['falha500@padaria.com.br', 'transitorio', 'server_error', 'internal_server_error'],
    ['invalido@padaria.com.br', 'destino_invalido', 'bad_destination', 'validation_error'],
  ])('a refusal for %s reads as %s (%s, %s)', async (to, errorClass, reason, code) => {
    const c = await via('resend-sender');
    const out = await c.send('email', mail(to, `rs-${to}`));
    expect(out, JSON.stringify(out)).toMatchObject({ ok: false, errorClass, reason, providerCode: code });
    record(`refused ${code} (${to.split('@')[0]})`, out, {
      kind: errorClass === 'transitorio' ? 'refused_transiently' : 'refused_permanently',
      reason,
      code,
    });
  });

  it('a wrong key is auth; an unverified sender domain is a refusal; a reused key with another payload too', async () => {
    const bad = await (await via('resend-bad-key')).send('email', mail('maria@padaria.com.br', 'rs-auth'));
    expect(bad).toMatchObject({ ok: false, errorClass: 'politica', reason: 'auth', providerCode: 'validation_error' });
    record('refused 401 API key is invalid', bad, {
      kind: 'refused_permanently',
      reason: 'auth',
      code: 'validation_error',
    });
    const domain = await (await via('resend-unverified')).send('email', mail('maria@padaria.com.br', 'rs-domain'));
    expect(domain).toMatchObject({ ok: false, errorClass: 'politica', reason: 'refused' });
    record('refused 403 domain not verified', domain, {
      kind: 'refused_permanently',
      reason: 'refused',
      code: 'validation_error',
    });
    const c = await via('resend-sender');
    const reused = await c.send('email', { ...mail('maria@padaria.com.br', 'rs-ok-resend-sender'), text: 'outro' });
    expect(reused).toMatchObject({ ok: false, errorClass: 'politica', providerCode: 'invalid_idempotent_request' });
    record('refused 409 invalid_idempotent_request', reused, {
      kind: 'refused_permanently',
      reason: 'refused',
      code: 'invalid_idempotent_request',
    });
  });

  it('unreachable API: unknown (the SDK cannot tell whether the request left)', async () => {
    const down = await startFakeResend({ apiKey: API_KEY, domain: 'alquimista.ai' });
    await down.close();
    const cfg = McpConfigSchema.parse({
      mcpServers: { r: server(down.url, { SENDER_EMAIL_ADDRESS: 'cobranca@alquimista.ai' }) },
      channels: { email: { server: 'r', preset: 'resend' } },
    });
    const own = new McpClientPool(cfg.mcpServers, silentLogger);
    const c = new McpChannelClient(cfg, own, silentLogger, {});
    await c.verify();
    const out = await c.send('email', mail('maria@padaria.com.br', 'rs-down'));
    await closePool(own);
    expect(out).toMatchObject({ ok: false, errorClass: 'desconhecido' });
    record('API unreachable (application_error, statusCode null)', out, { kind: 'unknown' });
  });

  describe('through the executor', () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await openTestDb('postgres');
    });
    afterAll(async () => {
      await db?.destroy();
    });

    it('slow → unknown → retried with the same key → enviado, one e-mail; bad address invalid; 429 retried', async () => {
      const channels = await via('resend-sender');
      const h = await dispatchHarness(db, channels, { sendTimeoutMs: 800 });
      const slow = await h.queue({
        phone: '+5511987650101',
        email: 'devagar@padaria.com.br',
        key: 'rx-slow',
        canal: 'email',
      });
      const bad = await h.queue({
        phone: '+5511987650102',
        email: 'invalido@padaria.com.br',
        key: 'rx-bad',
        canal: 'email',
      });
      const limited = await h.queue({
        phone: '+5511987650103',
        email: 'ratelimit@padaria.com.br',
        key: 'rx-429',
        canal: 'email',
      });
      await h.drain(1);
      let rows = new Map((await h.rows()).map((r) => [r.lead_id, r]));
      // Resend honours the key: an unknown outcome is retried, not left incerto.
      expect(rows.get(slow)).toMatchObject({ status: 'pendente', erro_classe: 'desconhecido' });
      expect(rows.get(bad)).toMatchObject({ status: 'falhou', erro_classe: 'destino_invalido' });
      expect(rows.get(limited)).toMatchObject({ status: 'pendente', erro_classe: 'transitorio' });
      const invalid = await withTenant(db.kysely, h.tenantId, (tx) =>
        sql<{
          valido_para_disparo: boolean;
        }>`select valido_para_disparo from lead_emails where lead_id = ${bad}`.execute(tx),
      );
      expect(invalid.rows[0].valido_para_disparo).toBe(false);

      await new Promise((r) => setTimeout(r, SLOW_MS + 300)); // the first attempt lands meanwhile
      await h.makeDue();
      await h.drain(1);
      rows = new Map((await h.rows()).map((r) => [r.lead_id, r]));
      expect(rows.get(slow)).toMatchObject({ status: 'enviado' });
      const slowMails = fake.delivered.filter((d) => d.idempotencyKey === 'rx-slow');
      expect(slowMails).toHaveLength(1);
      expect(rows.get(slow)!.message_id_externo).toBe(slowMails[0].id);
    });
  });
});
