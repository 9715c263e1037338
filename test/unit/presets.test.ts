/**
 * Presets are promises (DESIGN §8): each is proven by a named test that runs its real server, or
 * marked unverified with a reason — in code, in get_status and in the README. This fails when a
 * preset is neither, when its named test does not exist or never uses it, or when the README says
 * otherwise. Plus what a user meets configuring one: variables from either env, normalised values,
 * merged argument overrides, and warnings at start-up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { McpChannelClient, whatsappFields } from '../../src/channels/channel-client.js';
import { McpConfigSchema } from '../../src/channels/config.js';
import { McpClientPool } from '../../src/channels/pool.js';
import { PRESETS } from '../../src/channels/presets.js';
import { renderArguments } from '../../src/channels/profile.js';
import { normalizeE164 } from '../../src/channels/variables.js';
import { silentLogger, type Logger } from '../../src/core/ports.js';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('every preset is proven or marked unverified', () => {
  it.each(Object.entries(PRESETS))('%s', (name, preset) => {
    expect(preset.proof, `${name} has no proof`).toBeDefined();
    if (preset.proof.status === 'proven') {
      const file = join(ROOT, preset.proof.test);
      expect(existsSync(file), `${name}: ${preset.proof.test} does not exist`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${preset.proof.test} never uses the preset ${name}`).toContain(`'${name}'`);
      expect(preset.proof.against).toMatch(/\S/);
    } else {
      expect(preset.proof.status).toBe('unverified');
      expect(preset.proof.reason.length).toBeGreaterThan(20);
    }
    // The README's preset table has a row for it with the same label.
    const row = README.split('\n').find((l) => l.startsWith('|') && l.includes(`\`${name}\``));
    expect(row, `README has no preset-table row for ${name}`).toBeDefined();
    expect(row).toContain(preset.proof.status === 'proven' ? '**proven**' : '**unverified**');
  });
});

const logs: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn: (obj, msg) => logs.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  error() {},
  child: () => logger,
};

const make = (
  servers: Record<string, unknown>,
  channels: Record<string, unknown>,
  env: Record<string, string | undefined> = {},
) => {
  const config = McpConfigSchema.parse({ mcpServers: servers, channels });
  return new McpChannelClient(config, new McpClientPool(config.mcpServers, silentLogger), logger, env);
};
const TWILIO_ARGS = ['-y', '@twilio-alpha/mcp', `AC${'1'.repeat(32)}/SK${'2'.repeat(32)}:secret`];
const argsOf = (c: McpChannelClient) =>
  (c as unknown as { channels: Map<string, { profile: { arguments: Record<string, unknown> } | null }> }).channels.get(
    'whatsapp',
  )!.profile!.arguments;

describe('configuring a preset', () => {
  it("variables come from the downstream server's env block, normalised; AccountSid from its launch argument", () => {
    const c = make(
      { tw: { command: 'npx', args: TWILIO_ARGS, env: { TWILIO_WHATSAPP_FROM: 'whatsapp:+1 (415) 523-8886' } } },
      { whatsapp: { server: 'tw', preset: 'twilio-whatsapp' } },
    );
    expect(c.status()[0].state).toBe('configured');
    // Inside the 24-hour window: free text (Body).
    expect(renderArguments(argsOf(c), { to: '+5511987654321', text: 'oi', freeText: 'oi' })).toEqual({
      AccountSid: `AC${'1'.repeat(32)}`,
      To: 'whatsapp:+5511987654321',
      From: 'whatsapp:+14155238886', // not whatsapp:whatsapp:+1…
      Body: 'oi',
    });
    // Outside it: the approved template, ContentSid + ContentVariables, no Body.
    const sid = `HX${'a'.repeat(32)}`;
    expect(
      renderArguments(argsOf(c), {
        to: '+5511987654321',
        text: 'oi',
        contentSid: sid,
        contentVariables: '{"1":"Ana"}',
      }),
    ).toEqual({
      AccountSid: `AC${'1'.repeat(32)}`,
      To: 'whatsapp:+5511987654321',
      From: 'whatsapp:+14155238886',
      ContentSid: sid,
      ContentVariables: '{"1":"Ana"}',
    });
  });

  it("or from this server's environment; unset in both → an error naming the variable and both places, logged at warn", () => {
    logs.length = 0;
    const ours = make(
      { tw: { command: 'npx', args: TWILIO_ARGS } },
      { whatsapp: { server: 'tw', preset: 'twilio-whatsapp' } },
      { TWILIO_WHATSAPP_FROM: '+14155238886' },
    );
    expect(ours.status()[0].state).toBe('configured');
    const none = make(
      { tw: { command: 'npx', args: TWILIO_ARGS } },
      { whatsapp: { server: 'tw', preset: 'twilio-whatsapp' } },
    );
    const st = none.status()[0];
    expect(st.state).toBe('config_error');
    expect(st.detail).toContain('TWILIO_WHATSAPP_FROM');
    expect(st.detail).toContain('mcpServers.tw.env');
    expect(st.detail).toContain("this server's environment");
    const warn = logs.find((l) => l.msg === 'channel disabled');
    expect(warn?.obj).toMatchObject({ channel: 'whatsapp', reason: st.detail });
    expect(String(warn?.obj.fix)).toMatch(/set the variable/);
  });

  it('a sender that is not a phone number is refused by name', () => {
    const c = make(
      { tw: { command: 'npx', args: TWILIO_ARGS, env: { TWILIO_WHATSAPP_FROM: 'whatsapp:meu-numero' } } },
      { whatsapp: { server: 'tw', preset: 'twilio-whatsapp' } },
    );
    expect(c.status()[0]).toMatchObject({ state: 'config_error' });
    expect(c.status()[0].detail).toContain(
      'TWILIO_WHATSAPP_FROM is "whatsapp:meu-numero", not a phone number in E.164',
    );
    expect(normalizeE164('X', ' whatsapp:+55 (11) 98765-4321 ')).toBe('+5511987654321');
  });

  it('an override of one argument merges with the preset; null removes one', () => {
    const c = make(
      { tw: { command: 'npx', args: TWILIO_ARGS, env: { TWILIO_WHATSAPP_FROM: '+14155238886' } } },
      {
        whatsapp: {
          server: 'tw',
          preset: 'twilio-whatsapp',
          arguments: { StatusCallback: 'https://exemplo.com.br/twilio', Body: null, ContentSid: 'HX123' },
        },
      },
    );
    expect(renderArguments(argsOf(c), { to: '+5511987654321', text: 'oi' })).toEqual({
      AccountSid: `AC${'1'.repeat(32)}`,
      To: 'whatsapp:+5511987654321',
      From: 'whatsapp:+14155238886',
      StatusCallback: 'https://exemplo.com.br/twilio',
      ContentSid: 'HX123',
    });
  });

  it('a channel on an unverified preset says so at start-up and in its status', () => {
    logs.length = 0;
    const c = make({ w: { command: 'waha-mcp' } }, { whatsapp: { server: 'w', preset: 'waha' } });
    expect(c.status()[0]).toMatchObject({ preset: 'waha', preset_proof: 'unverified' });
    expect(c.status()[0].preset_proof_detail).toMatch(/no runnable server package/);
    expect(logs.some((l) => l.obj.preset === 'waha' && /unverified/.test(l.msg ?? ''))).toBe(true);
  });
});

describe('a call that never left', () => {
  it('a downstream server that cannot be started: refused transiently (not_sent), not unknown', async () => {
    const c = make(
      { mail: { command: '/nonexistent/mcp-mail-server', args: [] } },
      { email: { server: 'mail', preset: 'mcp-mail-server' } },
    );
    const out = await c.send('email', { to: 'a@b.com.br', subject: 's', text: 't', idempotencyKey: 'k' }, {});
    // verify() never ran, so the channel is still 'configured' and the call is attempted.
    expect(out).toMatchObject({ ok: false, errorClass: 'transitorio', reason: 'not_sent' });
  });
});

describe('a Cloud-API-style profile (issue 16)', () => {
  // As Meta's /messages takes it: the template object outside the window, text.body inside it.
  const profile = { to: '{{to|digits}}', template: '{{waTemplate}}', text: { body: '{{freeText}}' } };

  it('sends the template object {name, language.code, components[body parameters]} outside the window', () => {
    const fields = whatsappFields({
      to: '+5511987654321',
      text: 'Olá, Ana!',
      idempotencyKey: 'k',
      template: 'cobranca_padrao_whatsapp_v2',
      templateLanguage: 'pt_BR',
      templateParams: ['Ana', 'Cobra Fácil'],
    });
    expect(renderArguments(profile, { to: '+5511987654321', ...fields })).toEqual({
      to: '5511987654321',
      template: {
        name: 'cobranca_padrao_whatsapp_v2',
        language: { code: 'pt_BR' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: 'Cobra Fácil' },
            ],
          },
        ],
      },
    });
  });

  it('inside the window: only the free text, no template object', () => {
    const fields = whatsappFields({ to: '+5511987654321', text: 'Oi', idempotencyKey: 'k', freeText: 'Oi' });
    expect(renderArguments(profile, { to: '+5511987654321', ...fields })).toEqual({
      to: '5511987654321',
      text: { body: 'Oi' },
    });
  });
});
