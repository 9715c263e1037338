/**
 * Shared by the interop tests that start real downstream MCP server packages against loopback fakes
 * of their remote services: locating a package's bin, an SMTP sink, recording answers as fixtures.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { SMTPServer as SMTPServerType } from 'smtp-server';
import type { McpClientPool } from '../../src/channels/pool.js';
import type { Answer } from '../../src/channels/outcome.js';

export const ROOT = resolve(import.meta.dirname, '../..');
const SETUP_HINT = 'install the interop test dependencies: `npm ci` (devDependencies) and `.ci/interop-setup.sh`';

/** Absolute path of an installed package's bin script, or a failure that says how to install it. */
export function packageBin(name: string): string {
  const pkgJson = join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(pkgJson)) throw new Error(`${name} is not installed in ${ROOT}/node_modules: ${SETUP_HINT}`);
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { bin?: string | Record<string, string> };
  const rel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin ? Object.values(pkg.bin)[0] : undefined;
  if (!rel) throw new Error(`${name} has no bin entry in its package.json`);
  const bin = join(dirname(pkgJson), rel);
  if (!existsSync(bin)) throw new Error(`${name}'s bin ${bin} is missing: ${SETUP_HINT}`);
  return bin;
}

export function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What every loopback SMTP server of these tests shares: plain text on 127.0.0.1, any login accepted unless a test says otherwise. */
export const LOOPBACK_SMTP_OPTIONS = {
  logger: false,
  disabledCommands: ['STARTTLS'],
  authOptional: true,
  allowInsecureAuth: true,
  closeTimeout: 1_000,
} as const;

export interface Sink {
  port: number;
  messages: ParsedMail[];
  envelopes: Array<{ from: string | null; to: string[] }>;
  close(): Promise<void>;
}

/**
 * An SMTP server on 127.0.0.1 that parses and keeps every message. Recipients whose local part is
 * `unknown…` are refused with 550 5.1.1 (as Postfix words it), `full…` with 452 4.2.2 (transient); the
 * password `wrong-password` with 535 5.7.8.
 */
export async function startSink(): Promise<Sink> {
  const { SMTPServer } = (await import('smtp-server')) as typeof import('smtp-server');
  const { simpleParser } = (await import('mailparser')) as typeof import('mailparser');
  const messages: ParsedMail[] = [];
  const envelopes: Sink['envelopes'] = [];
  const server: SMTPServerType = new SMTPServer({
    ...LOOPBACK_SMTP_OPTIONS,
    onAuth(auth, _session, cb) {
      if (auth.password === 'wrong-password')
        return cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      cb(null, { user: auth.username });
    },
    onRcptTo(address, _session, cb) {
      const local = address.address.split('@')[0];
      if (local.startsWith('unknown')) {
        const err = Object.assign(
          new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown in virtual mailbox table`),
          { responseCode: 550 },
        );
        return cb(err);
      }
      if (local.startsWith('full')) {
        const err = Object.assign(new Error(`4.2.2 <${address.address}>: Mailbox full, try again later`), {
          responseCode: 452,
        });
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (mail) => {
          envelopes.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            to: session.envelope.rcptTo.map((r) => r.address),
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

/** PIDs of the stdio servers a pool spawned. */
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Closes the pool and makes sure none of its children outlives the test file. */
export async function closePool(pool: McpClientPool | undefined): Promise<void> {
  if (!pool) return;
  const pids = await poolPids(pool);
  await Promise.race([pool.close(), new Promise((r) => setTimeout(r, 5_000))]);
  const until = Date.now() + 3_000;
  while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
}

/** One recorded answer of a real server, with how it must be read. */
export interface RecordedAnswer {
  case: string;
  answer: Answer;
  expect: { kind: string; reason?: string; code?: string | null; messageId?: 'present' | null };
}

/** The Answer behind an outcome's `raw` (channel-client's rawOf): what the real server sent back. */
export function answerFromRaw(raw: unknown): Answer {
  if (raw && typeof raw === 'object' && 'error' in raw) {
    const e = (raw as { error: { code: number | null; message: string; data: unknown } }).error;
    return { kind: 'error', code: e.code, message: e.message, ...(e.data != null ? { data: e.data } : {}) };
  }
  if (raw && typeof raw === 'object' && 'text' in raw) {
    const r = raw as { isError: boolean; text: string; structured: Record<string, unknown> | null };
    return {
      kind: 'result',
      result: {
        ...(r.isError ? { isError: true } : {}),
        content: [{ type: 'text', text: r.text }],
        ...(r.structured ? { structuredContent: r.structured } : {}),
      },
    };
  }
  return { kind: 'no_answer', sent: true, message: 'no answer' };
}

const FIXTURES = join(ROOT, 'test', 'fixtures', 'outcomes');

/**
 * The recorded answers of one provider (test/fixtures/outcomes/<provider>.json). With
 * RECORD_OUTCOMES=1 the interop test rewrites the file from what the real server answered.
 */
export function outcomeFixtures(provider: string): {
  recorded: RecordedAnswer[];
  add(r: RecordedAnswer): void;
  save(meta: Record<string, string>): void;
} {
  const file = join(FIXTURES, `${provider}.json`);
  const recorded: RecordedAnswer[] = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { answers: RecordedAnswer[] }).answers
    : [];
  const fresh: RecordedAnswer[] = [];
  return {
    recorded,
    add: (r) => fresh.push(r),
    save: (meta) => {
      if (process.env.RECORD_OUTCOMES !== '1') return;
      mkdirSync(FIXTURES, { recursive: true });
      writeFileSync(file, `${JSON.stringify({ ...meta, answers: fresh }, null, 2)}\n`);
    },
  };
}
