import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ChannelClient, SendOutcome, SendPayload } from '../core/outreach/channel-port.js';
import type { Logger } from '../core/ports.js';
import type { ChannelStatus } from '../deps.js';
import { expandVars, type ChannelName, type McpConfig } from './config.js';
import type { McpClientPool } from './pool.js';
import { PRESETS } from './presets.js';
import {
  renderArguments,
  schemaProblems,
  type CalendarOperations,
  type CanonicalPayload,
  type ChannelProfile,
} from './profile.js';

export type CalendarOperationName = keyof CalendarOperations;

const CHANNELS: ChannelName[] = ['whatsapp', 'email', 'calendar'];

interface ResolvedChannel {
  server: string;
  preset: string | null;
  transport: 'stdio' | 'http';
  profile: ChannelProfile | null;
  state: ChannelStatus['state'];
  detail: string | null;
}

/** A preset merged with mcp.json overrides, ${VAR} expanded; or the reason it cannot be used. */
function resolveProfile(
  cfg: NonNullable<McpConfig['channels'][ChannelName]>,
  env: Record<string, string | undefined>,
): ChannelProfile {
  const base = cfg.preset ? PRESETS[cfg.preset] : undefined;
  if (cfg.preset && !base)
    throw new Error(`unknown preset "${cfg.preset}" (known: ${Object.keys(PRESETS).join(', ')})`);
  const tool = cfg.tool ?? base?.tool;
  if (!tool) throw new Error('the profile names no tool (set "preset" or "tool")');
  const expand = (v: unknown): unknown =>
    typeof v === 'string'
      ? expandVars(v, env)
      : Array.isArray(v)
        ? v.map(expand)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]))
          : v;
  // Operations: the preset's, each replaced by mcp.json's when given (null removes it).
  const operations: CalendarOperations = {};
  for (const op of ['update', 'delete', 'list'] as const) {
    const o = cfg.operations && op in cfg.operations ? cfg.operations[op] : base?.operations?.[op];
    if (!o) continue;
    const baseResult = op === 'list' ? base?.operations?.list?.result : undefined;
    const result = op === 'list' ? { ...baseResult, ...((o as { result?: object }).result ?? {}) } : undefined;
    (operations as Record<string, unknown>)[op] = {
      tool: o.tool,
      arguments: expand(o.arguments ?? {}) as Record<string, unknown>,
      ...(result ? { result } : {}),
    };
  }
  return {
    tool,
    arguments: expand(cfg.arguments ?? base?.arguments ?? {}) as Record<string, unknown>,
    result: { ...base?.result, ...(cfg.result ?? {}) },
    idempotent: cfg.idempotent ?? base?.idempotent ?? false,
    ...(Object.keys(operations).length ? { operations } : {}),
  };
}

const SAMPLE: Record<ChannelName, CanonicalPayload> = {
  whatsapp: {
    to: '+5511987654321',
    text: 'teste',
    idempotencyKey: 'sample-key-0001',
    template: 'cobranca_padrao_whatsapp_v1',
    templateParams: ['a'],
  },
  email: {
    to: 'contato@exemplo.com.br',
    subject: 'Assunto',
    text: 'Corpo',
    html: '<p>Corpo</p>',
    idempotencyKey: 'sample-key-0001',
  },
  calendar: {
    to: 'contato@exemplo.com.br',
    title: 'Reunião',
    start: '2026-11-24T10:00:00-03:00',
    end: '2026-11-24T10:30:00-03:00',
    timeZone: 'America/Sao_Paulo',
    description: 'x',
    location: 'y',
    idempotencyKey: 'sample-key-0001',
    eventId: 'sample-event-0001',
    rangeStart: '2026-11-24T00:00:00-03:00',
    rangeEnd: '2026-11-25T00:00:00-03:00',
  },
};

/**
 * The channel layer: a profile per channel over the MCP client pool. verify() checks at start-up
 * that each profile's tool exists downstream and that its rendered arguments fit the tool's
 * inputSchema; a channel that drifted is disabled (and says why in the status), not the server.
 */
export class McpChannelClient implements ChannelClient {
  private readonly channels = new Map<ChannelName, ResolvedChannel>();

  constructor(
    config: McpConfig,
    private readonly pool: McpClientPool,
    private readonly logger: Logger,
    env: Record<string, string | undefined> = process.env,
    private readonly timeoutMs = 15_000,
  ) {
    for (const ch of CHANNELS) {
      const cfg = config.channels[ch];
      if (!cfg) continue;
      const server = config.mcpServers[cfg.server];
      const transport = server && 'url' in server ? 'http' : 'stdio';
      try {
        this.channels.set(ch, {
          server: cfg.server,
          preset: cfg.preset ?? null,
          transport,
          profile: resolveProfile(cfg, env),
          state: 'configured',
          detail: null,
        });
      } catch (err) {
        this.channels.set(ch, {
          server: cfg.server,
          preset: cfg.preset ?? null,
          transport,
          profile: null,
          state: 'config_error',
          detail: (err as Error).message,
        });
      }
    }
  }

  /** Connects to every configured server and checks each profile against the live tools/list. */
  async verify(): Promise<void> {
    await Promise.all(
      [...this.channels.entries()].map(async ([ch, c]) => {
        if (!c.profile) return;
        try {
          const tools = await this.pool.tools(c.server);
          const tool = tools.find((t) => t.name === c.profile!.tool);
          if (!tool) {
            c.state = 'config_error';
            c.detail = `server "${c.server}" has no tool "${c.profile.tool}" (it has: ${tools.map((t) => t.name).join(', ')})`;
            return;
          }
          const problems = schemaProblems(
            renderArguments(c.profile.arguments, SAMPLE[ch]) as Record<string, unknown>,
            tool.inputSchema as never,
          );
          if (problems.length) {
            c.state = 'config_error';
            c.detail = `profile drifted from ${c.server}/${c.profile.tool}: ${problems.join('; ')}`;
            return;
          }
          c.state = 'configured';
          c.detail = `verified ${c.server}/${c.profile.tool}`;
          // Calendar operations: one that does not fit the server is dropped (and named), not the channel.
          const ops = c.profile.operations ?? {};
          const dropped: string[] = [];
          for (const [name, op] of Object.entries(ops) as Array<
            [CalendarOperationName, { tool: string; arguments: Record<string, unknown> }]
          >) {
            const t = tools.find((x) => x.name === op.tool);
            const why = !t
              ? `no tool "${op.tool}"`
              : schemaProblems(
                  renderArguments(op.arguments, SAMPLE[ch]) as Record<string, unknown>,
                  t.inputSchema as never,
                ).join('; ');
            if (why) {
              delete ops[name];
              dropped.push(`${name} (${why})`);
            }
          }
          const kept = Object.keys(ops);
          if (kept.length) c.detail += ` + ${kept.join(', ')}`;
          if (dropped.length) c.detail += `; operations unavailable: ${dropped.join(', ')}`;
        } catch (err) {
          c.state = 'config_error';
          c.detail = `cannot reach "${c.server}": ${(err as Error).message}`;
        }
        if (c.state !== 'configured') this.logger.warn({ channel: ch, detail: c.detail }, 'channel disabled');
      }),
    );
  }

  status(): ChannelStatus[] {
    return CHANNELS.map((channel) => {
      const c = this.channels.get(channel);
      if (!c) return { channel, server: null, preset: null, transport: null, state: 'not_configured', detail: null };
      return { channel, server: c.server, preset: c.preset, transport: c.transport, state: c.state, detail: c.detail };
    });
  }

  async ready(canal: ChannelName): Promise<void> {
    const c = this.channels.get(canal);
    if (c?.profile && c.state === 'configured') await this.pool.tools(c.server).catch(() => {});
  }

  isIdempotent(canal: ChannelName): boolean {
    return this.channels.get(canal)?.profile?.idempotent ?? false;
  }

  async send(
    canal: 'whatsapp' | 'email',
    payload: SendPayload,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<SendOutcome> {
    return this.call(
      canal,
      {
        to: payload.to,
        text: payload.text,
        subject: payload.subject,
        html: payload.html,
        idempotencyKey: payload.idempotencyKey,
        template: payload.template,
        templateParams: payload.templateParams,
      },
      opts,
    );
  }

  /** Calls the channel's tool with a canonical payload and classifies the answer. */
  async call(
    canal: ChannelName,
    payload: CanonicalPayload,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<SendOutcome> {
    const c = this.channels.get(canal);
    if (!c?.profile || c.state !== 'configured') {
      return {
        ok: false,
        errorClass: 'politica',
        error: `channel ${canal} is not available: ${c?.detail ?? 'not configured'}`,
        raw: null,
      };
    }
    return this.invoke(c.server, c.profile.tool, c.profile.arguments, c.profile, payload, opts);
  }

  /** The calendar operations this profile offers besides create (after verify(): those that fit the server). */
  calendarOperations(): {
    available: boolean;
    idempotent: boolean;
    update: boolean;
    delete: boolean;
    list: boolean;
    detail: string | null;
  } {
    const c = this.channels.get('calendar');
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
  async calendarCall(
    op: 'update' | 'delete',
    payload: CanonicalPayload,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<SendOutcome> {
    const c = this.channels.get('calendar');
    const o = c?.profile?.operations?.[op];
    if (!c?.profile || c.state !== 'configured' || !o) {
      const why =
        !c?.profile || c.state !== 'configured'
          ? `the calendar channel is not available: ${c?.detail ?? 'not configured'}`
          : `this calendar profile has no ${op} tool`;
      return { ok: false, errorClass: 'politica', error: why, raw: null };
    }
    return this.invoke(c.server, o.tool, o.arguments, { ...c.profile, tool: o.tool }, payload, opts);
  }

  /** Events overlapping [from, to) through the profile's list tool. */
  async calendarList(
    from: Date,
    to: Date,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<
    { ok: true; events: Array<{ id: string | null; start: string; end: string }> } | { ok: false; error: string }
  > {
    const c = this.channels.get('calendar');
    const o = c?.profile?.operations?.list;
    if (!c?.profile || c.state !== 'configured' || !o)
      return { ok: false, error: 'this calendar profile has no list tool' };
    let r: CallToolResult;
    try {
      r = await this.pool.call(
        c.server,
        o.tool,
        renderArguments(o.arguments, { rangeStart: from.toISOString(), rangeEnd: to.toISOString() }) as Record<
          string,
          unknown
        >,
        {
          timeoutMs: opts.timeoutMs ?? this.timeoutMs,
          signal: opts.signal,
        },
      );
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
    const text = textOf(r);
    if (r.isError || (c.profile.result.failurePattern && new RegExp(c.profile.result.failurePattern, 'i').test(text)))
      return { ok: false, error: text.slice(0, 500) || 'failed' };
    const field = o.result.eventsField;
    const sc = r.structuredContent as Record<string, unknown> | undefined;
    let items: unknown = field && Array.isArray(sc?.[field]) ? sc![field] : undefined;
    if (items === undefined) {
      try {
        const parsed = JSON.parse(text) as unknown;
        items = Array.isArray(parsed) ? parsed : field ? (parsed as Record<string, unknown>)?.[field] : undefined;
      } catch {
        return { ok: false, error: `cannot read the event list from ${o.tool}'s answer: ${text.slice(0, 200)}` };
      }
    }
    if (!Array.isArray(items)) return { ok: false, error: `${o.tool}'s answer holds no event list` };
    const key = (e: Record<string, unknown>, k: string | undefined, d: string) => e[k ?? d];
    const events = (items as Array<Record<string, unknown>>)
      .map((e) => ({
        id: key(e, o.result.id, 'id') == null ? null : String(key(e, o.result.id, 'id')),
        start: String(key(e, o.result.start, 'start') ?? ''),
        end: String(key(e, o.result.end, 'end') ?? ''),
      }))
      .filter((e) => !Number.isNaN(Date.parse(e.start)) && !Number.isNaN(Date.parse(e.end)));
    return { ok: true, events };
  }

  private async invoke(
    server: string,
    tool: string,
    template: Record<string, unknown>,
    profile: ChannelProfile,
    payload: CanonicalPayload,
    opts: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<SendOutcome> {
    const args = renderArguments(template, payload) as Record<string, unknown>;
    let result: CallToolResult;
    try {
      result = await this.pool.call(server, tool, args, {
        timeoutMs: opts.timeoutMs ?? this.timeoutMs,
        signal: opts.signal,
      });
    } catch (err) {
      // Timeout, crash or closed connection: the message may or may not have left.
      const message = (err as Error).message ?? String(err);
      // An argument rejection is a definite non-send; anything else is an unknown outcome.
      if (/-32602|input validation error/i.test(message))
        return { ok: false, errorClass: classify(message), error: message, raw: null };
      return { ok: false, errorClass: 'desconhecido', error: message, raw: null };
    }
    return interpret(result, profile);
  }
}

function textOf(r: CallToolResult): string {
  return (r.content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => (c as { text: string }).text)
    .join('\n');
}

/** Reads a downstream answer: success with an id, or a failure classified for the retry policy. */
export function interpret(r: CallToolResult, p: ChannelProfile): SendOutcome {
  const text = textOf(r);
  const failed = r.isError || (p.result.failurePattern ? new RegExp(p.result.failurePattern, 'i').test(text) : false);
  const raw = { isError: !!r.isError, text: text.slice(0, 2000), structured: r.structuredContent ?? null };
  if (failed) return { ok: false, errorClass: classify(text), error: text.slice(0, 500) || 'failed', raw };
  const sc = r.structuredContent as Record<string, unknown> | undefined;
  let id = p.result.idField && sc?.[p.result.idField] ? String(sc[p.result.idField]) : null;
  if (!id && p.result.idPattern) {
    const m = new RegExp(p.result.idPattern).exec(text);
    id = m ? (m.slice(1).find(Boolean) ?? null) : null;
  }
  const waId = sc?.wa_id ? String(sc.wa_id) : null;
  return { ok: true, messageId: id, waId, raw };
}

/** Transient (retry), bad destination (fall back), policy (stop), or unknown. */
export function classify(text: string): 'transitorio' | 'destino_invalido' | 'politica' | 'desconhecido' {
  const t = text.toLowerCase();
  // The server refused the arguments: nothing was sent. About the recipient → bad destination.
  if (/-32602|input validation error|invalid arguments/.test(t))
    return /\bto\b|recipient|email|phone|number/.test(t) ? 'destino_invalido' : 'politica';
  if (
    /invalid recipient|not a whatsapp user|not on whatsapp|mailbox unavailable|\b550\b|no such user|does not exist|invalid (phone|number|address|email)|recipient/.test(
      t,
    )
  )
    return 'destino_invalido';
  // After the destination check: SMTP's 550 is permanent, HTTP's 5xx are not.
  if (/\b(429|5\d\d)\b|rate.?limit|too many|timeout|timed out|temporar|unavailable|try again|retry/.test(t))
    return 'transitorio';
  if (/template|policy|blocked|opt.?out|forbidden|\b403\b/.test(t)) return 'politica';
  return 'desconhecido';
}
