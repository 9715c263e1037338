import type { CallToolResult } from '@modelcontextprotocol/server';
import { recipientKey, TEXT_429, TEXT_503, type SandboxConfig } from './config.js';
import { RecordFile, type RecordLine } from './record.js';

export type { RecordLine } from './record.js';

/**
 * The send pipeline every mutating sandbox tool runs (stall, 429/503 faults, idempotent replay,
 * permanent recipient failures, validation, record, crash) and the JSONL record behind it. The knobs
 * are documented in config.ts.
 */
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
  private readonly file: RecordFile | undefined;
  private readonly answers = new Map<string, { text: string; result: Record<string, unknown>; id: string }>();
  private readonly attempts = new Map<string, number>();
  private readonly recent: RecordLine[] = [];
  private calls = 0;
  private accepted = 0;
  /** Real (non-duplicate) sends recorded, including those read at start. */
  sendCount = 0;

  constructor(opts: RuntimeOptions) {
    this.name = opts.name;
    this.config = opts.config;
    this.apply = opts.apply;
    this.exit = opts.exit ?? ((code: number) => process.exit(code));
    this.file = opts.config.recordPath
      ? new RecordFile(opts.config.recordPath, (text) =>
          this.log('skipping a malformed record line', { line: text.slice(0, 200) }),
        )
      : undefined;
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
    if (!this.file) return;
    const lines = this.file.readAll();
    for (const line of lines) this.track(line);
    this.log(`loaded ${lines.length} record lines`, {
      path: this.file.path,
      sends: this.sendCount,
      keys: this.answers.size,
    });
  }

  /**
   * Learns the idempotency keys other processes appended to the same record file since we last
   * looked: several clients of one downstream service share its memory of keys, as a real API would.
   */
  private syncFromFile(): void {
    for (const line of this.file?.readNew() ?? []) {
      if (!line.duplicate) this.apply?.(line);
      if (!line.idempotency_key || line.duplicate) continue;
      const k = this.keyOf(line.tool, line.idempotency_key);
      if (!this.answers.has(k)) this.answers.set(k, { text: line.text, result: line.result, id: line.message_id });
    }
  }

  /** Learns what other processes sharing the record file sent (their keys; their lines, through `apply`). */
  sync(): void {
    this.syncFromFile();
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
    this.file?.append(line);
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
      const replayed = this.replay(spec, k, key, attempt);
      if (replayed) return replayed;
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

  /** The first answer to this key again (recorded as a duplicate), if the key is known and idempotency is on. */
  private replay(spec: SendSpec, k: string, key: string, attempt: number): CallToolResult | undefined {
    if (this.config.idempotency && !this.answers.has(k)) this.syncFromFile();
    const known = this.config.idempotency ? this.answers.get(k) : undefined;
    if (!known) return undefined;
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

  shutdown(): void {
    this.file?.close();
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
