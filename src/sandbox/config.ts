/**
 * Configuration (the fault-injection knobs) of the bundled sandbox downstream MCP servers (whatsapp, email, calendar).
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
 * - has an inbox (e-mail and WhatsApp, inbox.ts): SANDBOX_INBOX names a JSONL file of received
 *   messages, one {from, text, subject?, in_reply_to?, received_at?} a line, that list_inbox lists by
 *   UID (its line number) and simulate_reply appends to (unset: the inbox lives in memory);
 *   list_statuses reports each recorded send as delivered.
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
export const SANDBOX_VERSION = '0.1.0';

export const TEXT_503 = '503 Service Unavailable: temporary failure, retry later';
export const TEXT_429 = '429 Too Many Requests: rate limited';

export interface SandboxConfig {
  recordPath?: string;
  /** SANDBOX_INBOX: the JSONL file of received messages list_inbox reads (simulate_reply appends). */
  inboxPath?: string;
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
    inboxPath: env.SANDBOX_INBOX?.trim() || undefined,
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
