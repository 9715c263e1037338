/**
 * Shared machinery of the bundled sandbox downstream MCP servers (whatsapp, email, calendar).
 *
 * They are real MCP servers over stdio, so the default mcp.json works offline and tests can drive
 * the whole client path (spawn, pool, timeouts, crashes) against them. Each one:
 *
 * - writes nothing on stdout but JSON-RPC; diagnostics go to stderr, and only with SANDBOX_DEBUG set
 *   (a fatal start-up error, e.g. a malformed knob, is always printed to stderr before exiting 1);
 * - appends every accepted mutating call ("send") as one JSON line to the file in SANDBOX_RECORD
 *   (parent directories are created; unset = nothing is recorded, state lives in memory only):
 *     { ts, tool, args, message_id, idempotency_key, attempt, text, result }
 *   `text` and `result` are the answer given, so an idempotent replay after a restart returns it
 *   byte for byte. For the calendar, message_id is the event id. `attempt` is 1 + the calls with the
 *   same (tool, key) seen before it: every call this process received (failed, cancelled and replayed
 *   ones included) plus, from before a restart, the recorded lines; it is 1 for calls without a key;
 * - honours idempotency keys (unless SANDBOX_IDEMPOTENCY=off): a call whose (tool, key) pair already
 *   succeeded gets the SAME answer back and nothing is sent again. The replay IS recorded, as a line
 *   with `duplicate: true` (same message_id, its own attempt number), so a test sees that the retry
 *   arrived; count real sends as lines without `duplicate: true`. The key → answer map is rebuilt from
 *   the JSONL at start, so keys survive a restart. Only successes are remembered: a call that failed
 *   may be retried with the same key. Keys are not shared between processes running at the same time
 *   on one file (each reads the file once, at start).
 *
 * Fault injection (env, read once at start), applied to the mutating tools only, in this order:
 *   1. SANDBOX_STALL_MS=N        every call waits N ms first; a cancelled request (the client's timeout
 *                                or notifications/cancelled) stops there and records nothing.
 *   2. SANDBOX_RATE_LIMIT_FIRST=M  calls 1..M answer "429 Too Many Requests: rate limited".
 *   3. SANDBOX_FAIL_FIRST=N      the next N calls (M+1..M+N) answer
 *                                "503 Service Unavailable: temporary failure, retry later".
 *      (429/503 happen before the idempotency check, as a gateway in front of a real API would.)
 *   4. idempotent replay of a known key (see above).
 *   5. SANDBOX_FAIL_RECIPIENTS=a,b  permanent failure for these recipients (phones compared digits-only,
 *                                e-mails lower-cased); the text is the server's own ("400 invalid
 *                                recipient: ..." / "550 mailbox unavailable: ...").
 *      Then the tool's own validation (e.g. calendar: 404, start < end).
 *   6. SANDBOX_CRASH_AFTER=N     the (N+1)-th accepted call (one that passed 1–5, i.e. the (N+1)-th real
 *                                send of this process) records its line and then the process exits
 *                                with process.exit(137) before answering: "sent, but the answer never
 *                                came back". With SANDBOX_CRASH_BEFORE_RECORD=1 it exits before
 *                                recording: "the request never arrived".
 *   SANDBOX_FAIL_TEXT_ONLY=1     every failure comes back as a normal result (no isError) whose text is
 *                                "Error: failed to <verb>: <reason>", like lharries/whatsapp-mcp. Such a
 *                                server cannot declare an outputSchema (the SDK would reject a non-error
 *                                result without structuredContent), so in this mode the mutating tools
 *                                are registered without one; successes still carry structuredContent.
 *   SANDBOX_IDEMPOTENCY=off      ignore idempotency keys (a channel that does not honour them).
 *   SANDBOX_DEBUG=1              log each call to stderr.
 * Counters are per process: a restarted server starts counting again.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

export const SANDBOX_VERSION = '0.1.0';

export const TEXT_503 = '503 Service Unavailable: temporary failure, retry later';
export const TEXT_429 = '429 Too Many Requests: rate limited';

export interface SandboxConfig {
  recordPath?: string;
  idempotency: boolean;
  rateLimitFirst: number;
  failFirst: number;
  /** Normalised: digits-only for phones, lower-case for e-mail addresses. */
  failRecipients: ReadonlySet<string>;
  stallMs: number;
  crashAfter?: number;
  crashBeforeRecord: boolean;
  failTextOnly: boolean;
  debug: boolean;
}

function intKnob(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a non-negative integer, got "${env[name]}"`);
  return Number(raw);
}

const flag = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

export function digitsOnly(s: string): string {
  return s.replace(/\D/g, '');
}

/** How recipients are compared: e-mail addresses lower-cased, anything else digits-only. */
export function recipientKey(s: string): string {
  const t = s.trim();
  return t.includes('@') ? t.toLowerCase() : digitsOnly(t);
}

export function readSandboxConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const idem = env.SANDBOX_IDEMPOTENCY?.trim().toLowerCase();
  if (idem !== undefined && idem !== '' && !['on', 'off', '1', '0', 'true', 'false'].includes(idem)) {
    throw new Error(`SANDBOX_IDEMPOTENCY must be "on" or "off", got "${env.SANDBOX_IDEMPOTENCY}"`);
  }
  const failRecipients = new Set(
    (env.SANDBOX_FAIL_RECIPIENTS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(recipientKey)
      .filter((s) => s !== ''),
  );
  return {
    recordPath: env.SANDBOX_RECORD?.trim() || undefined,
    idempotency: !(idem === 'off' || idem === '0' || idem === 'false'),
    rateLimitFirst: intKnob(env, 'SANDBOX_RATE_LIMIT_FIRST') ?? 0,
    failFirst: intKnob(env, 'SANDBOX_FAIL_FIRST') ?? 0,
    failRecipients,
    stallMs: intKnob(env, 'SANDBOX_STALL_MS') ?? 0,
    crashAfter: intKnob(env, 'SANDBOX_CRASH_AFTER'),
    crashBeforeRecord: flag(env.SANDBOX_CRASH_BEFORE_RECORD),
    failTextOnly: flag(env.SANDBOX_FAIL_TEXT_ONLY),
    debug: env.SANDBOX_DEBUG !== undefined && !/^(|0|false|no|off)$/i.test(env.SANDBOX_DEBUG.trim()),
  };
}

/** One line of the SANDBOX_RECORD file. */
export interface RecordLine {
  ts: string;
  tool: string;
  args: Record<string, unknown>;
  message_id: string;
  idempotency_key: string | null;
  attempt: number;
  /** The answer's text and structuredContent (what an idempotent replay returns). */
  text: string;
  result: Record<string, unknown>;
  duplicate?: true;
}

/** What a successful mutating call answers. */
export interface Outcome {
  /** message id / event id; goes to the record's message_id. */
  id: string;
  text: string;
  structured: Record<string, unknown>;
}

export interface SendSpec {
  tool: string;
  /** For SANDBOX_FAIL_TEXT_ONLY: "Error: failed to <verb>: ...". */
  verb: string;
  args: Record<string, unknown>;
  idempotencyKey?: string;
  signal: AbortSignal;
  /** Recipients subject to SANDBOX_FAIL_RECIPIENTS, with the permanent-failure text for one of them. */
  recipients?: { values: string[]; failure: (recipient: string) => string };
  /** The tool's own validation, after the idempotency replay; returns an error text or undefined. */
  validate?: () => string | undefined;
  /** Builds the answer; called once, right before recording. */
  perform: () => Outcome;
}

const MAX_RECENT = 1000;

export interface RuntimeOptions {
  name: string;
  config: SandboxConfig;
  /**
   * Applies one recorded (non-duplicate) line to the server's state: called for every line of the
   * JSONL at start and for every new line right after it is recorded, so live state and restarted
   * state cannot differ.
   */
  apply?: (line: RecordLine) => void;
  /** Exits the process (tests of the runtime in-process replace it). */
  exit?: (code: number) => never;
}

export class SandboxRuntime {
  readonly name: string;
  readonly config: SandboxConfig;
  private readonly apply?: (line: RecordLine) => void;
  private readonly exit: (code: number) => never;
  private fd: number | undefined;
  private readonly answers = new Map<string, { text: string; result: Record<string, unknown>; id: string }>();
  private readonly attempts = new Map<string, number>();
  private readonly recent: RecordLine[] = [];
  private calls = 0;
  private accepted = 0;
  /** Bytes of the record file already seen (load() and syncFromFile()). */
  private offset = 0;
  /** Real (non-duplicate) sends recorded, including those read at start. */
  sendCount = 0;

  constructor(opts: RuntimeOptions) {
    this.name = opts.name;
    this.config = opts.config;
    this.apply = opts.apply;
    this.exit = opts.exit ?? ((code: number) => process.exit(code));
    this.load();
  }

  log(msg: string, data?: Record<string, unknown>): void {
    if (!this.config.debug) return;
    process.stderr.write(`[${this.name}] ${msg}${data ? ' ' + JSON.stringify(data) : ''}\n`);
  }

  private keyOf(tool: string, key: string) {
    return `${tool}\u0000${key}`;
  }

  private load(): void {
    const path = this.config.recordPath;
    if (!path) return;
    let raw: string;
    try {
      raw = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    this.offset = Buffer.byteLength(raw.slice(0, raw.lastIndexOf('\n') + 1), 'utf8');
    let n = 0;
    for (const text of raw.split('\n')) {
      if (text.trim() === '') continue;
      let line: RecordLine;
      try {
        line = JSON.parse(text) as RecordLine;
      } catch {
        // A torn last line after a crash mid-write: skip it.
        this.log('skipping a malformed record line', { line: text.slice(0, 200) });
        continue;
      }
      n++;
      this.track(line);
    }
    this.log(`loaded ${n} record lines`, { path, sends: this.sendCount, keys: this.answers.size });
  }

  /**
   * Learns the idempotency keys other processes appended to the same record file since we last
   * looked: several clients of one downstream service share its memory of keys, as a real API would.
   */
  private syncFromFile(): void {
    const path = this.config.recordPath;
    if (!path) return;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return;
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      const text = buf.toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end < 0) return;
      this.offset += Buffer.byteLength(text.slice(0, end + 1), 'utf8');
      for (const l of text.slice(0, end).split('\n')) {
        if (!l.trim()) continue;
        try {
          const line = JSON.parse(l) as RecordLine;
          if (!line.idempotency_key || line.duplicate) continue;
          const k = this.keyOf(line.tool, line.idempotency_key);
          if (!this.answers.has(k)) this.answers.set(k, { text: line.text, result: line.result, id: line.message_id });
        } catch {
          // a torn line
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Updates attempts, answers, recent sends and the server's state from one record line. */
  private track(line: RecordLine): void {
    if (line.idempotency_key) {
      const k = this.keyOf(line.tool, line.idempotency_key);
      this.attempts.set(k, Math.max(this.attempts.get(k) ?? 0, line.attempt ?? 0));
      if (!line.duplicate && !this.answers.has(k)) {
        this.answers.set(k, { text: line.text, result: line.result, id: line.message_id });
      }
    }
    if (line.duplicate) return;
    this.sendCount++;
    this.recent.push(line);
    if (this.recent.length > MAX_RECENT) this.recent.splice(0, this.recent.length - MAX_RECENT);
    this.apply?.(line);
  }

  private write(line: RecordLine): void {
    const path = this.config.recordPath;
    if (!path) return;
    if (this.fd === undefined) {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'a');
    }
    // One write per line on an O_APPEND descriptor: lines from concurrent processes do not interleave.
    writeSync(this.fd, JSON.stringify(line) + '\n');
  }

  /** The most recent real sends (up to 1000 kept in memory), oldest first. */
  recentSends(limit: number): RecordLine[] {
    return this.recent.slice(Math.max(0, this.recent.length - limit));
  }

  /** A failure as this server reports it: isError, or text only under SANDBOX_FAIL_TEXT_ONLY. */
  failure(text: string, verb: string): CallToolResult {
    if (this.config.failTextOnly) {
      return { content: [{ type: 'text', text: `Error: failed to ${verb}: ${text}` }] };
    }
    return { isError: true, content: [{ type: 'text', text }] };
  }

  /** Whether mutating tools declare an outputSchema (not under SANDBOX_FAIL_TEXT_ONLY). */
  outputSchema<T>(shape: T): T | undefined {
    return this.config.failTextOnly ? undefined : shape;
  }

  /** Runs one mutating call through stall, faults, idempotency, validation, record and crash. */
  async send(spec: SendSpec): Promise<CallToolResult> {
    const cfg = this.config;
    const callNo = ++this.calls;
    // Every call that arrives counts as an attempt of its key, whatever happens to it next.
    const key = spec.idempotencyKey && spec.idempotencyKey !== '' ? spec.idempotencyKey : undefined;
    const k = key === undefined ? undefined : this.keyOf(spec.tool, key);
    let attempt = 1;
    if (k !== undefined) {
      attempt = (this.attempts.get(k) ?? 0) + 1;
      this.attempts.set(k, attempt);
    }
    if (cfg.stallMs > 0) await sleep(cfg.stallMs, spec.signal);
    if (spec.signal.aborted) throw new Error('request cancelled');

    if (callNo <= cfg.rateLimitFirst) {
      this.log('fault: 429', { tool: spec.tool, call: callNo });
      return this.failure(TEXT_429, spec.verb);
    }
    if (callNo <= cfg.rateLimitFirst + cfg.failFirst) {
      this.log('fault: 503', { tool: spec.tool, call: callNo });
      return this.failure(TEXT_503, spec.verb);
    }

    if (k !== undefined && key !== undefined) {
      if (cfg.idempotency && !this.answers.has(k)) this.syncFromFile();
      const known = cfg.idempotency ? this.answers.get(k) : undefined;
      if (known) {
        this.write({
          ts: new Date().toISOString(),
          tool: spec.tool,
          args: spec.args,
          message_id: known.id,
          idempotency_key: key,
          attempt,
          text: known.text,
          result: known.result,
          duplicate: true,
        });
        this.log('idempotent replay', { tool: spec.tool, key, message_id: known.id, attempt });
        return { content: [{ type: 'text', text: known.text }], structuredContent: known.result };
      }
    }

    if (spec.recipients && cfg.failRecipients.size > 0) {
      const bad = spec.recipients.values.find((r) => cfg.failRecipients.has(recipientKey(r)));
      if (bad !== undefined) {
        this.log('fault: bad recipient', { tool: spec.tool, recipient: bad });
        return this.failure(spec.recipients.failure(bad), spec.verb);
      }
    }
    const invalid = spec.validate?.();
    if (invalid !== undefined) return this.failure(invalid, spec.verb);

    const acceptedNo = ++this.accepted;
    const crash = cfg.crashAfter !== undefined && acceptedNo > cfg.crashAfter;
    if (crash && cfg.crashBeforeRecord) {
      this.log('fault: crash before record', { tool: spec.tool, accepted: acceptedNo });
      this.shutdown();
      return this.exit(137);
    }
    const out = spec.perform();
    const line: RecordLine = {
      ts: new Date().toISOString(),
      tool: spec.tool,
      args: spec.args,
      message_id: out.id,
      idempotency_key: key ?? null,
      attempt,
      text: out.text,
      result: out.structured,
    };
    this.write(line);
    this.track(line);
    if (crash) {
      this.log('fault: crash after record', { tool: spec.tool, accepted: acceptedNo, message_id: out.id });
      this.shutdown();
      return this.exit(137);
    }
    this.log('accepted', { tool: spec.tool, message_id: out.id, key, attempt });
    return { content: [{ type: 'text', text: out.text }], structuredContent: out.structured };
  }

  shutdown(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('request cancelled'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('request cancelled'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Optional idempotency key field, shared by the mutating tools. */
export const idempotencyKeyField = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('Client-chosen key (≤ 200 chars). A repeat with the same key returns the first answer and sends nothing.');

/** `list_*` debugging tool: the most recent recorded sends of this server. */
export function registerListTool(server: McpServer, rt: SandboxRuntime, name: string, title: string): void {
  server.registerTool(
    name,
    {
      title,
      description: `Lists the most recent sends this sandbox server recorded (oldest first, at most 1000 kept in memory), for debugging. Idempotent replays are not listed.`,
      inputSchema: {
        limit: z.number().int().min(1).max(1000).optional().describe('How many of the most recent sends (default 50).'),
      },
      outputSchema: {
        total: z
          .number()
          .int()
          .describe('Real sends recorded so far, including those read from SANDBOX_RECORD at start.'),
        messages: z.array(
          z.object({
            ts: z.string(),
            tool: z.string(),
            message_id: z.string(),
            idempotency_key: z.string().nullable(),
            attempt: z.number().int(),
            args: z.record(z.string(), z.unknown()),
          }),
        ),
      },
      annotations: { title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ limit }) => {
      const messages = rt.recentSends(limit ?? 50).map((l) => ({
        ts: l.ts,
        tool: l.tool,
        message_id: l.message_id,
        idempotency_key: l.idempotency_key,
        attempt: l.attempt,
        args: l.args,
      }));
      return {
        content: [{ type: 'text', text: `${messages.length} of ${rt.sendCount} recorded sends.` }],
        structuredContent: { total: rt.sendCount, messages },
      };
    },
  );
}

export function createSandboxServer(name: string, instructions: string): McpServer {
  return new McpServer({ name, version: SANDBOX_VERSION }, { instructions });
}

/** Serves `build(runtime)` over stdio; exits when stdin closes or on SIGTERM/SIGINT. */
export async function serveStdio(
  name: string,
  build: (config: SandboxConfig) => { server: McpServer; runtime: SandboxRuntime },
): Promise<void> {
  let runtime: SandboxRuntime | undefined;
  try {
    const built = build(readSandboxConfig(process.env));
    runtime = built.runtime;
    const transport = new StdioServerTransport();
    const stop = (code: number) => {
      runtime?.shutdown();
      process.exit(code);
    };
    process.stdin.once('end', () => stop(0));
    process.once('SIGTERM', () => stop(0));
    process.once('SIGINT', () => stop(0));
    await built.server.connect(transport);
    runtime.log('ready', { record: runtime.config.recordPath ?? null });
  } catch (err) {
    process.stderr.write(`[${name}] fatal: ${err instanceof Error ? err.message : String(err)}\n`);
    runtime?.shutdown();
    process.exit(1);
  }
}

/** True when this module file is the process's entry point (node dist/sandbox/x.js). */
export function isEntryPoint(metaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}
