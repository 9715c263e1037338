import type { CallToolResult } from '@modelcontextprotocol/client';
import type { InboundMessage, InboundStatus } from '../core/inbound/parse/index.js';
import type { DeliveryStatus, SendChannel } from '../core/model/index.js';
import { textOf } from './outcome.js';
import type { McpClientPool } from './pool.js';
import { renderArguments, schemaProblems, type PollOperation } from './profile.js';

/**
 * Polling a channel's inbox and status tools (ChannelProfile.inbound / .statuses): renders the high-water
 * mark into the arguments, calls the tool, reads the items the profile's field map names, and works
 * out the next mark. Storing and processing what came back is core/inbound/poll.ts.
 */

export type PollKind = 'inbound' | 'statuses';

export interface PollResult {
  messages: InboundMessage[];
  statuses: InboundStatus[];
  /** Items in the answer that could not be read (no id, no sender, no status we know). */
  unreadable: number;
  /** Where the next poll starts (unchanged when the answer moved nothing). */
  nextMark: string | null;
}

const DAY = 86_400_000;
const STATUS_WORDS: Record<string, DeliveryStatus> = {
  sent: 'enviado',
  enviado: 'enviado',
  delivered: 'entregue',
  entregue: 'entregue',
  read: 'lido',
  lido: 'lido',
  failed: 'falhou',
  undelivered: 'falhou',
  falhou: 'falhou',
};

/** The {{since}} a mark renders to (a date mark starts `overlapMs` earlier: servers that search by day). */
export function sinceOf(op: PollOperation, mark: string | null, now: Date): string | undefined {
  if (op.mark.kind === 'uid') return mark ?? '0';
  if (op.mark.kind === 'cursor') return mark ?? undefined;
  const t = mark ? Date.parse(mark) - (op.mark.overlapMs ?? DAY) : now.getTime() - (op.mark.lookbackMs ?? 7 * DAY);
  return new Date(t).toISOString();
}

/** Calls one poll operation from `mark` and reads its answer; throws with the server's words on failure. */
export async function pollOnce(
  pool: McpClientPool,
  server: string,
  op: PollOperation,
  c: { channel: SendChannel; kind: PollKind; timeoutMs: number; mark: string | null; now: Date },
): Promise<PollResult> {
  const args = renderArguments(op.arguments, {
    since: sinceOf(op, c.mark, c.now),
    limit: op.limit ?? 100,
  }) as Record<string, unknown>;
  const r = await pool.call(server, op.tool, args, { timeoutMs: c.timeoutMs });
  const text = textOf(r);
  if (r.isError || /^error\b/i.test(text.trim()))
    throw new Error(`${server}/${op.tool} failed: ${text.slice(0, 300) || 'isError'}`);
  const { items, answer } = itemsOf(r, text, op);
  const out: PollResult = { messages: [], statuses: [], unreadable: 0, nextMark: c.mark };
  for (const item of items) {
    const read = c.kind === 'inbound' ? readMessage(item, op, c.channel, c.now) : readStatus(item, op, c.now);
    if (!read) out.unreadable++;
    else if ('from' in read) out.messages.push(read);
    else out.statuses.push(read);
  }
  out.nextMark = nextMark(op, c.mark, items, answer);
  return out;
}

/** The items of an answer: structuredContent[itemsField], else the text as JSON. */
function itemsOf(
  r: CallToolResult,
  text: string,
  op: PollOperation,
): { items: Array<Record<string, unknown>>; answer: Record<string, unknown> } {
  const field = op.result.itemsField;
  const sc = r.structuredContent as Record<string, unknown> | undefined;
  let answer: unknown = sc;
  if (!sc || (field && !Array.isArray(sc[field]))) {
    try {
      answer = JSON.parse(text) as unknown;
    } catch {
      // "No messages found" and other words: nothing arrived.
      if (text.length < 300 && !/[[{]/.test(text)) return { items: [], answer: {} };
      throw new Error(`cannot read the list in ${op.tool}'s answer (not JSON, ${text.length} characters)`);
    }
  }
  const list = Array.isArray(answer) ? answer : field ? (answer as Record<string, unknown> | null)?.[field] : undefined;
  if (!Array.isArray(list)) throw new Error(`${op.tool}'s answer holds no list${field ? ` in "${field}"` : ''}`);
  const obj = answer && typeof answer === 'object' && !Array.isArray(answer) ? (answer as Record<string, unknown>) : {};
  return { items: list.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object'), answer: obj };
}

/** A dot path ("from.address", "headers.in-reply-to") into an item. */
export function pick(item: Record<string, unknown>, path: string | undefined): unknown {
  if (!path) return undefined;
  let v: unknown = item;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

const str = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null;

function timeOf(v: unknown): Date | null {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v < 1e12 ? v * 1000 : v);
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? null : new Date(t);
}

function readMessage(
  item: Record<string, unknown>,
  op: PollOperation,
  channel: SendChannel,
  now: Date,
): InboundMessage | null {
  const f = op.result.fields;
  const id = str(pick(item, f.id));
  const from = str(pick(item, f.from));
  if (!id || !from) return null;
  const raw = str(pick(item, f.text)) ?? stripHtml(str(pick(item, f.html)) ?? '');
  const refs = pick(item, f.references);
  const references = (Array.isArray(refs) ? refs.map(String) : (str(refs) ?? '').split(/[\s,]+/)).filter(Boolean);
  return {
    channel,
    providerId: `${op.result.idPrefix ?? ''}${id}`,
    from,
    text: channel === 'email' ? withoutQuotedReply(raw) : raw,
    receivedAt: timeOf(pick(item, f.receivedAt)) ?? now,
    replyTo: str(pick(item, f.inReplyTo)),
    ...(references.length ? { references } : {}),
  };
}

function readStatus(item: Record<string, unknown>, op: PollOperation, now: Date): InboundStatus | null {
  const f = op.result.fields;
  const id = str(pick(item, f.id));
  const word = str(pick(item, f.status))?.toLowerCase();
  const mapped = word ? (op.result.statusMap?.[word] ?? word) : undefined;
  const status = mapped ? STATUS_WORDS[mapped] : undefined;
  if (!id || !status) return null;
  return {
    providerId: id,
    status,
    at: timeOf(pick(item, f.at)) ?? now,
    code: str(pick(item, f.code)),
    detail: str(pick(item, f.detail)),
  };
}

function nextMark(
  op: PollOperation,
  mark: string | null,
  items: Array<Record<string, unknown>>,
  answer: Record<string, unknown>,
): string | null {
  const f = op.result.fields;
  if (op.mark.kind === 'cursor') return str(pick(answer, op.mark.field ?? 'next_cursor')) ?? mark;
  if (op.mark.kind === 'uid') {
    const nums = items.map((i) => Number(pick(i, op.mark.field ?? f.id))).filter(Number.isFinite);
    const top = Math.max(mark ? Number(mark) : 0, ...nums);
    return top > 0 ? String(top) : mark;
  }
  const times = items
    .map((i) => timeOf(pick(i, op.mark.field ?? f.receivedAt ?? f.at))?.getTime())
    .filter((t): t is number => t !== undefined && Number.isFinite(t));
  const top = Math.max(mark ? Date.parse(mark) : 0, ...times);
  return top > 0 ? new Date(top).toISOString() : mark;
}

function stripHtml(html: string): string {
  return html
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .trim();
}

/**
 * An e-mail reply without the message it quotes: our own text (which may say how to opt out) must not
 * be read as the person's words. Cuts at the first quoted line or "On … wrote:" / "Em … escreveu:".
 */
export function withoutQuotedReply(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const cut = lines.findIndex(
    (l) =>
      /^\s*>/.test(l) ||
      /^\s*(On|Em|El)\s.{0,200}\s(wrote|escreveu|escribió):\s*$/i.test(l) ||
      /^-{2,}\s*(Original Message|Mensagem original)/i.test(l),
  );
  const kept = (cut < 0 ? lines : lines.slice(0, cut)).join('\n').trim();
  return kept || text.trim();
}

/** Why a poll operation does not fit the server's live tools (empty: it fits). */
export function pollProblems(op: PollOperation, tools: Array<{ name: string; inputSchema: unknown }>): string {
  const t = tools.find((x) => x.name === op.tool);
  if (!t) return `no tool "${op.tool}"`;
  const sample = renderArguments(op.arguments, {
    since: sinceOf(op, null, new Date('2026-11-24T12:00:00Z')) ?? 'cursor',
    limit: op.limit ?? 100,
  }) as Record<string, unknown>;
  return schemaProblems(sample, t.inputSchema as never).join('; ');
}
