/**
 * Interop with mcp-mail-server (npm, stdio), offline: SMTP to a loopback sink (smtp-server +
 * mailparser) and IMAP to a real Dovecot (Debian dovecot-imapd) started unprivileged on loopback, where
 * the server files a copy of every message it sends in Sent before it answers. Proves the
 * 'mcp-mail-server' preset: it fits the live send_email schema (the old preset named a tool,
 * "sendMail", the server does not have); a send reaches the sink with from / to / subject / text /
 * html, the Message-ID comes back and the copy is in Dovecot's Sent; SMTP refusals read by their reply
 * codes (550 5.1.1 bad address, 452 transient, 535 auth, server down → not sent); the time a send takes
 * with the IMAP copy is measured against the preset's timeout; and through the executor a refused
 * address is marked invalid, a 452 retried, a repeated key sends nothing new.
 *
 * The answers are recorded in test/fixtures/outcomes/mcp-mail-server.json (RECORD_OUTCOMES=1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpChannelClient } from '../../src/channels/channel-client.js';
import { McpConfigSchema, type McpConfig } from '../../src/channels/config.js';
import { McpClientPool } from '../../src/channels/pool.js';
import { PRESETS } from '../../src/channels/presets.js';
import type { SendOutcome } from '../../src/core/outreach/channel-port.js';
import { silentLogger } from '../../src/core/ports.js';
import { openTestDb, type TestDb } from '../helpers/db.js';
import { dispatchHarness } from '../interop/dispatch-harness.js';
import { startDovecot, type Dovecot } from '../interop/dovecot.js';
import {
  answerFromRaw,
  closePool,
  outcomeFixtures,
  packageBin,
  packageVersion,
  startSink,
  waitFor,
  type Sink,
} from '../interop/helpers.js';

const USER = 'agente@alquimista.ai';
const PASS = 'segredo-de-teste';

describe('interop: mcp-mail-server (stdio) → SMTP sink + real Dovecot IMAP on loopback', () => {
  let sink: Sink;
  let dovecot: Dovecot;
  let pool: McpClientPool;
  let config: McpConfig;
  let channels: McpChannelClient;
  const fixtures = outcomeFixtures('mcp-mail-server');
  const timings: number[] = [];

  const server = (smtpPort: number, imapPort: number, password = PASS) => ({
    command: process.execPath,
    args: [packageBin('mcp-mail-server')],
    env: {
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(imapPort),
      IMAP_SECURE: 'false',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      SMTP_SECURE: 'false',
      EMAIL_USER: USER,
      EMAIL_PASS: password,
    },
  });

  beforeAll(async () => {
    sink = await startSink();
    dovecot = await startDovecot({ [USER]: PASS });
    config = McpConfigSchema.parse({
      mcpServers: {
        mail: server(sink.port, dovecot.port),
        'mail-bad-login': server(sink.port, dovecot.port, 'wrong-password'),
        'mail-smtp-down': server(1, dovecot.port),
      },
      channels: { email: { server: 'mail', preset: 'mcp-mail-server' } },
    });
    pool = new McpClientPool(config.mcpServers, silentLogger);
    channels = new McpChannelClient(config, pool, silentLogger, {}, 10_000);
    await channels.verify();
  });

  afterAll(async () => {
    fixtures.save({
      provider: 'mcp-mail-server',
      server: `mcp-mail-server ${packageVersion('mcp-mail-server')}`,
      against: 'test/interop/helpers.ts startSink (SMTP) + Debian dovecot-imapd (IMAP)',
    });
    if (timings.length)
      process.stderr.write(
        `mcp-mail-server send + IMAP copy, ms: ${timings.map((t) => t.toFixed(0)).join(', ')} (preset timeout ${PRESETS['mcp-mail-server'].timeoutMs} ms)\n`,
      );
    await closePool(pool);
    await sink?.close();
    await dovecot?.stop();
  });

  const via = async (name: string) => {
    const c = new McpChannelClient(
      { ...config, channels: { email: { server: name, preset: 'mcp-mail-server' } } },
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

  it('verify(): the preset fits the live send_email schema', () => {
    const email = channels.status().find((s) => s.channel === 'email')!;
    expect(email, JSON.stringify(email)).toMatchObject({
      state: 'configured',
      preset_proof: 'proven',
      detail: 'verified mail/send_email',
    });
  });

  it('delivers from / to / subject / text / html, returns the Message-ID, files a copy in Dovecot Sent', async () => {
    const before = sink.messages.length;
    const subject = `Lembrete de pagamento — Padaria Pão Quente ${Date.now()}`;
    const text = 'Olá, Maria!\n\nSeu boleto de novembro vence amanhã (R$ 1.234,56).';
    const html = '<p>Olá, Maria!</p><p>Seu boleto vence <b>amanhã</b>.</p>';
    const t0 = performance.now();
    const out = await channels.send('email', {
      to: 'maria@padaria.com.br',
      subject,
      text,
      html,
      idempotencyKey: 'ms-ok-1',
    });
    timings.push(performance.now() - t0);
    expect(out, JSON.stringify(out)).toMatchObject({ ok: true });
    await waitFor('the message at the SMTP sink', () => sink.messages.length > before, 10_000);
    const got = sink.messages.slice(before);
    expect(got).toHaveLength(1);
    const [mail] = got;
    expect(mail.subject).toBe(subject);
    expect(mail.text?.replace(/\r\n/g, '\n').trim()).toBe(text);
    expect(mail.html).toContain('<b>amanhã</b>');
    expect(mail.from?.value[0].address).toBe(USER);
    expect(sink.envelopes.at(-1)).toMatchObject({ from: USER, to: ['maria@padaria.com.br'] });
    if (!out.ok) throw new Error('unreachable');
    expect(`<${out.messageId}>`).toBe(mail.messageId);
    // The copy it filed over IMAP, in the real Dovecot's Maildir.
    const sent = dovecot.messages(USER, 'Sent');
    expect(sent.some((m) => m.includes(subject) && m.includes(mail.messageId!))).toBe(true);
    expect(JSON.stringify(out.raw)).toContain('sentFolderSaved');
    record('sent (accepted, copy filed in Sent)', out, { kind: 'delivered', messageId: 'present' });
    // A second send reuses the IMAP connection: also timed.
    const t1 = performance.now();
    expect(
      await channels.send('email', { to: 'joao@padaria.com.br', subject, text, idempotencyKey: 'ms-ok-2' }),
    ).toMatchObject({ ok: true });
    timings.push(performance.now() - t1);
    expect(Math.max(...timings)).toBeLessThan(PRESETS['mcp-mail-server'].timeoutMs!);
  });

  it('550 5.1.1 → bad destination; 452 → transient; both reach no one', async () => {
    const before = sink.messages.length;
    const bad = await channels.send('email', {
      to: 'unknown.user@padaria.com.br',
      subject: 's',
      text: 't',
      idempotencyKey: 'ms-550',
    });
    expect(bad, JSON.stringify(bad)).toMatchObject({
      ok: false,
      errorClass: 'destino_invalido',
      reason: 'bad_destination',
      providerCode: '550 5.1.1',
    });
    record('refused 550 5.1.1 (recipient rejected)', bad, {
      kind: 'refused_permanently',
      reason: 'bad_destination',
      code: '550 5.1.1',
    });
    const full = await channels.send('email', {
      to: 'full.box@padaria.com.br',
      subject: 's',
      text: 't',
      idempotencyKey: 'ms-452',
    });
    expect(full, JSON.stringify(full)).toMatchObject({
      ok: false,
      errorClass: 'transitorio',
      reason: 'server_error',
      providerCode: '452 4.2.2',
    });
    record('refused 452 4.2.2 (mailbox full)', full, {
      kind: 'refused_transiently',
      reason: 'server_error',
      code: '452 4.2.2',
    });
    expect(sink.messages.length).toBe(before);
  });

  it('a refused login is auth; an SMTP server that is down is "not sent" (transient), not unknown', async () => {
    const login = await (
      await via('mail-bad-login')
    ).send('email', {
      to: 'maria@padaria.com.br',
      subject: 's',
      text: 't',
      idempotencyKey: 'ms-535',
    });
    expect(login, JSON.stringify(login)).toMatchObject({
      ok: false,
      errorClass: 'politica',
      reason: 'auth',
      providerCode: '535 5.7.8',
    });
    record('refused 535 5.7.8 (login)', login, { kind: 'refused_permanently', reason: 'auth', code: '535 5.7.8' });
    const down = await (
      await via('mail-smtp-down')
    ).send('email', {
      to: 'maria@padaria.com.br',
      subject: 's',
      text: 't',
      idempotencyKey: 'ms-down',
    });
    expect(down, JSON.stringify(down)).toMatchObject({ ok: false, errorClass: 'transitorio', reason: 'not_sent' });
    record('SMTP down (ECONNREFUSED)', down, { kind: 'refused_transiently', reason: 'not_sent', code: null });
  });

  describe('through the executor', () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await openTestDb('postgres');
    });
    afterAll(async () => {
      await db?.destroy();
    });

    it('refused address → invalid; 452 → retried; sent once; a repeated key sends nothing new', async () => {
      const h = await dispatchHarness(db, channels);
      const ok = await h.queue({ phone: '+5511987650201', email: 'ana@mercado.com.br', key: 'mx-ok', canal: 'email' });
      const bad = await h.queue({
        phone: '+5511987650202',
        email: 'unknown.ana@mercado.com.br',
        key: 'mx-bad',
        canal: 'email',
      });
      const full = await h.queue({
        phone: '+5511987650203',
        email: 'full.ana@mercado.com.br',
        key: 'mx-full',
        canal: 'email',
      });
      const before = sink.messages.length;
      await h.drain(1);
      const rows = new Map((await h.rows()).map((r) => [r.lead_id, r]));
      expect(rows.get(ok)).toMatchObject({ status: 'enviado' });
      expect(rows.get(bad)).toMatchObject({ status: 'falhou', erro_classe: 'destino_invalido' });
      expect(rows.get(bad)!.motivo).toContain('bad_destination 550 5.1.1');
      expect(rows.get(full)).toMatchObject({ status: 'pendente', erro_classe: 'transitorio' });
      await waitFor('one message at the sink', () => sink.messages.length === before + 1, 10_000);
      expect(`<${rows.get(ok)!.message_id_externo}>`).toBe(sink.messages.at(-1)!.messageId);

      await h.queue({ phone: '+5511987650201', email: 'ana@mercado.com.br', key: 'mx-ok', canal: 'email' });
      await h.drain(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.messages.length).toBe(before + 1);
    });
  });
});
