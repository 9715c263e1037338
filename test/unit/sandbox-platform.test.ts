/**
 * The sandbox WhatsApp server behaves like the WhatsApp Business Platform (src/sandbox/platform.ts),
 * driven as a real process (the BUILT dist/sandbox/whatsapp-server.js) through the SDK's Client: free
 * text only inside the 24-h window a reply opens (131047), the template catalogue (132001, 132015,
 * 132000), numbers that are not WhatsApp users (131026, at once or as a later status), the pair rate
 * (131056), statuses out of order — and SANDBOX_PLATFORM_RULES=off turning it all off.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, type CallToolResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnswer } from '../../src/channels/readers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVER = join(ROOT, 'dist', 'sandbox', 'whatsapp-server.js');
let tmp: string;
let n = 0;
beforeAll(() => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  tmp = mkdtempSync(join(ROOT, '.tmp', 'platform-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function withServer(env: Record<string, string>, fn: (c: Client) => Promise<void>): Promise<void> {
  const dir = join(tmp, `run-${++n}`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER],
    env: {
      PATH: process.env.PATH ?? '',
      SANDBOX_RECORD: join(dir, 'wa.jsonl'),
      SANDBOX_INBOX: join(dir, 'in.jsonl'),
      ...env,
    },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'platform-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

const call = async (c: Client, name: string, args: Record<string, unknown>) =>
  (await c.callTool({ name, arguments: args })) as CallToolResult;
const text = (r: CallToolResult) => r.content.map((x) => (x.type === 'text' ? x.text : '')).join('');
/** The Cloud API error body of a refusal. */
const cloud = (r: CallToolResult) => {
  expect(r.isError).toBe(true);
  return (JSON.parse(text(r)) as { error: { code: number; message: string; error_data: { details: string } } }).error;
};
const TEMPLATE = {
  template: 'confirmacao_reuniao_whatsapp_v1',
  template_language: 'pt_BR',
  template_params: ['Ana', 'Equipe', 'ACME', 'terça-feira, 10/03/2026', '14:00', 'horário de Brasília', 'Sala 1'],
};

describe('sandbox WhatsApp server: the platform rules (on by default)', () => {
  it('refuses free text outside the 24-h window with 131047, and accepts it after the person wrote', async () => {
    await withServer({}, async (c) => {
      const refused = await call(c, 'send_message', { to: '+5531987650001', text: 'Oi, tudo bem?' });
      const e = cloud(refused);
      expect(e).toMatchObject({ code: 131047, message: '(#131047) Re-engagement message' });
      expect(e.error_data.details).toMatch(/more than 24 hours/);
      // Our reader maps it by its code: a template is needed.
      expect(readAnswer('generic', { kind: 'result', result: refused })).toMatchObject({
        kind: 'refused_permanently',
        reason: 'template_refused',
        code: '131047',
      });
      // The person writes (from the WhatsApp id without the 9, DDD 31): the window is open for that number.
      await call(c, 'simulate_reply', { from: '553187650001', text: 'Oi, quero negociar' });
      const ok = await call(c, 'send_message', { to: '+5531987650001', text: 'Claro! Vamos lá.' });
      expect(ok.isError).toBeFalsy();
      expect(ok.structuredContent).toMatchObject({ status: 'sent', to: '+5531987650001' });
      // Another number is still outside its window.
      expect(cloud(await call(c, 'send_message', { to: '+5511987650002', text: 'Oi' })).code).toBe(131047);
    });
  });

  it('the catalogue: an approved builtin template goes; unknown (132001), paused (132015), wrong count (132000)', async () => {
    const file = join(tmp, 'catalogue.json');
    writeFileSync(
      file,
      JSON.stringify([
        { name: 'boas_vindas', language: 'pt_BR', params: ['contato'] },
        { name: 'promo', language: 'pt_BR', status: 'paused', params: 0 },
      ]),
    );
    await withServer({}, async (c) => {
      expect((await call(c, 'send_message', { to: '+5511987650003', text: 'x', ...TEMPLATE })).isError).toBeFalsy();
      const unknown = { to: '+5511987650004', text: 'x', template: 'nao_existe', template_params: [] };
      expect(cloud(await call(c, 'send_message', unknown)).code).toBe(132001);
      const english = { ...TEMPLATE, to: '+5511987650004', text: 'x', template_language: 'en_US' };
      expect(cloud(await call(c, 'send_message', english)).code).toBe(132001);
      const short = { ...TEMPLATE, to: '+5511987650004', text: 'x', template_params: ['Ana'] };
      const e = cloud(await call(c, 'send_message', short));
      expect(e.code).toBe(132000);
      expect(e.error_data.details).toMatch(/expects 7 parameters; 1 were given/);
    });
    await withServer({ SANDBOX_TEMPLATES: file }, async (c) => {
      const tpl = { to: '+5511987650005', text: 'x', template: 'boas_vindas', template_params: ['Ana'] };
      expect((await call(c, 'send_message', tpl)).isError).toBeFalsy();
      const paused = await call(c, 'send_message', { to: '+5511987650006', text: 'x', template: 'promo' });
      expect(cloud(paused).code).toBe(132015);
      expect(readAnswer('generic', { kind: 'result', result: paused })).toMatchObject({ reason: 'template_refused' });
      // The builtin templates are not in this catalogue.
      expect(cloud(await call(c, 'send_message', { ...TEMPLATE, to: '+5511987650007', text: 'x' })).code).toBe(132001);
    });
  });

  it('numbers ending in 13102xxx are not WhatsApp users (131026); 13103xxx fail later, as a status', async () => {
    await withServer({}, async (c) => {
      const r = await call(c, 'send_message', { ...TEMPLATE, to: '+5511913102001', text: 'x' });
      expect(cloud(r)).toMatchObject({ code: 131026, message: '(#131026) Message Undeliverable' });
      expect(readAnswer('generic', { kind: 'result', result: r })).toMatchObject({ reason: 'not_whatsapp_user' });
      const later = await call(c, 'send_message', { ...TEMPLATE, to: '+5511913103001', text: 'x' });
      expect(later.isError).toBeFalsy();
      const id = (later.structuredContent as { message_id: string }).message_id;
      const st = (await call(c, 'list_statuses', {})).structuredContent as {
        statuses: Array<{ seq: number; message_id: string; status: string; code?: string }>;
      };
      const mine = st.statuses.filter((s) => s.message_id === id);
      // The failure is reported before the `sent` it follows: out of order, as webhooks arrive.
      expect(mine.map((s) => s.status)).toEqual(['failed', 'sent']);
      expect(mine[0].code).toBe('131026');
    });
  });

  it('the pair rate: a second message to one recipient within SANDBOX_PAIR_RATE_MS is refused with 131056', async () => {
    await withServer({ SANDBOX_PAIR_RATE_MS: '800' }, async (c) => {
      const to = '+5511987650008';
      expect((await call(c, 'send_message', { ...TEMPLATE, to, text: 'x' })).isError).toBeFalsy();
      const r = await call(c, 'send_message', { ...TEMPLATE, to, text: 'x' });
      expect(cloud(r).code).toBe(131056);
      expect(readAnswer('generic', { kind: 'result', result: r })).toMatchObject({
        kind: 'refused_transiently',
        reason: 'rate_limited',
      });
      // Another recipient is not held back.
      expect((await call(c, 'send_message', { ...TEMPLATE, to: '+5511987650009', text: 'x' })).isError).toBeFalsy();
      await new Promise((r) => setTimeout(r, 850));
      expect((await call(c, 'send_message', { ...TEMPLATE, to, text: 'x' })).isError).toBeFalsy();
    });
  });

  it('statuses: sent, delivered and read per message, some out of order, numbered for polling', async () => {
    await withServer({}, async (c) => {
      for (let i = 0; i < 12; i++)
        await call(c, 'send_message', { ...TEMPLATE, to: `+55119876501${String(i).padStart(2, '0')}`, text: 'x' });
      const st = (await call(c, 'list_statuses', { limit: 1000 })).structuredContent as {
        statuses: Array<{ seq: number; message_id: string; status: string }>;
        last_seq: number;
      };
      const seqs = st.statuses.map((s) => s.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      const byMsg = new Map<string, string[]>();
      for (const s of st.statuses) byMsg.set(s.message_id, [...(byMsg.get(s.message_id) ?? []), s.status]);
      expect(byMsg.size).toBe(12);
      for (const list of byMsg.values()) expect(list).toEqual(expect.arrayContaining(['sent', 'delivered']));
      // Out of order: some message's delivered (or read) arrives before its sent / delivered.
      const outOfOrder = [...byMsg.values()].filter(
        (l) => l.indexOf('sent') > l.indexOf('delivered') || l[1] === 'read',
      );
      expect(outOfOrder.length).toBeGreaterThan(0);
      // Polling after the last seq returns nothing new.
      const next = (await call(c, 'list_statuses', { after: st.last_seq })).structuredContent as {
        statuses: unknown[];
      };
      expect(next.statuses).toEqual([]);
    });
  });

  it('SANDBOX_PLATFORM_RULES=off: free text at any time, any template, every status delivered', async () => {
    await withServer({ SANDBOX_PLATFORM_RULES: 'off' }, async (c) => {
      expect((await call(c, 'send_message', { to: '+5511987650001', text: 'Oi' })).isError).toBeFalsy();
      expect((await call(c, 'send_message', { to: '+5511987650001', text: 'Oi', template: 'x' })).isError).toBeFalsy();
      expect((await call(c, 'send_message', { to: '+5511913102001', text: 'Oi' })).isError).toBeFalsy();
      const st = (await call(c, 'list_statuses', {})).structuredContent as { statuses: Array<{ status: string }> };
      expect(st.statuses.map((s) => s.status)).toEqual(['delivered', 'delivered', 'delivered']);
    });
  });
});
