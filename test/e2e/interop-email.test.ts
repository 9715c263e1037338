/**
 * Interop with a real third-party e-mail MCP server, offline: @codefuturist/email-mcp (stdio) sending
 * over SMTP to a sink on 127.0.0.1 (smtp-server + mailparser). Proves that the 'codefuturist-email'
 * preset fits the server's live tools/list and that a send through McpChannelClient delivers exactly
 * one message, and that drift (wrong tool, wrong argument types) disables the channel at verify().
 *
 * Needs the devDependencies (npm ci): @codefuturist/email-mcp, smtp-server, mailparser.
 * Never skipped: a missing package fails the suite with a message saying how to install it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { SMTPServer as SMTPServerType } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpChannelClient } from '../../src/channels/channel-client.js';
import type { McpConfig } from '../../src/channels/config.js';
import { McpClientPool } from '../../src/channels/pool.js';
import { silentLogger } from '../../src/core/ports.js';
import { answerFromRaw, outcomeFixtures, packageVersion } from '../interop/helpers.js';
import { tempDir } from '../helpers/spawn.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SETUP_HINT = 'install the interop test dependencies: `npm ci` (devDependencies) and `.ci/interop-setup.sh`';
const SERVER = 'email-mcp';
const ACCOUNT = 'alquimista';

/** Absolute path of an installed package's bin script, or a failure that says how to install it. */
function packageBin(name: string): string {
  const pkgJson = join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(pkgJson)) throw new Error(`${name} is not installed in ${ROOT}/node_modules: ${SETUP_HINT}`);
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { bin?: string | Record<string, string> };
  const rel =
    typeof pkg.bin === 'string'
      ? pkg.bin
      : pkg.bin
        ? (pkg.bin[name.split('/').pop()!] ?? Object.values(pkg.bin)[0])
        : undefined;
  if (!rel) throw new Error(`${name} has no bin entry in its package.json`);
  const bin = join(dirname(pkgJson), rel);
  if (!existsSync(bin)) throw new Error(`${name}'s bin ${bin} is missing: ${SETUP_HINT}`);
  return bin;
}

/** Imports a test-only package; a missing one fails with the install hint instead of a bare resolve error. */
async function importDev<T>(name: string): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ name)) as T;
  } catch (err) {
    throw new Error(`cannot import ${name} (${(err as Error).message}): ${SETUP_HINT}`);
  }
}

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Sink {
  port: number;
  messages: ParsedMail[];
  envelopes: Array<{ from: string | null; to: string[]; user: string | null }>;
  close(): Promise<void>;
}

/** An SMTP server on 127.0.0.1 (random port) that parses and keeps every message; no TLS, any login. */
async function startSink(): Promise<Sink> {
  const { SMTPServer } = await importDev<typeof import('smtp-server')>('smtp-server');
  const { simpleParser } = await importDev<typeof import('mailparser')>('mailparser');
  const messages: ParsedMail[] = [];
  const envelopes: Sink['envelopes'] = [];
  const server: SMTPServerType = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    closeTimeout: 1_000,
    onAuth(auth, _session, cb) {
      cb(null, { user: auth.username });
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (mail) => {
          envelopes.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            to: session.envelope.rcptTo.map((r) => r.address),
            user: (session.user as string | undefined) ?? null,
          });
          messages.push(mail);
          cb();
        },
        (err: Error) => cb(err),
      );
    },
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    envelopes,
    close: () =>
      new Promise<void>((ok) => {
        const t = setTimeout(ok, 3_000);
        server.close(() => {
          clearTimeout(t);
          ok();
        });
      }),
  };
}

/** PIDs of the stdio servers a pool spawned (read from its connections; empty if that shape changes). */
async function poolPids(pool: McpClientPool): Promise<number[]> {
  const conns = (
    pool as unknown as { connections?: Map<string, Promise<{ client: { transport?: { pid?: number | null } } }>> }
  ).connections;
  if (!conns) return [];
  const pids: number[] = [];
  for (const c of conns.values()) {
    const pid = await c.then(
      (x) => x.client.transport?.pid,
      () => undefined,
    );
    if (pid) pids.push(pid);
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Closes the pool (the SDK ends its children) and makes sure none of them outlives the test file. */
async function closePool(pool: McpClientPool | undefined): Promise<void> {
  if (!pool) return;
  const pids = await poolPids(pool);
  await Promise.race([pool.close(), new Promise((r) => setTimeout(r, 5_000))]);
  const until = Date.now() + 3_000;
  while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
}

describe('interop: @codefuturist/email-mcp (stdio) → SMTP sink on loopback', () => {
  let sink: Sink | undefined;
  let pool: McpClientPool | undefined;
  let dir: string;
  let servers: McpConfig['mcpServers'];
  const env = { EMAIL_MCP_ACCOUNT: ACCOUNT };
  const fixtures = outcomeFixtures('codefuturist-email');

  beforeAll(async () => {
    const entry = packageBin('@codefuturist/email-mcp');
    sink = await startSink();
    dir = tempDir('interop-email-');
    servers = {
      [SERVER]: {
        command: process.execPath,
        args: [entry],
        env: {
          // Single-account set-up from the environment (dist/config/loader.js loadFromEnv): address,
          // password and both hosts are required; IMAP is never contacted for send_email.
          MCP_EMAIL_ACCOUNT_NAME: ACCOUNT,
          MCP_EMAIL_ADDRESS: 'agente@alquimista.ai',
          MCP_EMAIL_FULL_NAME: 'Agente Alquimista',
          MCP_EMAIL_USERNAME: 'agente',
          MCP_EMAIL_PASSWORD: 'sink-accepts-any-password',
          MCP_EMAIL_IMAP_HOST: '127.0.0.1',
          MCP_EMAIL_IMAP_PORT: '1',
          MCP_EMAIL_SMTP_HOST: '127.0.0.1',
          MCP_EMAIL_SMTP_PORT: String(sink.port),
          MCP_EMAIL_SMTP_TLS: 'false',
          MCP_EMAIL_SMTP_STARTTLS: 'false',
          MCP_EMAIL_SMTP_POOL_ENABLED: 'false',
          MCP_EMAIL_WATCHER_ENABLED: 'false',
          // Its audit log, templates and scheduler state go to XDG dirs: keep them in the temp dir.
          HOME: dir,
          XDG_CONFIG_HOME: join(dir, 'config'),
          XDG_DATA_HOME: join(dir, 'data'),
          XDG_STATE_HOME: join(dir, 'state'),
        },
      },
    };
    pool = new McpClientPool(servers, silentLogger);
  });

  afterAll(async () => {
    fixtures.save({
      provider: 'codefuturist-email',
      server: `@codefuturist/email-mcp ${packageVersion('@codefuturist/email-mcp')}`,
      against: 'an SMTP sink on loopback (smtp-server + mailparser)',
    });
    await closePool(pool);
    await sink?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('verify(): the codefuturist-email preset fits the live send_email schema', async () => {
    const tools = await pool!.tools(SERVER);
    const send = tools.find((t) => t.name === 'send_email');
    expect(send, `tools: ${tools.map((t) => t.name).join(', ')}`).toBeDefined();
    const schema = send!.inputSchema as { properties: Record<string, { type?: string }>; required?: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['account', 'to', 'subject', 'body']));
    expect(schema.properties.to.type).toBe('array');
    expect(schema.properties.html.type).toBe('boolean'); // a switch, not an HTML body

    const channels = new McpChannelClient(
      { mcpServers: servers, channels: { email: { server: SERVER, preset: 'codefuturist-email' } } },
      pool!,
      silentLogger,
      env,
    );
    await channels.verify();
    const email = channels.status().find((s) => s.channel === 'email')!;
    expect(email, JSON.stringify(email)).toMatchObject({
      state: 'configured',
      server: SERVER,
      preset: 'codefuturist-email',
      transport: 'stdio',
    });
    expect(email.detail).toBe(`verified ${SERVER}/send_email`);
    expect(channels.isIdempotent('email')).toBe(false);
  });

  it('send(): exactly one message reaches the SMTP sink with that subject and body', async () => {
    const channels = new McpChannelClient(
      { mcpServers: servers, channels: { email: { server: SERVER, preset: 'codefuturist-email' } } },
      pool!,
      silentLogger,
      env,
    );
    await channels.verify();
    const before = sink!.messages.length;
    const subject = `Lembrete de pagamento — Padaria Pão Quente ${Date.now()}`;
    const text = 'Olá, Maria!\n\nSeu boleto de novembro vence amanhã (R$ 1.234,56).\n\nAtenciosamente,\nAlquimista';

    const out = await channels.send(
      'email',
      {
        to: 'maria@padaria.com.br',
        subject,
        text,
        html: '<p>Olá, Maria!</p>',
        idempotencyKey: 'interop-email-0001',
      },
      { timeoutMs: 20_000 },
    );

    expect(out, JSON.stringify(out)).toMatchObject({ ok: true });
    await waitFor('the message at the SMTP sink', () => sink!.messages.length > before, 10_000);
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would have arrived by now
    const got = sink!.messages.slice(before);
    expect(got).toHaveLength(1);
    const [mail] = got;
    expect(mail.subject).toBe(subject);
    expect(mail.text?.replace(/\r\n/g, '\n').trim()).toBe(text);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : null).toEqual([
      'maria@padaria.com.br',
    ]);
    expect(mail.from?.value[0]).toMatchObject({ address: 'agente@alquimista.ai', name: 'Agente Alquimista' });
    expect(sink!.envelopes.at(-1)).toMatchObject({ from: 'agente@alquimista.ai', to: ['maria@padaria.com.br'] });
    // The id read from the tool's text (idPattern) is the Message-ID the sink received.
    if (!out.ok) throw new Error('unreachable');
    expect(out.messageId).toBeTruthy();
    expect(mail.messageId).toBe(`<${out.messageId}>`);
    fixtures.add({ case: 'sent', answer: answerFromRaw(out.raw), expect: { kind: 'delivered', messageId: 'present' } });
  });

  it('an address its schema rejects fails the send and reaches no one', async () => {
    const channels = new McpChannelClient(
      { mcpServers: servers, channels: { email: { server: SERVER, preset: 'codefuturist-email' } } },
      pool!,
      silentLogger,
      env,
    );
    await channels.verify();
    const before = sink!.messages.length;
    // Its "to" pattern wants a letters-only TLD.
    const out = await channels.send(
      'email',
      { to: 'maria@padaria.c0m', subject: 's', text: 't', idempotencyKey: 'interop-email-0002' },
      { timeoutMs: 20_000 },
    );
    expect(out.ok).toBe(false);
    if (out.ok) throw new Error('unreachable');
    expect(out.error).toMatch(/invalid email address/i);
    expect(out).toMatchObject({ errorClass: 'destino_invalido', reason: 'bad_destination' });
    fixtures.add({
      case: 'refused by its schema (-32602, bad to)',
      answer: answerFromRaw(out.raw),
      expect: { kind: 'refused_permanently', reason: 'bad_destination', code: '-32602' },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(sink!.messages.length).toBe(before);
  });

  it('drift: a tool name the server lacks → config_error naming the tools it has; send() refuses', async () => {
    const channels = new McpChannelClient(
      { mcpServers: servers, channels: { email: { server: SERVER, preset: 'codefuturist-email', tool: 'send_mail' } } },
      pool!,
      silentLogger,
      env,
    );
    await channels.verify();
    const email = channels.status().find((s) => s.channel === 'email')!;
    expect(email.state).toBe('config_error');
    expect(email.detail).toContain(`server "${SERVER}" has no tool "send_mail"`);
    expect(email.detail).toMatch(/it has: .*\bsend_email\b/);
    expect(email.detail).toMatch(/\breply_email\b/);

    const before = sink!.messages.length;
    const out = await channels.send(
      'email',
      { to: 'maria@padaria.com.br', subject: 's', text: 't', idempotencyKey: 'interop-email-0003' },
      {},
    );
    expect(out).toMatchObject({ ok: false, errorClass: 'politica' });
    expect(sink!.messages.length).toBe(before);
  });

  it('drift: arguments whose types the live schema rejects (html as a string) → config_error', async () => {
    const channels = new McpChannelClient(
      {
        mcpServers: servers,
        channels: {
          email: {
            server: SERVER,
            preset: 'codefuturist-email',
            // What the preset used to send: an HTML body in "html", which the server types as boolean.
            arguments: {
              account: '${EMAIL_MCP_ACCOUNT}',
              to: '{{to|array}}',
              subject: '{{subject}}',
              body: '{{text}}',
              html: '{{html}}',
            },
          },
        },
      },
      pool!,
      silentLogger,
      env,
    );
    await channels.verify();
    const email = channels.status().find((s) => s.channel === 'email')!;
    expect(email.state).toBe('config_error');
    expect(email.detail).toContain(`profile drifted from ${SERVER}/send_email`);
    expect(email.detail).toContain('argument "html" is string, the tool wants boolean');
  });

  it("EMAIL_MCP_ACCOUNT unset here is taken from the server's own MCP_EMAIL_ACCOUNT_NAME; unset in both, an error naming both places", async () => {
    const fromServer = new McpChannelClient(
      { mcpServers: servers, channels: { email: { server: SERVER, preset: 'codefuturist-email' } } },
      pool!,
      silentLogger,
      {},
    );
    await fromServer.verify();
    expect(fromServer.status().find((s) => s.channel === 'email')!.state).toBe('configured');

    const { MCP_EMAIL_ACCOUNT_NAME: _drop, ...envWithout } = (servers[SERVER] as { env: Record<string, string> }).env;
    const channels = new McpChannelClient(
      {
        mcpServers: { [SERVER]: { ...(servers[SERVER] as object), env: envWithout } as never },
        channels: { email: { server: SERVER, preset: 'codefuturist-email' } },
      },
      pool!,
      silentLogger,
      {},
    );
    const email = channels.status().find((s) => s.channel === 'email')!;
    expect(email.state).toBe('config_error');
    expect(email.detail).toContain('EMAIL_MCP_ACCOUNT');
    expect(email.detail).toContain('is not set');
    expect(email.detail).toContain(`mcpServers.${SERVER}.env`);
    expect(email.detail).toContain("this server's environment");
  });
});
