import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { RecordLine, SandboxRuntime } from './runtime.js';

/** One delivery status of a send (code and detail for failures). */
export interface SandboxStatus {
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: string;
  code?: string;
  detail?: string;
}
const STATUS_SLOTS = 4;

/**
 * The sandbox's return path, so the default set-up polls too: `list_inbox` lists received messages by
 * UID (the line number of SANDBOX_INBOX, a JSONL file; in memory when unset), `simulate_reply` adds
 * one (a person trying the flow, a test), and `list_statuses` reports each recorded send's statuses
 * (by default: delivered; the WhatsApp server's platform rules: sent, delivered, read, failed, out of
 * order), numbered 4 × the send's number + k.
 */

interface InboxLine {
  from: string;
  text: string;
  subject?: string;
  in_reply_to?: string;
  received_at?: string;
}

export class SandboxInbox {
  private readonly memory: string[] = [];

  constructor(private readonly path: string | undefined) {}

  private lines(): string[] {
    if (!this.path) return this.memory;
    try {
      return readFileSync(this.path, 'utf8').split('\n').slice(0, -1);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  add(line: InboxLine): number {
    const text = JSON.stringify(line);
    if (!this.path) return this.memory.push(text);
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${text}\n`);
    return this.lines().length;
  }

  /** When `from` (by key, e.g. a WhatsApp id) last wrote, in ms; undefined when never. */
  lastFrom(key: (from: string) => string, wanted: string): number | undefined {
    let last: number | undefined;
    for (const text of this.lines()) {
      try {
        const l = JSON.parse(text) as InboxLine;
        if (key(l.from) !== wanted) continue;
        const at = l.received_at ? Date.parse(l.received_at) : Number.NaN;
        if (Number.isFinite(at) && (last === undefined || at > last)) last = at;
      } catch {
        // a torn line
      }
    }
    return last;
  }

  /** Messages with UID > after, oldest first. The id is derived from the line: the same line, the same id. */
  list(after: number, limit: number, channel: 'email' | 'whatsapp') {
    const out = [];
    const lines = this.lines();
    for (let i = after; i < lines.length && out.length < limit; i++) {
      let l: InboxLine;
      try {
        l = JSON.parse(lines[i]) as InboxLine;
      } catch {
        continue;
      }
      const h = createHash('sha256')
        .update(`${i + 1}\n${lines[i]}`)
        .digest('hex')
        .slice(0, 20);
      out.push({
        uid: i + 1,
        message_id: channel === 'email' ? `<in-${h}@sandbox>` : `wamid.IN${h.toUpperCase()}`,
        from: l.from,
        text: l.text,
        subject: l.subject ?? null,
        in_reply_to: l.in_reply_to ?? null,
        received_at: l.received_at ?? new Date().toISOString(),
      });
    }
    return { messages: out, last_uid: out.length ? out[out.length - 1].uid : after };
  }
}

const ro = (title: string) => ({ title, readOnlyHint: true, destructiveHint: false, idempotentHint: true });

export function registerInboxTools(
  server: McpServer,
  rt: SandboxRuntime,
  channel: 'email' | 'whatsapp',
  inbox = new SandboxInbox(rt.config.inboxPath),
  statusesOf: (line: RecordLine) => SandboxStatus[] = (l) => [{ status: 'delivered', at: l.ts }],
): SandboxInbox {
  const limit = z.number().int().min(1).max(1000).optional().describe('At most this many (default 100).');
  server.registerTool(
    'list_inbox',
    {
      title: 'List received messages (sandbox)',
      description: 'Lists received messages with UID greater than after_uid, oldest first.',
      inputSchema: z.object({
        after_uid: z.number().int().min(0).optional().describe('Last UID already seen.'),
        limit,
      }),
      annotations: { ...ro('List received messages (sandbox)'), openWorldHint: false },
    },
    async ({ after_uid, limit: n }) => {
      const r = inbox.list(after_uid ?? 0, n ?? 100, channel);
      return { content: [{ type: 'text', text: JSON.stringify(r) }], structuredContent: r };
    },
  );
  server.registerTool(
    'simulate_reply',
    {
      title: 'Simulate a received message (sandbox)',
      description: 'Puts a message in the inbox as if the person had replied (in_reply_to: the id of our message).',
      inputSchema: z.object({
        from: z.string().min(3).max(320),
        text: z.string().min(1).max(10_000),
        subject: z.string().max(998).optional(),
        in_reply_to: z.string().max(300).optional(),
      }),
      annotations: { title: 'Simulate a received message (sandbox)', readOnlyHint: false, openWorldHint: false },
    },
    async (args) => {
      const uid = inbox.add({ ...args, received_at: new Date().toISOString() });
      return { content: [{ type: 'text', text: `Message received, uid ${uid}.` }], structuredContent: { uid } };
    },
  );
  server.registerTool(
    'list_statuses',
    {
      title: 'List delivery statuses (sandbox)',
      description: 'Delivery status of each send with sequence number greater than after, oldest first.',
      inputSchema: z.object({
        after: z.number().int().min(0).optional().describe('Last sequence already seen.'),
        limit,
      }),
      annotations: { ...ro('List delivery statuses (sandbox)'), openWorldHint: false },
    },
    async ({ after, limit: n }) => {
      const recent = rt.recentSends(1000);
      const first = rt.sendCount - recent.length + 1;
      // Up to STATUS_SLOTS statuses per send, numbered by send: the numbers stay the same on every call.
      const statuses = recent
        .flatMap((l, i) =>
          statusesOf(l).map((s, k) => ({ seq: (first + i) * STATUS_SLOTS + k, message_id: l.message_id, ...s })),
        )
        .filter((s) => s.seq > (after ?? 0))
        .slice(0, n ?? 100);
      const r = { statuses, last_seq: statuses.length ? statuses[statuses.length - 1].seq : (after ?? 0) };
      return { content: [{ type: 'text', text: JSON.stringify(r) }], structuredContent: r };
    },
  );
  return inbox;
}
