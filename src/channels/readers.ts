import { providerCodeReason, TWILIO_CODES } from '../core/outreach/provider-codes.js';
import {
  byHttpStatus,
  classifyText,
  jsonIn,
  readNoAnswer,
  stripMcpPrefix,
  textOf,
  type Answer,
  type PermanentReason,
  type Reader,
  type Reading,
} from './outcome.js';

/**
 * One reader per kind of downstream answer. Each reads structured fields first (structuredContent,
 * the JSON the server put in its text, the provider's error body inside an MCP error) and falls back
 * to anchored text patterns only where the server gives nothing else. The recorded answers of the
 * real servers (test/fixtures/outcomes/*.json) are run through these in test/unit/outcome-readers.test.ts.
 */

/**
 * A WhatsApp Cloud API error body ({"error": {"code": 131047, "message": "(#131047) …", "error_data":
 * {"details": …}}}), as the Graph API answers and the platform-like sandbox repeats: its code decides.
 */
export function readCloudApiError(text: string): Reading | undefined {
  const err = jsonIn(text)?.error as Record<string, unknown> | undefined;
  if (!err || typeof err !== 'object' || typeof err.code !== 'number') return undefined;
  const code = String(err.code);
  const details = (err.error_data as { details?: unknown } | undefined)?.details;
  const message = `${String(err.message ?? '')}${typeof details === 'string' ? `: ${details}` : ''}`.slice(0, 500);
  const reason = providerCodeReason(code) ?? (code.startsWith('132') ? 'template_refused' : null);
  if (reason === 'rate_limited' || reason === 'server_error' || reason === 'not_sent')
    return { kind: 'refused_transiently', reason, code, message };
  if (reason) return { kind: 'refused_permanently', reason, code, message } as Reading;
  return { kind: 'refused_permanently', reason: 'refused', code, message };
}

/** Bundled sandbox servers, custom profiles and servers that answer in words (lharries, WAHA, ...). */
export const genericReader: Reader = (a, ctx) => {
  if (a.kind === 'no_answer') return readNoAnswer(a);
  if (a.kind === 'error') {
    const cloud = readCloudApiError(stripMcpPrefix(a.message));
    if (cloud) return cloud;
    const body = jsonIn(stripMcpPrefix(a.message));
    const status = Number(body?.status ?? body?.statusCode);
    if (a.code !== -32602 && status >= 400) return byHttpStatus(status, String(body?.code ?? status), a.message);
    const r = classifyText(a.code === -32602 ? `-32602 ${a.message}` : stripMcpPrefix(a.message));
    return r.kind === 'unknown' ? { kind: 'unknown', message: a.message } : r;
  }
  const text = textOf(a.result);
  const failed =
    a.result.isError || (ctx.failurePattern ? new RegExp(ctx.failurePattern, 'i').test(text.trim()) : false);
  if (failed) {
    const cloud = readCloudApiError(text);
    if (cloud) return cloud;
    const r = classifyText(text);
    // A server that says "failed" in words but nothing more: refused, for a reason we cannot tell.
    return r.kind === 'unknown'
      ? { kind: 'refused_permanently', reason: 'refused', code: null, message: r.message }
      : r;
  }
  const sc = a.result.structuredContent as Record<string, unknown> | undefined;
  let id = ctx.idField && sc?.[ctx.idField] != null ? String(sc[ctx.idField]) : null;
  if (!id && ctx.idPattern) {
    const m = new RegExp(ctx.idPattern).exec(text);
    id = m ? (m.slice(1).find(Boolean) ?? null) : null;
  }
  return { kind: 'delivered', messageId: id, waId: sc?.wa_id ? String(sc.wa_id) : null };
};

// Twilio error codes by meaning: core/outreach/provider-codes.ts (shared with the delivery statuses
// reported later). Anything else falls back to the HTTP status of the error body: 429 / 5xx transient,
// 401 / 403 auth, other 4xx refused.
function twilioCode(code: number, status: number, message: string): Reading {
  const c = String(code);
  const cls = TWILIO_CODES[c];
  if (cls === 'rate_limited' || cls === 'server_error' || cls === 'not_sent')
    return { kind: 'refused_transiently', reason: cls, code: c, message };
  if (cls) return { kind: 'refused_permanently', reason: cls, code: c, message };
  return byHttpStatus(status || 400, c, message);
}

/**
 * @twilio-alpha/mcp: a 2xx is a normal result whose text is the Message resource as JSON (never
 * isError; `"error_code": null` in every success); a 4xx/5xx is a JSON-RPC error -32603 whose message
 * is Twilio's error body {code, message, more_info, status}; an unreachable API is -32603 "An error
 * occurred while making the request" (the request may or may not have left: unknown).
 */
export const twilioReader: Reader = (a, ctx) => {
  if (a.kind === 'no_answer') return readNoAnswer(a);
  if (a.kind === 'error') {
    const body = jsonIn(stripMcpPrefix(a.message));
    if (body && typeof body.code === 'number')
      return twilioCode(body.code, Number(body.status), String(body.message ?? a.message));
    return genericReader(a, ctx);
  }
  const text = textOf(a.result);
  const body = jsonIn(text);
  if (!body) return a.result.isError ? genericReader(a, ctx) : { kind: 'unknown', message: text.slice(0, 500) };
  const sid = typeof body.sid === 'string' && /^(SM|MM)[0-9a-f]{32}$/.test(body.sid) ? body.sid : null;
  // A message resource that already failed (rare at creation; normally seen later by FetchMessage).
  if ((body.status === 'failed' || body.status === 'undelivered') && typeof body.error_code === 'number')
    return twilioCode(body.error_code, 400, String(body.error_message ?? body.status));
  if (sid) return { kind: 'delivered', messageId: sid };
  if (typeof body.code === 'number') return twilioCode(body.code, Number(body.status), String(body.message ?? ''));
  return { kind: 'unknown', message: text.slice(0, 500) };
};

/**
 * resend-mcp (Resend's own server): success is the text `Email sent successfully! {"id":"…"}`; an API
 * error comes back as isError `Email failed to send: {"statusCode":…,"message":…,"name":…}` (the
 * Resend SDK's error object). `application_error` with statusCode null means fetch itself failed.
 */
export const resendReader: Reader = (a, ctx) => {
  if (a.kind === 'no_answer') return readNoAnswer(a);
  const text = a.kind === 'error' ? stripMcpPrefix(a.message) : textOf(a.result);
  const body = jsonIn(text);
  const failed = a.kind === 'error' || a.result.isError;
  if (!failed) {
    const id = typeof body?.id === 'string' ? body.id : null;
    return id ? { kind: 'delivered', messageId: id } : { kind: 'unknown', message: text.slice(0, 500) };
  }
  if (!body || typeof body.name !== 'string') return genericReader(a, ctx);
  const name = body.name;
  const status = typeof body.statusCode === 'number' ? body.statusCode : null;
  const message = String(body.message ?? text).slice(0, 500);
  switch (name) {
    case 'rate_limit_exceeded':
    case 'daily_quota_exceeded':
      return { kind: 'refused_transiently', reason: 'rate_limited', code: name, message };
    case 'concurrent_idempotent_requests':
      return { kind: 'refused_transiently', reason: 'not_sent', code: name, message };
    case 'missing_api_key':
    case 'invalid_api_key':
    case 'restricted_api_key':
      return { kind: 'refused_permanently', reason: 'auth', code: name, message };
    case 'validation_error':
      if (status === 401 || /api key/i.test(message))
        return { kind: 'refused_permanently', reason: 'auth', code: name, message };
      return {
        kind: 'refused_permanently',
        reason: /`to`|\bto\b field|recipient/i.test(message) ? 'bad_destination' : 'refused',
        code: name,
        message,
      };
    case 'application_error':
    case 'internal_server_error':
      // statusCode null: the SDK's fetch threw, so the request may or may not have reached Resend.
      if (status === null) return { kind: 'unknown', message };
      return { kind: 'refused_transiently', reason: 'server_error', code: name, message };
    default:
      return status ? byHttpStatus(status, name, message) : { kind: 'unknown', message };
  }
};

/**
 * An SMTP failure as nodemailer words it ("Can't send mail - all recipients were rejected: 550 5.1.1
 * <x>: Recipient address rejected", "Invalid login: 535 5.7.8 …", "connect ECONNREFUSED …"), wrapped by
 * the e-mail MCP servers. The reply code after nodemailer's own prefix decides.
 */
export function readSmtpFailure(text: string): Reading {
  const message = text.slice(0, 500);
  const reply =
    /(?:recipients were rejected|Message failed|Invalid login|Mail command failed|Data command failed|Can't send mail)[^:]*:\s*(\d{3})(?:[ -](\d\.\d{1,3}\.\d{1,3}))?/i.exec(
      text,
    );
  if (reply) {
    const n = Number(reply[1]);
    const enh = reply[2] ?? '';
    const code = enh ? `${reply[1]} ${enh}` : reply[1];
    if (/Invalid login/i.test(reply[0]) || n === 535 || enh.startsWith('5.7.8'))
      return { kind: 'refused_permanently', reason: 'auth', code, message };
    if (n >= 500)
      return {
        kind: 'refused_permanently',
        reason: /recipients were rejected/i.test(reply[0]) || enh.startsWith('5.1.') ? 'bad_destination' : 'refused',
        code,
        message,
      };
    if (n >= 400) return { kind: 'refused_transiently', reason: 'server_error', code, message };
  }
  // Could not reach the SMTP server at all: nothing left.
  if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|Greeting never received|SMTP connection failed|connection (refused|closed)/i.test(
      text,
    )
  )
    return { kind: 'refused_transiently', reason: 'not_sent', code: null, message };
  return { kind: 'unknown', message };
}

/**
 * mcp-mail-server: success is JSON in the text {messageId, response, accepted, rejected,
 * sentFolderSaved}. A failure is thrown inside the tool, and its SDK (0.5) turns that into a normal
 * result (no isError) whose text starts "Error: Failed to send email: <nodemailer message>" — so the
 * anchored "Error:" prefix is what says failure, and the SMTP reply code inside says which.
 */
export const mcpMailReader: Reader = (a, ctx) => {
  if (a.kind === 'no_answer') return readNoAnswer(a);
  if (a.kind === 'error') {
    if (a.code === -32602) return genericReader(a, ctx);
    return readSmtpFailure(stripMcpPrefix(a.message));
  }
  const text = textOf(a.result);
  if (a.result.isError || /^Error:/.test(text)) return readSmtpFailure(text);
  const body = jsonIn(text);
  if (!body) return { kind: 'unknown', message: text.slice(0, 500) };
  const accepted = Array.isArray(body.accepted) ? body.accepted : [];
  const rejected = Array.isArray(body.rejected) ? body.rejected : [];
  if (!accepted.length && rejected.length)
    return { kind: 'refused_permanently', reason: 'bad_destination', code: null, message: text.slice(0, 500) };
  const id = typeof body.messageId === 'string' ? body.messageId.replace(/^<|>$/g, '') : null;
  return accepted.length || id
    ? { kind: 'delivered', messageId: id }
    : { kind: 'unknown', message: text.slice(0, 500) };
};

/**
 * @codefuturist/email-mcp: success text ends in "Message-ID: <id>"; failures set isError ("Failed to
 * send email: <nodemailer message>"); argument rejections are -32602.
 */
export const codefuturistReader: Reader = (a, ctx) => {
  if (a.kind === 'no_answer') return readNoAnswer(a);
  if (a.kind === 'error') return a.code === -32602 ? genericReader(a, ctx) : readSmtpFailure(stripMcpPrefix(a.message));
  const text = textOf(a.result);
  if (a.result.isError) {
    if (/input validation error|-32602/i.test(text)) return classifyText(text);
    return readSmtpFailure(text);
  }
  const m = /Message-ID:\s*<?([^>\s]+)>?/.exec(text);
  return m ? { kind: 'delivered', messageId: m[1] } : { kind: 'unknown', message: text.slice(0, 500) };
};

export const READERS = {
  generic: genericReader,
  twilio: twilioReader,
  resend: resendReader,
  'mcp-mail-server': mcpMailReader,
  'codefuturist-email': codefuturistReader,
} satisfies Record<string, Reader>;

export type ReaderName = keyof typeof READERS;

/** Reads one answer with the named reader (generic when none is named). */
export function readAnswer(name: ReaderName | undefined, a: Answer, ctx: Parameters<Reader>[1] = {}): Reading {
  return READERS[name ?? 'generic'](a, ctx);
}
