import type { CallToolResult } from '@modelcontextprotocol/client';
import type { SendOutcome } from '../core/outreach/channel-port.js';
import { invokeTool, type CallOptions } from './answers.js';
import { textOf } from './outcome.js';
import type { McpClientPool } from './pool.js';
import { renderArguments, type CanonicalPayload } from './profile.js';
import type { ResolvedChannel } from './resolve.js';

/**
 * The calendar channel's operations besides create: which ones the profile offers (after the probe:
 * those that fit the server), update / delete through their tools, and list, whose answer is read
 * into events with the profile's field names.
 */

export interface CalendarOperationsView {
  available: boolean;
  idempotent: boolean;
  update: boolean;
  delete: boolean;
  list: boolean;
  detail: string | null;
}

export type CalendarListResult =
  { ok: true; events: Array<{ id: string | null; start: string; end: string }> } | { ok: false; error: string };

/** The calendar operations this profile offers besides create. */
export function calendarOperationsOf(c: ResolvedChannel | undefined): CalendarOperationsView {
  const ops = c?.profile?.operations ?? {};
  const available = !!c?.profile && c.state === 'configured';
  return {
    available,
    idempotent: c?.profile?.idempotent ?? false,
    update: available && !!ops.update,
    delete: available && !!ops.delete,
    list: available && !!ops.list,
    detail: c?.detail ?? null,
  };
}

/** Calls a calendar operation (update / delete) with a canonical payload (eventId, title, start, ...). */
export async function callCalendarOperation(
  c: ResolvedChannel | undefined,
  pool: McpClientPool,
  defaultTimeoutMs: number,
  op: 'update' | 'delete',
  payload: CanonicalPayload,
  opts: CallOptions,
): Promise<SendOutcome> {
  const o = c?.profile?.operations?.[op];
  if (!c?.profile || c.state !== 'configured' || !o) {
    const why =
      !c?.profile || c.state !== 'configured'
        ? `the calendar channel is not available: ${c?.detail ?? 'not configured'}`
        : `this calendar profile has no ${op} tool`;
    return { ok: false, errorClass: 'politica', error: why, raw: null };
  }
  const profile = { ...c.profile, tool: o.tool };
  return invokeTool(
    pool,
    defaultTimeoutMs,
    { server: c.server, tool: o.tool, template: o.arguments, profile },
    payload,
    opts,
  );
}

/** Events overlapping [from, to) through the profile's list tool. */
export async function listCalendarEvents(
  c: ResolvedChannel | undefined,
  pool: McpClientPool,
  defaultTimeoutMs: number,
  from: Date,
  to: Date,
  opts: CallOptions,
): Promise<CalendarListResult> {
  const o = c?.profile?.operations?.list;
  if (!c?.profile || c.state !== 'configured' || !o)
    return { ok: false, error: 'this calendar profile has no list tool' };
  let r: CallToolResult;
  try {
    r = await pool.call(
      c.server,
      o.tool,
      renderArguments(o.arguments, { rangeStart: from.toISOString(), rangeEnd: to.toISOString() }) as Record<
        string,
        unknown
      >,
      {
        timeoutMs: Math.max(opts.timeoutMs ?? defaultTimeoutMs, c.profile.timeoutMs ?? 0),
        signal: opts.signal,
      },
    );
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const text = textOf(r);
  if (r.isError || (c.profile.result.failurePattern && new RegExp(c.profile.result.failurePattern, 'i').test(text)))
    return { ok: false, error: text.slice(0, 500) || 'failed' };
  return readEvents(r, text, o.tool, o.result);
}

/** The event list in a list tool's answer (structuredContent's field, else the text as JSON). */
function readEvents(
  r: CallToolResult,
  text: string,
  tool: string,
  fields: { eventsField?: string; id?: string; start?: string; end?: string },
): CalendarListResult {
  const field = fields.eventsField;
  const sc = r.structuredContent as Record<string, unknown> | undefined;
  let items: unknown = field && Array.isArray(sc?.[field]) ? sc![field] : undefined;
  if (items === undefined) {
    try {
      const parsed = JSON.parse(text) as unknown;
      items = Array.isArray(parsed) ? parsed : field ? (parsed as Record<string, unknown>)?.[field] : undefined;
    } catch {
      return { ok: false, error: `cannot read the event list from ${tool}'s answer: ${text.slice(0, 200)}` };
    }
  }
  if (!Array.isArray(items)) return { ok: false, error: `${tool}'s answer holds no event list` };
  const key = (e: Record<string, unknown>, k: string | undefined, d: string) => e[k ?? d];
  const events = (items as Array<Record<string, unknown>>)
    .map((e) => ({
      id: key(e, fields.id, 'id') == null ? null : String(key(e, fields.id, 'id')),
      start: String(key(e, fields.start, 'start') ?? ''),
      end: String(key(e, fields.end, 'end') ?? ''),
    }))
    .filter((e) => !Number.isNaN(Date.parse(e.start)) && !Number.isNaN(Date.parse(e.end)));
  return { ok: true, events };
}
