import type { ReaderName } from './readers.js';

/**
 * A channel profile says how to call one downstream MCP tool for a canonical payload and how to read
 * its answer. Presets cover the public servers people run; mcp.json may override any field.
 *
 * Argument templates: every string value may hold {{field|filter}} placeholders over the canonical
 * payload (to, text, subject, html, title, start, end, timeZone, description, location,
 * idempotencyKey, template, templateParams, messageId — our `<disparo_id@domain>` for e-mail; WhatsApp:
 * freeText inside the 24-hour window, outside it templateLanguage, contentSid, contentVariables — JSON
 * text — and waTemplate, the Cloud API template object). A value that is exactly one placeholder keeps
 * the filter's type (array, number, object). Keys whose value renders to undefined are left out, and so
 * is an object all of whose keys were left out.
 */
export interface ChannelProfile {
  tool: string;
  arguments: Record<string, unknown>;
  /** How to read the answer. */
  result: {
    /**
     * How to read the answer (src/channels/readers.ts): a provider's reader reads its structured fields
     * (Twilio's error body, Resend's error object, the JSON mcp-mail-server returns); `generic` (the
     * default) reads structuredContent, then the patterns below.
     */
    reader?: ReaderName;
    /** Regex (case-insensitive) on the text that means failure, for servers that never set isError. */
    failurePattern?: string;
    /** Regex whose first group is the message / event id in the text. */
    idPattern?: string;
    /** Key of structuredContent holding the id. */
    idField?: string;
  };
  /** The server deduplicates on the idempotency key: a retry after an unknown outcome is safe. */
  idempotent: boolean;
  /**
   * Per-call timeout for this server (ms), when it answers slower than the caller's default: a
   * delivered message must not turn into an unknown outcome because the server files a copy first.
   */
  timeoutMs?: number;
  /**
   * Calendar profiles only: the tools that change or list events besides `tool` (which creates).
   * Their argument templates may use {{eventId}} (the id read from the create answer) and, for list,
   * {{rangeStart}} / {{rangeEnd}}. A missing operation is reported to the caller, never guessed.
   */
  operations?: CalendarOperations;
  /** E-mail and WhatsApp: the downstream tool that lists received messages, polled (inbox-calls.ts). */
  inbound?: PollOperation;
  /** E-mail and WhatsApp: the tool that lists delivery statuses of our messages, polled the same way. */
  statuses?: PollOperation;
}

/**
 * A list/search tool polled for what arrived since the last poll. Its argument templates may use
 * {{since}} (the high-water mark, rendered per `mark.kind`) and {{limit}}. Where the items are in the
 * answer: `result.itemsField` of structuredContent, else the text as JSON (an array, or an object with
 * that key). `result.fields` maps our names to each item's keys (dot paths: "from.address").
 * Messages: id, from, text, receivedAt, inReplyTo, references, subject. Statuses: id (the id of OUR
 * message), status, at, code, detail; `result.statusMap` maps the server's words to
 * sent/delivered/read/failed.
 */
export interface PollOperation {
  tool: string;
  arguments: Record<string, unknown>;
  mark: {
    /**
     * date: the newest item time seen (`field`, default the receivedAt/at field), rendered as an ISO
     * time `overlapMs` earlier (default 1 day: servers that search by day); uid: the largest number in
     * `field` seen; cursor: the answer's `field` (an opaque next-page token), passed back as is.
     */
    kind: 'date' | 'uid' | 'cursor';
    field?: string;
    overlapMs?: number;
    /** First poll of a date mark: how far back (default 7 days). */
    lookbackMs?: number;
  };
  result: {
    itemsField?: string;
    fields: Record<string, string>;
    /** Prepended to each item's id (ids that are only unique inside one mailbox: IMAP UIDs). */
    idPrefix?: string;
    statusMap?: Record<string, 'sent' | 'delivered' | 'read' | 'failed'>;
  };
  /** Items asked for per poll (the {{limit}} placeholder); default 100. */
  limit?: number;
}

export interface CalendarOperation {
  tool: string;
  arguments: Record<string, unknown>;
}

export interface CalendarListOperation extends CalendarOperation {
  /**
   * Where the events are in the answer: `eventsField` of structuredContent when it holds an array,
   * else the text parsed as JSON (an array, or an object with that key). Keys of each event.
   */
  result: { eventsField?: string; start?: string; end?: string; id?: string };
}

export interface CalendarOperations {
  update?: CalendarOperation;
  delete?: CalendarOperation;
  list?: CalendarListOperation;
}

export type CanonicalPayload = Record<string, string | string[] | number | object | undefined>;

const FILTERS: Record<string, (v: unknown) => unknown> = {
  digits: (v) => String(v ?? '').replace(/\D/g, ''),
  e164: (v) => {
    const d = String(v ?? '').replace(/\D/g, '');
    return d ? `+${d}` : undefined;
  },
  array: (v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]),
  csv: (v) => (Array.isArray(v) ? v.join(',') : v),
  iso: (v) => (v === undefined ? undefined : new Date(String(v)).toISOString()),
  // "2026-11-24T10:00:00" in the payload's timeZone, for servers that want local wall time.
  local: (v) => (v === undefined ? undefined : String(v).replace(/([+-]\d\d:\d\d|Z)$/, '')),
  date: (v) => (v === undefined ? undefined : String(v).slice(0, 10)),
  lower: (v) => (v === undefined ? undefined : String(v).toLowerCase()),
  int: (v) => (v === undefined || v === '' ? undefined : Math.trunc(Number(v))),
};

const WHOLE = /^\{\{\s*([A-Za-z]+)\s*(?:\|\s*([a-z0-9]+)\s*)?\}\}$/;
const PART = /\{\{\s*([A-Za-z]+)\s*(?:\|\s*([a-z0-9]+)\s*)?\}\}/g;

function apply(field: string, filter: string | undefined, payload: CanonicalPayload): unknown {
  const v = payload[field];
  if (!filter) return v;
  const f = FILTERS[filter];
  if (!f) throw new Error(`unknown filter "${filter}" (known: ${Object.keys(FILTERS).join(', ')})`);
  return f(v);
}

/** Renders a profile's argument template for a payload. */
export function renderArguments(template: unknown, payload: CanonicalPayload): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) return apply(whole[1], whole[2], payload);
    let missing = false;
    const out = template.replace(PART, (_, field: string, filter?: string) => {
      const v = apply(field, filter, payload);
      if (v === undefined) missing = true;
      return v === undefined ? '' : String(v);
    });
    return missing && out.trim() === '' ? undefined : out;
  }
  if (Array.isArray(template)) return template.map((t) => renderArguments(t, payload)).filter((v) => v !== undefined);
  if (template && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) {
      const r = renderArguments(v, payload);
      if (r !== undefined) out[k] = r;
    }
    return Object.keys(out).length || !Object.keys(template).length ? out : undefined;
  }
  return template;
}

/** Problems of rendered arguments against a tool's JSON Schema (required keys, basic types). */
export function schemaProblems(
  args: Record<string, unknown>,
  schema: { properties?: Record<string, any>; required?: string[] },
): string[] {
  const problems: string[] = [];
  const props = schema.properties ?? {};
  for (const r of schema.required ?? []) if (!(r in args)) problems.push(`missing required argument "${r}"`);
  for (const [k, v] of Object.entries(args)) {
    const p = props[k];
    if (!p) {
      if (Object.keys(props).length) problems.push(`argument "${k}" is not in the tool's schema`);
      continue;
    }
    const types: string[] = p.type ? (Array.isArray(p.type) ? p.type : [p.type]) : [];
    const actual = Array.isArray(v)
      ? 'array'
      : v === null
        ? 'null'
        : typeof v === 'number'
          ? Number.isInteger(v)
            ? 'integer'
            : 'number'
          : typeof v;
    const ok = !types.length || types.includes(actual) || (actual === 'integer' && types.includes('number'));
    if (!ok) problems.push(`argument "${k}" is ${actual}, the tool wants ${types.join(' | ')}`);
  }
  return problems;
}
