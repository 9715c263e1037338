import type { CallToolResult } from '@modelcontextprotocol/client';
import type { RefusalReason, SendOutcome } from '../core/outreach/channel-port.js';

/**
 * What came back from one downstream tool call, before anyone reads it: a tool result, a JSON-RPC
 * error (code, message, data), or no answer at all — and then whether the request had left.
 */
export type Answer =
  | { kind: 'result'; result: CallToolResult }
  | { kind: 'error'; code: number | null; message: string; data?: unknown }
  | { kind: 'no_answer'; sent: boolean; message: string };

/**
 * An answer read by meaning. `delivered` carries the downstream id; refusals carry the reason and the
 * provider's code; `unknown` is kept for answers that truly do not say (a timeout after the request
 * left, a crash mid-call, an error body nobody recognises).
 */
export type Reading =
  | { kind: 'delivered'; messageId: string | null; waId?: string | null }
  | { kind: 'refused_permanently'; reason: PermanentReason; code: string | null; message: string }
  | { kind: 'refused_transiently'; reason: TransientReason; code: string | null; message: string }
  | { kind: 'unknown'; message: string };

export type PermanentReason = Extract<
  RefusalReason,
  'bad_destination' | 'not_whatsapp_user' | 'template_refused' | 'auth' | 'opted_out' | 'refused'
>;
export type TransientReason = Extract<RefusalReason, 'rate_limited' | 'server_error' | 'not_sent'>;

/** A reader turns one preset's answers into Readings. */
export type Reader = (a: Answer, ctx: ReaderContext) => Reading;

export interface ReaderContext {
  /** Only for the generic reader: the profile's own id field / patterns (custom profiles). */
  idField?: string;
  idPattern?: string;
  failurePattern?: string;
}

export function textOf(r: CallToolResult): string {
  return (r.content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => (c as { text: string }).text)
    .join('\n');
}

/**
 * The first JSON object in a text: the whole text, or what follows a prefix ("Email sent successfully!
 * {…}", "MCP error -32603: {…}"). Undefined when there is none.
 */
export function jsonIn(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  const end = text.lastIndexOf('}');
  if (end < start) return undefined;
  try {
    const v = JSON.parse(text.slice(start, end + 1)) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The SDK prefixes a JSON-RPC error's message with "MCP error <code>: "; the provider's text follows. */
export function stripMcpPrefix(message: string): string {
  return message.replace(/^MCP error -?\d+:\s*/, '');
}

/** The status classes every HTTP API shares, for a reader whose provider sent no finer code. */
export function byHttpStatus(status: number, code: string | null, message: string): Reading {
  if (status === 429) return { kind: 'refused_transiently', reason: 'rate_limited', code, message };
  if (status >= 500) return { kind: 'refused_transiently', reason: 'server_error', code, message };
  if (status === 401 || status === 403) return { kind: 'refused_permanently', reason: 'auth', code, message };
  if (status >= 400) return { kind: 'refused_permanently', reason: 'refused', code, message };
  return { kind: 'unknown', message };
}

/** A call that got no answer: refused transiently when it never left, unknown otherwise. */
export function readNoAnswer(a: Extract<Answer, { kind: 'no_answer' }>): Reading {
  return a.sent
    ? { kind: 'unknown', message: a.message }
    : { kind: 'refused_transiently', reason: 'not_sent', code: null, message: a.message };
}

/**
 * Text classes for servers that answer in words only (the bundled sandbox, lharries/whatsapp-mcp, and
 * custom profiles). Anchored: a leading status / SMTP code decides, then whole phrases; a word like
 * "error" inside a JSON body never does.
 */
export function classifyText(text: string): Reading {
  const message = text.slice(0, 500);
  const t = text.trim().toLowerCase();
  // The server refused the arguments: nothing was sent. About the recipient → bad destination.
  if (/-32602|input validation error|invalid arguments/.test(t))
    return /\bto\b|recipient|email|phone|number/.test(t)
      ? { kind: 'refused_permanently', reason: 'bad_destination', code: '-32602', message }
      : { kind: 'refused_permanently', reason: 'refused', code: '-32602', message };
  const lead = /^(?:error:\s*(?:failed to [a-z ]+:\s*)?)?(\d{3})\b(?:[ -](\d\.\d{1,3}\.\d{1,3}))?/.exec(t);
  const code = lead ? (lead[2] ? `${lead[1]} ${lead[2]}` : lead[1]) : null;
  if (/not a whatsapp user|not on whatsapp/.test(t))
    return { kind: 'refused_permanently', reason: 'not_whatsapp_user', code, message };
  if (
    /invalid recipient|mailbox unavailable|no such user|user unknown|recipient address rejected|invalid (phone|number|address|email)/.test(
      t,
    )
  )
    return { kind: 'refused_permanently', reason: 'bad_destination', code, message };
  if (lead) {
    const n = Number(lead[1]);
    // SMTP: 5xx with an enhanced status code is permanent, 4xx transient. HTTP: 429 / 5xx transient.
    if (lead[2]) {
      if (n >= 500)
        return {
          kind: 'refused_permanently',
          reason: /^5\.1\./.test(lead[2]) ? 'bad_destination' : 'refused',
          code,
          message,
        };
      return { kind: 'refused_transiently', reason: 'server_error', code, message };
    }
    if (n === 429 || n >= 500) return byHttpStatus(n, code, message);
  }
  if (/rate.?limit|too many requests|timed? ?out|temporar|unavailable|try again/.test(t))
    return {
      kind: 'refused_transiently',
      reason: /rate.?limit|too many/.test(t) ? 'rate_limited' : 'server_error',
      code,
      message,
    };
  if (/template/.test(t)) return { kind: 'refused_permanently', reason: 'template_refused', code, message };
  if (/opt.?out|unsubscribed/.test(t)) return { kind: 'refused_permanently', reason: 'opted_out', code, message };
  if (/unauthori[sz]ed|authenticat|invalid api key|forbidden|\b40[13]\b/.test(t))
    return { kind: 'refused_permanently', reason: 'auth', code, message };
  if (/policy|blocked/.test(t)) return { kind: 'refused_permanently', reason: 'refused', code, message };
  if (lead && Number(lead[1]) >= 400) return byHttpStatus(Number(lead[1]), code, message);
  return { kind: 'unknown', message };
}

const PERMANENT_CLASS: Record<PermanentReason, 'destino_invalido' | 'politica'> = {
  bad_destination: 'destino_invalido',
  not_whatsapp_user: 'destino_invalido',
  template_refused: 'politica',
  auth: 'politica',
  opted_out: 'politica',
  refused: 'politica',
};

/** The port's outcome for a reading (errorClass is what the executor and the database know). */
export function toSendOutcome(r: Reading, raw: unknown): SendOutcome {
  switch (r.kind) {
    case 'delivered':
      return { ok: true, messageId: r.messageId, waId: r.waId ?? null, raw };
    case 'refused_permanently':
      return {
        ok: false,
        errorClass: PERMANENT_CLASS[r.reason],
        reason: r.reason,
        providerCode: r.code,
        error: withCode(r.code, r.message),
        raw,
      };
    case 'refused_transiently':
      return {
        ok: false,
        errorClass: 'transitorio',
        reason: r.reason,
        providerCode: r.code,
        error: withCode(r.code, r.message),
        raw,
      };
    default:
      return { ok: false, errorClass: 'desconhecido', error: r.message || 'unknown outcome', raw };
  }
}

function withCode(code: string | null, message: string): string {
  const m = message || 'refused';
  return code && !m.includes(code) ? `[${code}] ${m}` : m;
}

/** What the answer looked like, kept in disparos.resposta_bruta (truncated). */
export function rawOf(a: Answer): unknown {
  if (a.kind === 'result')
    return {
      isError: !!a.result.isError,
      text: textOf(a.result).slice(0, 2000),
      structured: a.result.structuredContent ?? null,
    };
  if (a.kind === 'error') return { error: { code: a.code, message: a.message.slice(0, 2000), data: a.data ?? null } };
  return null;
}
