import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classify, interpret, McpChannelClient } from '../../src/channels/channel-client.js';
import { McpClientPool } from '../../src/channels/pool.js';
import { PRESETS } from '../../src/channels/presets.js';
import { renderArguments, schemaProblems } from '../../src/channels/profile.js';
import { silentLogger } from '../../src/core/ports.js';
import { tempDir } from '../helpers/spawn.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SANDBOX = join(ROOT, 'dist', 'sandbox', 'whatsapp-server.js');

describe('channel profiles', () => {
  it.each([
    ['{{to|e164}}', { to: '5511987654321' }, '+5511987654321'],
    ['whatsapp:{{to|e164}}', { to: '+55 11 98765-4321' }, 'whatsapp:+5511987654321'],
    ['{{to|digits}}@c.us', { to: '+5511987654321' }, '5511987654321@c.us'],
    ['{{to|array}}', { to: 'a@b.com' }, ['a@b.com']],
    ['{{start|local}}', { start: '2026-11-24T10:00:00-03:00' }, '2026-11-24T10:00:00'],
    ['{{html}}', {}, undefined],
  ])('renders %s', (template, payload, expected) => {
    expect(renderArguments(template, payload)).toEqual(expected);
  });

  it('leaves out arguments that render to nothing and checks them against a schema', () => {
    const args = renderArguments(PRESETS['sandbox-email'].arguments, {
      to: 'a@b.com',
      subject: 'S',
      text: 'T',
      idempotencyKey: 'k',
    }) as Record<string, unknown>;
    expect(args).toEqual({ to: 'a@b.com', subject: 'S', text: 'T', idempotency_key: 'k' });
    expect(
      schemaProblems(args, {
        properties: { to: { type: 'string' }, subject: { type: 'string' }, text: { type: 'string' } },
        required: ['to', 'html'],
      }),
    ).toEqual(['missing required argument "html"', 'argument "idempotency_key" is not in the tool\'s schema']);
  });

  it.each([
    ['503 Service Unavailable: temporary failure, retry later', 'transitorio'],
    ['429 Too Many Requests: rate limited', 'transitorio'],
    ['400 invalid recipient: +5511 is not a WhatsApp user', 'destino_invalido'],
    ['550 mailbox unavailable: x@y.com', 'destino_invalido'],
    ['MCP error -32602: Input validation error: Invalid email address at to[0]', 'destino_invalido'],
    ['template not approved', 'politica'],
    ['something odd', 'desconhecido'],
  ])('classifies "%s" as %s', (text, cls) => {
    expect(classify(text)).toBe(cls);
  });

  it("calendar operations: the preset's, overridden or switched off (null) in mcp.json", () => {
    const pool = new McpClientPool({}, silentLogger);
    const make = (calendar: Record<string, unknown>) =>
      new McpChannelClient(
        {
          mcpServers: { cal: { command: 'x', args: [], env: {} } },
          channels: { calendar: { server: 'cal', ...calendar } },
        } as never,
        pool,
        silentLogger,
        { CALDAV_CALENDAR_URL: 'http://c/' },
      );
    expect(make({ preset: 'caldav-mcp' }).calendarOperations()).toMatchObject({
      available: true,
      idempotent: false,
      update: true,
      delete: true,
      list: true,
    });
    expect(make({ preset: 'caldav-mcp', operations: { delete: null } }).calendarOperations()).toMatchObject({
      update: true,
      delete: false,
      list: true,
    });
    expect(make({ preset: 'google-calendar' }).calendarOperations()).toMatchObject({
      update: true,
      delete: true,
      list: false,
    });
    expect(make({ tool: 'create_event' }).calendarOperations()).toMatchObject({
      update: false,
      delete: false,
      list: false,
    });
    expect(renderArguments(PRESETS['caldav-mcp'].operations!.delete!.arguments, { eventId: 'abc' })).toEqual({
      uid: 'abc',
      calendarUrl: '${CALDAV_CALENDAR_URL}',
    });
  });

  it('reads failures reported only in the text (lharries/whatsapp-mcp style)', () => {
    const out = interpret(
      { content: [{ type: 'text', text: 'Error: failed to send message' }] },
      PRESETS['lharries-whatsapp'],
    );
    expect(out).toMatchObject({ ok: false });
  });
});

describe('McpChannelClient against the sandbox server (stdio)', () => {
  const pools: McpClientPool[] = [];
  afterAll(async () => {
    for (const p of pools) await p.close();
  });
  const client = (env: Record<string, string>, timeoutMs = 5000) => {
    expect(existsSync(SANDBOX), 'run npm run build first').toBe(true);
    const dir = tempDir('chan-');
    const config = {
      mcpServers: {
        wa: {
          command: process.execPath,
          args: [SANDBOX],
          // Not about the platform's rules (the last test is): free text goes at any time.
          env: { SANDBOX_RECORD: join(dir, 'wa.jsonl'), SANDBOX_PLATFORM_RULES: 'off', ...env },
        },
      },
      channels: { whatsapp: { server: 'wa', preset: 'sandbox-whatsapp' } },
    };
    const pool = new McpClientPool(config.mcpServers as never, silentLogger);
    pools.push(pool);
    return new McpChannelClient(config as never, pool, silentLogger, {}, timeoutMs);
  };

  it('verifies the profile against the live tools/list and sends, keeping the WhatsApp id', async () => {
    const c = client({});
    await c.verify();
    expect(c.status().find((s) => s.channel === 'whatsapp')).toMatchObject({
      state: 'configured',
      detail: 'verified wa/send_message',
    });
    const out = await c.send('whatsapp', { to: '+5531987654321', text: 'Olá', idempotencyKey: 'k-1' });
    expect(out).toMatchObject({ ok: true, waId: '553187654321' });
    expect((out as { messageId: string }).messageId).toMatch(/^wamid\./);
  });

  it('a stalled server hits the call timeout: outcome unknown, not a failure', async () => {
    const c = client({ SANDBOX_STALL_MS: '3000' }, 300);
    const out = await c.send('whatsapp', { to: '+5511987654321', text: 'Olá', idempotencyKey: 'k-2' });
    expect(out).toMatchObject({ ok: false, errorClass: 'desconhecido' });
  });

  it('with the platform rules, reads the Cloud API refusals by code: 131047, 131026, 132001, 131056', async () => {
    const c = client({ SANDBOX_PLATFORM_RULES: 'on', SANDBOX_PAIR_RATE_MS: '60000' });
    expect(await c.send('whatsapp', { to: '+5511987654321', text: 'Olá', idempotencyKey: 'p-1' })).toMatchObject({
      ok: false,
      errorClass: 'politica',
      reason: 'template_refused',
      providerCode: '131047',
    });
    expect(await c.send('whatsapp', { to: '+5511913102001', text: 'Olá', idempotencyKey: 'p-2' })).toMatchObject({
      ok: false,
      errorClass: 'destino_invalido',
      reason: 'not_whatsapp_user',
      providerCode: '131026',
    });
    const tpl = { template: 'nao_existe', templateParams: [] };
    expect(
      await c.send('whatsapp', { to: '+5511987654321', text: 'Olá', idempotencyKey: 'p-3', ...tpl }),
    ).toMatchObject({ ok: false, reason: 'template_refused', providerCode: '132001' });
    const ok = { template: 'confirmacao_reuniao_whatsapp_v1', templateParams: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] };
    expect(await c.send('whatsapp', { to: '+5511987654321', text: 'Olá', idempotencyKey: 'p-4', ...ok })).toMatchObject(
      {
        ok: true,
      },
    );
    expect(await c.send('whatsapp', { to: '+5511987654321', text: 'Olá', idempotencyKey: 'p-5', ...ok })).toMatchObject(
      {
        ok: false,
        errorClass: 'transitorio',
        reason: 'rate_limited',
        providerCode: '131056',
      },
    );
  });

  it('reconnects after the downstream server crashed', async () => {
    const c = client({ SANDBOX_CRASH_AFTER: '1' });
    expect(await c.send('whatsapp', { to: '+5511987654321', text: '1', idempotencyKey: 'c-1' })).toMatchObject({
      ok: true,
    });
    expect(await c.send('whatsapp', { to: '+5511987654322', text: '2', idempotencyKey: 'c-2' })).toMatchObject({
      ok: false,
      errorClass: 'desconhecido',
    });
    // A new server process (the record file tells it c-2 was sent): the retry is answered from memory.
    expect(await c.send('whatsapp', { to: '+5511987654322', text: '2', idempotencyKey: 'c-2' })).toMatchObject({
      ok: true,
    });
  });
});
