/**
 * The bundled sandbox downstream MCP servers, driven as real processes (the BUILT dist/sandbox/*.js)
 * through the SDK's Client + StdioClientTransport: recording, idempotency (also across restarts),
 * fault injection (503, 429, bad recipients, stall, crash, text-only failures), the calendar, and a
 * clean stdout. `npm test` builds first (pretest); when running vitest directly, `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { SdkErrorCode, type CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const KINDS = ['whatsapp', 'email', 'calendar'] as const;
type Kind = (typeof KINDS)[number];
const distFile = (kind: Kind) => join(ROOT, 'dist', 'sandbox', `${kind}-server.js`);

const TEXT_503 = '503 Service Unavailable: temporary failure, retry later';
const TEXT_429 = '429 Too Many Requests: rate limited';

let tmp: string;
beforeAll(() => {
  for (const kind of [...KINDS, 'common'] as const) {
    const built = join(ROOT, 'dist', 'sandbox', `${kind === 'common' ? 'common' : `${kind}-server`}.js`);
    const src = join(ROOT, 'src', 'sandbox', `${kind === 'common' ? 'common' : `${kind}-server`}.ts`);
    if (!existsSync(built))
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does it for you).`);
    if (statSync(src).mtimeMs > statSync(built).mtimeMs) {
      throw new Error(`${built} is older than ${src}: run \`npm run build\` first (npm test does it for you).`);
    }
  }
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  tmp = mkdtempSync(join(ROOT, '.tmp', 'sandbox-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

let seq = 0;
/** A fresh record path (in a not-yet-existing subdirectory, which the server must create). */
const recordPath = (kind: Kind) => join(tmp, `run-${++seq}`, 'sandbox', `${kind}.jsonl`);

interface Running {
  client: Client;
  stderr(): string;
  close(): Promise<void>;
}

async function start(kind: Kind, env: Record<string, string>): Promise<Running> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [distFile(kind)],
    // These tests are about the fault knobs and the record, not the platform's rules (test/unit/sandbox-platform.test.ts).
    env: { PATH: process.env.PATH ?? '', SANDBOX_PLATFORM_RULES: 'off', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'sandbox-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

/** Starts a server, runs fn, always closes. */
async function withServer<T>(
  kind: Kind,
  env: Record<string, string>,
  fn: (c: Client, r: Running) => Promise<T>,
): Promise<T> {
  const running = await start(kind, env);
  try {
    return await fn(running.client, running);
  } finally {
    await running.close();
  }
}

interface Line {
  ts: string;
  tool: string;
  args: Record<string, unknown>;
  message_id: string;
  idempotency_key: string | null;
  attempt: number;
  duplicate?: true;
  text: string;
  result: Record<string, unknown>;
}
const readLines = (path: string): Line[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Line)
    : [];
const sends = (path: string) => readLines(path).filter((l) => !l.duplicate);

const call = async (c: Client, name: string, args: Record<string, unknown>) =>
  (await c.callTool({ name, arguments: args })) as CallToolResult;
const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
const sc = <T = Record<string, unknown>>(r: CallToolResult) => r.structuredContent as T;

const wa = (to: string, extra: Record<string, unknown> = {}) => ({ to, text: 'Olá, tudo bem?', ...extra });

describe('sandbox whatsapp server', () => {
  it('lists send_message and list_messages with titles, schemas and annotations', async () => {
    await withServer('whatsapp', {}, async (c) => {
      const { tools } = await c.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        'list_inbox',
        'list_messages',
        'list_statuses',
        'send_message',
        'simulate_reply',
      ]);
      const send = tools.find((t) => t.name === 'send_message')!;
      expect(send.title).toBe('Send WhatsApp message (sandbox)');
      expect(Object.keys(send.inputSchema.properties ?? {}).sort()).toEqual([
        'idempotency_key',
        'template',
        'template_language',
        'template_params',
        'text',
        'to',
      ]);
      expect(send.inputSchema.required?.sort()).toEqual(['text', 'to']);
      expect(Object.keys(send.outputSchema?.properties ?? {}).sort()).toEqual(['message_id', 'status', 'to', 'wa_id']);
      expect(send.annotations).toEqual({
        title: 'Send WhatsApp message (sandbox)',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      });
      expect(tools.find((t) => t.name === 'list_messages')!.annotations?.readOnlyHint).toBe(true);
    });
  });

  it('sends, answers with a wamid and the wa_id, and records one line per send (creating the directory)', async () => {
    const rec = recordPath('whatsapp');
    await withServer('whatsapp', { SANDBOX_RECORD: rec }, async (c) => {
      const r1 = await call(
        c,
        'send_message',
        wa('+5511987654321', { template: 'boas_vindas', template_params: ['Ana'] }),
      );
      expect(r1.isError).toBeFalsy();
      const s1 = sc<{ message_id: string; wa_id: string; to: string; status: string }>(r1);
      expect(s1.message_id).toMatch(/^wamid\.[0-9A-F]{36}$/);
      expect(textOf(r1)).toBe(`Message sent. id: ${s1.message_id}`);
      expect(s1).toEqual({ message_id: s1.message_id, wa_id: '5511987654321', to: '+5511987654321', status: 'sent' });

      // DDD 31 (Belo Horizonte): the old 8-digit WhatsApp id, without the 9.
      const r2 = await call(c, 'send_message', wa('5531987654321'));
      expect(sc(r2).wa_id).toBe('553187654321');
      expect(sc(r2).to).toBe('5531987654321');
      expect(sc(r2).message_id).not.toBe(s1.message_id);

      const listed = await call(c, 'list_messages', { limit: 10 });
      expect(sc(listed).total).toBe(2);
      expect((sc(listed).messages as Array<{ message_id: string }>).map((m) => m.message_id)).toEqual([
        s1.message_id,
        sc(r2).message_id,
      ]);

      const lines = readLines(rec);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({
        tool: 'send_message',
        args: { to: '+5511987654321', text: 'Olá, tudo bem?', template: 'boas_vindas', template_params: ['Ana'] },
        message_id: s1.message_id,
        idempotency_key: null,
        attempt: 1,
      });
      expect(lines[0].duplicate).toBeUndefined();
      expect(Date.parse(lines[0].ts)).not.toBeNaN();
    });
  });

  it('rejects a malformed phone number with an isError naming the field', async () => {
    await withServer('whatsapp', {}, async (c) => {
      const r = await call(c, 'send_message', wa('(11) 98765-4321'));
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain('must be a phone number in E.164');
    });
  });

  it('returns the same answer for a repeated idempotency key and records the send once, also after a restart', async () => {
    const rec = recordPath('whatsapp');
    const args = wa('+5521998765432', { idempotency_key: 'disparo-42' });
    const first = await withServer('whatsapp', { SANDBOX_RECORD: rec }, async (c) => {
      const a = await call(c, 'send_message', args);
      const b = await call(c, 'send_message', args);
      expect(b).toEqual(a);
      return a;
    });
    const id = sc(first).message_id as string;
    expect(sends(rec).map((l) => l.message_id)).toEqual([id]);

    await withServer('whatsapp', { SANDBOX_RECORD: rec }, async (c) => {
      const again = await call(c, 'send_message', args);
      expect(again).toEqual(first);
      const other = await call(c, 'send_message', { ...args, idempotency_key: 'disparo-43' });
      expect(sc(other).message_id).not.toBe(id);
      expect(sc(await call(c, 'list_messages', {})).total).toBe(2);
    });

    const lines = readLines(rec);
    expect(lines.map((l) => [l.idempotency_key, l.attempt, l.duplicate ?? false, l.message_id === id])).toEqual([
      ['disparo-42', 1, false, true],
      ['disparo-42', 2, true, true],
      ['disparo-42', 3, true, true],
      ['disparo-43', 1, false, false],
    ]);
  });

  it('with SANDBOX_IDEMPOTENCY=off sends twice for the same key', async () => {
    const rec = recordPath('whatsapp');
    await withServer('whatsapp', { SANDBOX_RECORD: rec, SANDBOX_IDEMPOTENCY: 'off' }, async (c) => {
      const a = await call(c, 'send_message', wa('+5511987654321', { idempotency_key: 'k' }));
      const b = await call(c, 'send_message', wa('+5511987654321', { idempotency_key: 'k' }));
      expect(sc(a).message_id).not.toBe(sc(b).message_id);
    });
    expect(sends(rec).map((l) => [l.idempotency_key, l.attempt])).toEqual([
      ['k', 1],
      ['k', 2],
    ]);
  });

  it('SANDBOX_FAIL_FIRST=2: two transient 503s, then success; nothing recorded for the failures', async () => {
    const rec = recordPath('whatsapp');
    await withServer('whatsapp', { SANDBOX_RECORD: rec, SANDBOX_FAIL_FIRST: '2' }, async (c) => {
      const args = wa('+5511987654321', { idempotency_key: 'retry-me' });
      const r1 = await call(c, 'send_message', args);
      const r2 = await call(c, 'send_message', args);
      expect([r1.isError, textOf(r1), r1.structuredContent]).toEqual([true, TEXT_503, undefined]);
      expect([r2.isError, textOf(r2)]).toEqual([true, TEXT_503]);
      const r3 = await call(c, 'send_message', args);
      expect(r3.isError).toBeFalsy();
      expect(sc(r3).status).toBe('sent');
      expect(sends(rec).map((l) => [l.message_id, l.attempt])).toEqual([[sc(r3).message_id, 3]]);
    });
  });

  it('SANDBOX_RATE_LIMIT_FIRST=1 then SANDBOX_FAIL_FIRST=1: a 429, a 503, then success', async () => {
    await withServer('whatsapp', { SANDBOX_RATE_LIMIT_FIRST: '1', SANDBOX_FAIL_FIRST: '1' }, async (c) => {
      const r1 = await call(c, 'send_message', wa('+5511987654321'));
      const r2 = await call(c, 'send_message', wa('+5511987654321'));
      const r3 = await call(c, 'send_message', wa('+5511987654321'));
      expect([r1.isError, textOf(r1)]).toEqual([true, TEXT_429]);
      expect([r2.isError, textOf(r2)]).toEqual([true, TEXT_503]);
      expect(r3.isError).toBeFalsy();
    });
  });

  it('SANDBOX_FAIL_RECIPIENTS fails those numbers permanently, compared digits-only', async () => {
    const rec = recordPath('whatsapp');
    await withServer(
      'whatsapp',
      { SANDBOX_RECORD: rec, SANDBOX_FAIL_RECIPIENTS: '+55 (11) 98765-4321, 5521999990000' },
      async (c) => {
        for (let i = 0; i < 2; i++) {
          const r = await call(c, 'send_message', wa('5511987654321'));
          expect([r.isError, textOf(r)]).toEqual([true, '400 invalid recipient: 5511987654321 is not a WhatsApp user']);
        }
        const r = await call(c, 'send_message', wa('+5521999990000'));
        expect(textOf(r)).toBe('400 invalid recipient: +5521999990000 is not a WhatsApp user');
        const ok = await call(c, 'send_message', wa('+5511912345678'));
        expect(ok.isError).toBeFalsy();
      },
    );
    expect(sends(rec).map((l) => l.args.to)).toEqual(['+5511912345678']);
  });

  it('SANDBOX_STALL_MS: a client timeout rejects and the cancelled call is not recorded', async () => {
    const rec = recordPath('whatsapp');
    await withServer('whatsapp', { SANDBOX_RECORD: rec, SANDBOX_STALL_MS: '400' }, async (c) => {
      const started = Date.now();
      await expect(
        c.callTool(
          { name: 'send_message', arguments: wa('+5511987654321', { idempotency_key: 'slow' }) },
          {
            timeout: 200,
          },
        ),
      ).rejects.toMatchObject({ code: SdkErrorCode.RequestTimeout });
      expect(Date.now() - started).toBeLessThan(400);

      const t0 = Date.now();
      const ok = (await c.callTool(
        { name: 'send_message', arguments: wa('+5511987654321', { idempotency_key: 'slow' }) },
        {
          timeout: 5000,
        },
      )) as CallToolResult;
      expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
      expect(ok.isError).toBeFalsy();
      // By now the first call's stall has long ended too: had it not honoured the cancellation, it would be recorded.
      await new Promise((r) => setTimeout(r, 100));
      expect(sends(rec).map((l) => [l.message_id, l.attempt])).toEqual([[sc(ok).message_id, 2]]);
    });
  });

  it('SANDBOX_CRASH_AFTER=1: the second call is recorded, then the process dies without answering; a keyed retry is safe', async () => {
    const rec = recordPath('whatsapp');
    const running = await start('whatsapp', { SANDBOX_RECORD: rec, SANDBOX_CRASH_AFTER: '1' });
    let closed = false;
    running.client.onclose = () => (closed = true);
    const first = await call(running.client, 'send_message', wa('+5511987654321', { idempotency_key: 'c1' }));
    expect(first.isError).toBeFalsy();
    await expect(
      call(running.client, 'send_message', wa('+5511987654322', { idempotency_key: 'c2' })),
    ).rejects.toMatchObject({
      code: SdkErrorCode.ConnectionClosed,
    });
    expect(closed).toBe(true);
    await running.close();
    const lines = sends(rec);
    expect(lines.map((l) => [l.idempotency_key, l.args.to])).toEqual([
      ['c1', '+5511987654321'],
      ['c2', '+5511987654322'],
    ]);

    // After a restart, retrying the unanswered call with its key returns what was sent, sends nothing.
    await withServer('whatsapp', { SANDBOX_RECORD: rec }, async (c) => {
      const retry = await call(c, 'send_message', wa('+5511987654322', { idempotency_key: 'c2' }));
      expect(sc(retry).message_id).toBe(lines[1].message_id);
    });
    expect(sends(rec)).toHaveLength(2);
  });

  it('SANDBOX_CRASH_BEFORE_RECORD=1: the process dies before recording the second call', async () => {
    const rec = recordPath('whatsapp');
    const running = await start('whatsapp', {
      SANDBOX_RECORD: rec,
      SANDBOX_CRASH_AFTER: '1',
      SANDBOX_CRASH_BEFORE_RECORD: '1',
    });
    await call(running.client, 'send_message', wa('+5511987654321', { idempotency_key: 'c1' }));
    await expect(
      call(running.client, 'send_message', wa('+5511987654322', { idempotency_key: 'c2' })),
    ).rejects.toMatchObject({
      code: SdkErrorCode.ConnectionClosed,
    });
    await running.close();
    expect(sends(rec).map((l) => l.idempotency_key)).toEqual(['c1']);
    // The request never arrived, so the retry after a restart is a real, first send.
    await withServer('whatsapp', { SANDBOX_RECORD: rec }, async (c) => {
      const retry = await call(c, 'send_message', wa('+5511987654322', { idempotency_key: 'c2' }));
      expect(retry.isError).toBeFalsy();
    });
    expect(sends(rec).map((l) => [l.idempotency_key, l.attempt])).toEqual([
      ['c1', 1],
      ['c2', 1],
    ]);
  });

  it('SANDBOX_FAIL_TEXT_ONLY=1: failures come back as plain text without isError, and no outputSchema is declared', async () => {
    const rec = recordPath('whatsapp');
    await withServer(
      'whatsapp',
      {
        SANDBOX_RECORD: rec,
        SANDBOX_FAIL_TEXT_ONLY: '1',
        SANDBOX_FAIL_FIRST: '1',
        SANDBOX_FAIL_RECIPIENTS: '5511900000000',
      },
      async (c) => {
        const { tools } = await c.listTools();
        expect(tools.find((t) => t.name === 'send_message')!.outputSchema).toBeUndefined();
        const r1 = await call(c, 'send_message', wa('+5511987654321'));
        expect(r1.isError).toBeUndefined();
        expect(textOf(r1)).toBe(`Error: failed to send message: ${TEXT_503}`);
        const r2 = await call(c, 'send_message', wa('+5511900000000'));
        expect(r2.isError).toBeUndefined();
        expect(textOf(r2)).toBe(
          'Error: failed to send message: 400 invalid recipient: +5511900000000 is not a WhatsApp user',
        );
        const r3 = await call(c, 'send_message', wa('+5511987654321'));
        expect(textOf(r3)).toMatch(/^Message sent\. id: wamid\.[0-9A-F]+$/);
      },
    );
    expect(sends(rec)).toHaveLength(1);
  });

  it('writes nothing but JSON-RPC on stdout, even with SANDBOX_DEBUG logging to stderr', async () => {
    const child = spawn(process.execPath, [distFile('whatsapp')], {
      env: {
        PATH: process.env.PATH,
        SANDBOX_DEBUG: '1',
        SANDBOX_RECORD: recordPath('whatsapp'),
        SANDBOX_PLATFORM_RULES: 'off',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const send = (msg: unknown) => child.stdin.write(JSON.stringify(msg) + '\n');
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
    };
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    await waitFor(() => stdout.includes('"id":1'));
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'send_message', arguments: wa('+5511987654321') },
    });
    await waitFor(() => stdout.includes('"id":2'));
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_messages', arguments: {} } });
    await waitFor(() => stdout.includes('"id":3'));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.stdin.end();
    expect(await exited).toBe(0);

    const lines = stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(3);
    const msgs = lines.map(
      (l) => JSON.parse(l) as { jsonrpc: string; id: number; result: { structuredContent?: { total?: number } } },
    );
    expect(msgs.map((m) => [m.jsonrpc, m.id])).toEqual([
      ['2.0', 1],
      ['2.0', 2],
      ['2.0', 3],
    ]);
    expect(msgs[2].result.structuredContent?.total).toBe(1);
    expect(stderr).toContain('[sandbox-whatsapp] accepted');
  });

  it('logs nothing on stderr without SANDBOX_DEBUG', async () => {
    const running = await start('whatsapp', {});
    await call(running.client, 'send_message', wa('+5511987654321'));
    await running.close();
    expect(running.stderr()).toBe('');
  });
});

describe('sandbox email server', () => {
  it('declares send_email (which takes our Message-ID), list_emails and the inbox tools', async () => {
    await withServer('email', {}, async (c) => {
      const { tools } = await c.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        'list_emails',
        'list_inbox',
        'list_statuses',
        'send_email',
        'simulate_reply',
      ]);
      const send = tools.find((t) => t.name === 'send_email')!;
      expect(Object.keys(send.inputSchema.properties ?? {}).sort()).toEqual([
        'html',
        'idempotency_key',
        'message_id',
        'subject',
        'text',
        'to',
      ]);
      expect(Object.keys(send.outputSchema?.properties ?? {}).sort()).toEqual(['accepted', 'message_id']);
      expect(send.annotations?.openWorldHint).toBe(true);
    });
  });

  it('queues to one or several addresses, idempotently, and fails bad mailboxes permanently', async () => {
    const rec = recordPath('email');
    await withServer('email', { SANDBOX_RECORD: rec, SANDBOX_FAIL_RECIPIENTS: 'Bounce@Example.com' }, async (c) => {
      const r1 = await call(c, 'send_email', {
        to: 'ana@example.com',
        subject: 'Proposta',
        text: 'Olá Ana',
        idempotency_key: 'e1',
      });
      const id = sc(r1).message_id as string;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@sandbox$/);
      expect(textOf(r1)).toBe(`Email queued with id ${id}`);
      expect(sc(r1)).toEqual({ message_id: id, accepted: ['ana@example.com'] });
      expect(
        await call(c, 'send_email', {
          to: 'ana@example.com',
          subject: 'Proposta',
          text: 'Olá Ana',
          idempotency_key: 'e1',
        }),
      ).toEqual(r1);

      const r2 = await call(c, 'send_email', {
        to: ['a@x.com.br', 'b@x.com.br'],
        subject: 'Oi',
        text: 't',
        html: '<p>t</p>',
      });
      expect(sc(r2).accepted).toEqual(['a@x.com.br', 'b@x.com.br']);

      const bad = await call(c, 'send_email', { to: ['ok@x.com', 'bounce@EXAMPLE.com'], subject: 'Oi', text: 't' });
      expect([bad.isError, textOf(bad)]).toEqual([true, '550 mailbox unavailable: bounce@EXAMPLE.com']);

      const invalid = await call(c, 'send_email', { to: 'not-an-email', subject: 'Oi', text: 't' });
      expect(invalid.isError).toBe(true);
      expect(textOf(invalid)).toContain('must be an e-mail address');
    });
    expect(sends(rec).map((l) => l.args.to)).toEqual(['ana@example.com', ['a@x.com.br', 'b@x.com.br']]);
    expect(readLines(rec).filter((l) => l.duplicate)).toHaveLength(1);
  });
});

describe('sandbox calendar server', () => {
  const ev = (over: Record<string, unknown> = {}) => ({
    title: 'Reunião com Padaria Pão Quente',
    start: '2026-03-02T10:00:00-03:00',
    end: '2026-03-02T10:30:00-03:00',
    timeZone: 'America/Sao_Paulo',
    attendees: ['ana@example.com'],
    ...over,
  });
  const day = { from: '2026-03-02T00:00:00-03:00', to: '2026-03-03T00:00:00-03:00' };

  it('declares create/update/delete/list with annotations', async () => {
    await withServer('calendar', {}, async (c) => {
      const { tools } = await c.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['create_event', 'delete_event', 'list_events', 'update_event']);
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      expect(Object.keys(byName.create_event.outputSchema?.properties ?? {}).sort()).toEqual(['event_id', 'html_link']);
      expect(byName.delete_event.annotations?.destructiveHint).toBe(true);
      expect(byName.list_events.annotations?.readOnlyHint).toBe(true);
      for (const t of tools) expect(t.outputSchema).toBeDefined();
    });
  });

  it('creates, lists, updates and deletes events', async () => {
    const rec = recordPath('calendar');
    await withServer('calendar', { SANDBOX_RECORD: rec }, async (c) => {
      const created = await call(c, 'create_event', ev());
      const { event_id, html_link } = sc<{ event_id: string; html_link: string }>(created);
      expect(event_id).toMatch(/^[0-9a-f]{26}$/);
      expect(html_link).toBe(`https://calendar.sandbox.invalid/event?eid=${event_id}`);

      const other = await call(
        c,
        'create_event',
        ev({ title: 'Outra', start: '2026-03-04T09:00:00-03:00', end: '2026-03-04T10:00:00-03:00' }),
      );
      expect(sc<{ events: unknown[] }>(await call(c, 'list_events', day)).events).toEqual([
        {
          event_id,
          title: 'Reunião com Padaria Pão Quente',
          start: '2026-03-02T10:00:00-03:00',
          end: '2026-03-02T10:30:00-03:00',
          timeZone: 'America/Sao_Paulo',
        },
      ]);
      // Overlap, not containment: a range ending inside the event still finds it; one ending at its start does not.
      expect(
        sc<{ events: unknown[] }>(
          await call(c, 'list_events', { from: '2026-03-02T12:00:00Z', to: '2026-03-02T13:00:01Z' }),
        ).events,
      ).toHaveLength(1);
      expect(
        sc<{ events: unknown[] }>(
          await call(c, 'list_events', { from: '2026-03-02T12:00:00Z', to: '2026-03-02T13:00:00Z' }),
        ).events,
      ).toHaveLength(0);

      const updated = await call(c, 'update_event', {
        event_id,
        start: '2026-03-02T15:00:00-03:00',
        end: '2026-03-02T15:45:00-03:00',
      });
      expect(sc(updated)).toMatchObject({
        event_id,
        start: '2026-03-02T15:00:00-03:00',
        end: '2026-03-02T15:45:00-03:00',
        title: 'Reunião com Padaria Pão Quente',
      });
      const badRange = await call(c, 'update_event', { event_id, end: '2026-03-02T14:00:00-03:00' });
      expect([badRange.isError, textOf(badRange)]).toEqual([
        true,
        '400 invalid time range: start (2026-03-02T15:00:00-03:00) must be before end (2026-03-02T14:00:00-03:00)',
      ]);

      const deleted = await call(c, 'delete_event', { event_id });
      expect(sc(deleted)).toEqual({ event_id, deleted: true });
      expect(sc<{ events: unknown[] }>(await call(c, 'list_events', day)).events).toEqual([]);
      for (const r of [
        await call(c, 'delete_event', { event_id }),
        await call(c, 'update_event', { event_id, title: 'x' }),
        await call(c, 'delete_event', { event_id: 'nope' }),
      ]) {
        expect([r.isError, textOf(r)]).toEqual([true, '404 event not found']);
      }
      expect(
        sc<{ events: Array<{ event_id: string }> }>(
          await call(c, 'list_events', { from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z' }),
        ).events.map((e) => e.event_id),
      ).toEqual([sc(other).event_id]);
    });
    expect(sends(rec).map((l) => l.tool)).toEqual(['create_event', 'create_event', 'update_event', 'delete_event']);
  });

  it('validates start < end, the time zone and the offset', async () => {
    await withServer('calendar', {}, async (c) => {
      const r1 = await call(c, 'create_event', ev({ end: '2026-03-02T10:00:00-03:00' }));
      expect([r1.isError, textOf(r1)]).toEqual([
        true,
        '400 invalid time range: start (2026-03-02T10:00:00-03:00) must be before end (2026-03-02T10:00:00-03:00)',
      ]);
      const r2 = await call(c, 'create_event', ev({ timeZone: 'Brasilia' }));
      expect(r2.isError).toBe(true);
      expect(textOf(r2)).toContain('must be an IANA time zone');
      const r3 = await call(c, 'create_event', ev({ start: '2026-03-02T10:00:00' }));
      expect(r3.isError).toBe(true);
      expect(textOf(r3)).toContain('with an offset');
      expect(sc<{ events: unknown[] }>(await call(c, 'list_events', day)).events).toEqual([]);
    });
  });

  it('keeps events and idempotency keys across a restart', async () => {
    const rec = recordPath('calendar');
    const ids = await withServer('calendar', { SANDBOX_RECORD: rec }, async (c) => {
      const a = sc<{ event_id: string }>(await call(c, 'create_event', ev({ idempotency_key: 'ag-1' }))).event_id;
      const b = sc<{ event_id: string }>(
        await call(
          c,
          'create_event',
          ev({ title: 'B', start: '2026-03-02T11:00:00-03:00', end: '2026-03-02T12:00:00-03:00' }),
        ),
      ).event_id;
      await call(c, 'update_event', { event_id: a, title: 'A (remarcada)', location: 'Google Meet' });
      await call(c, 'delete_event', { event_id: b });
      return { a, b };
    });
    await withServer('calendar', { SANDBOX_RECORD: rec }, async (c) => {
      expect(sc(await call(c, 'list_events', day))).toEqual({
        events: [
          {
            event_id: ids.a,
            title: 'A (remarcada)',
            start: '2026-03-02T10:00:00-03:00',
            end: '2026-03-02T10:30:00-03:00',
            timeZone: 'America/Sao_Paulo',
          },
        ],
      });
      const again = await call(c, 'create_event', ev({ idempotency_key: 'ag-1' }));
      expect(sc(again).event_id).toBe(ids.a);
      const gone = await call(c, 'delete_event', { event_id: ids.b });
      expect(textOf(gone)).toBe('404 event not found');
    });
    expect(sends(rec).filter((l) => l.tool === 'create_event')).toHaveLength(2);
  });
});
