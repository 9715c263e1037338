import { ProtocolError, SdkError, SdkErrorCode, type CallToolResult } from '@modelcontextprotocol/client';
import type { ChannelClient, SendOutcome, SendPayload } from '../core/outreach/channel-port.js';
import type { Logger } from '../core/ports.js';
import type { ChannelStatus } from '../deps.js';
import type { ChannelName, McpConfig } from './config.js';
import { classifyText, rawOf, textOf, toSendOutcome, type Answer } from './outcome.js';
import { NotConnectedError, type McpClientPool } from './pool.js';
import { PRESETS, type PresetProof } from './presets.js';
import {
  renderArguments,
  schemaProblems,
  type CalendarOperations,
  type CanonicalPayload,
  type ChannelProfile,
} from './profile.js';
import { readAnswer } from './readers.js';
import { expandTemplate, mergeArguments, variableLookup } from './variables.js';

export type CalendarOperationName = keyof CalendarOperations;

const CHANNELS: ChannelName[] = ['whatsapp', 'email', 'calendar'];

interface ResolvedChannel {
  server: string;
  preset: string | null;
  transport: 'stdio' | 'http';
  profile: ChannelProfile | null;
  state: ChannelStatus['state'];
  detail: string | null;
  proof: PresetProof | null;
  lastSuccessAt: Date | null;
  lastFailure: { at: Date; errorClass: string; reason: string | null; providerCode: string | null } | null;
}

/** A preset merged with mcp.json overrides, ${VAR} expanded; or the reason it cannot be used. */
function resolveProfile(
  cfg: NonNullable<McpConfig['channels'][ChannelName]>,
  server: McpConfig['mcpServers'][string] | undefined,
  env: Record<string, string | undefined>,
): ChannelProfile {
  const base = cfg.preset ? PRESETS[cfg.preset] : undefined;
  if (cfg.preset && !base)
    throw new Error(`unknown preset "${cfg.preset}" (known: ${Object.keys(PRESETS).join(', ')})`);
  const tool = cfg.tool ?? base?.tool;
  if (!tool) throw new Error('the profile names no tool (set "preset" or "tool")');
  const lookup = variableLookup(cfg.server, server, env, base?.variables);
  const expand = (v: unknown): unknown => expandTemplate(v, lookup);
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
  const timeoutMs = cfg.timeoutMs ?? base?.timeoutMs;
  return {
    tool,
    arguments: expand(mergeArguments(base?.arguments, cfg.arguments)) as Record<string, unknown>,
    result: { ...base?.result, ...(cfg.result ?? {}) },
    idempotent: cfg.idempotent ?? base?.idempotent ?? false,
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(Object.keys(operations).length ? { operations } : {}),
  };
}

const SAMPLE: Record<ChannelName, CanonicalPayload> = {
  whatsapp: {
    to: '+5511987654321',
    text: 'teste',
    idempotencyKey: 'sample-key-0001',
    template: 'cobranca_padrao_whatsapp_v2',
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
      const proof = cfg.preset ? (PRESETS[cfg.preset]?.proof ?? null) : null;
      const base = { server: cfg.server, preset: cfg.preset ?? null, transport, proof } as const;
      const empty = { lastSuccessAt: null, lastFailure: null };
      try {
        this.channels.set(ch, {
          ...base,
          ...empty,
          profile: resolveProfile(cfg, server, env),
          state: 'configured',
          detail: null,
        });
      } catch (err) {
        const detail = (err as Error).message;
        this.channels.set(ch, { ...base, ...empty, profile: null, state: 'config_error', detail });
        this.logger.warn(
          { channel: ch, server: cfg.server, preset: cfg.preset ?? null, reason: detail, fix: FIX.config },
          'channel disabled',
        );
      }
      if (proof?.status === 'unverified')
        this.logger.warn(
          { channel: ch, preset: cfg.preset, reason: proof.reason },
          'channel uses a preset never run against its real server here (unverified): check its first sends by hand',
        );
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
            c.detail = `profile drifted from ${c.server}/${c.profile.tool}: ${problems.map((p) => p + variableHint(c.preset, p)).join('; ')}`;
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
        if (c.state !== 'configured')
          this.logger.warn(
            { channel: ch, server: c.server, preset: c.preset, reason: c.detail, fix: fixFor(c.detail ?? '') },
            'channel disabled',
          );
      }),
    );
  }

  status(): ChannelStatus[] {
    return CHANNELS.map((channel) => {
      const c = this.channels.get(channel);
      if (!c) return { channel, server: null, preset: null, transport: null, state: 'not_configured', detail: null };
      return {
        channel,
        server: c.server,
        preset: c.preset,
        transport: c.transport,
        state: c.state,
        detail: c.detail,
        preset_proof: c.proof?.status ?? null,
        preset_proof_detail: c.proof ? (c.proof.status === 'proven' ? c.proof.against : c.proof.reason) : null,
        last_success_at: c.lastSuccessAt?.toISOString() ?? null,
        last_failure: c.lastFailure
          ? {
              at: c.lastFailure.at.toISOString(),
              error_class: c.lastFailure.errorClass,
              reason: c.lastFailure.reason,
              provider_code: c.lastFailure.providerCode,
            }
          : null,
      };
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
    const out = await this.invoke(c.server, c.profile.tool, c.profile.arguments, c.profile, payload, opts);
    this.remember(c, out);
    return out;
  }

  private remember(c: ResolvedChannel, out: SendOutcome): void {
    if (out.ok) c.lastSuccessAt = new Date();
    else
      c.lastFailure = {
        at: new Date(),
        errorClass: out.errorClass,
        reason: out.reason ?? null,
        providerCode: out.providerCode ?? null,
      };
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
          timeoutMs: Math.max(opts.timeoutMs ?? this.timeoutMs, c.profile.timeoutMs ?? 0),
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
    // A slow server's own timeout wins over a shorter default from the caller (see ChannelProfile.timeoutMs).
    const timeoutMs = Math.max(opts.timeoutMs ?? this.timeoutMs, profile.timeoutMs ?? 0);
    let answer: Answer;
    if (opts.signal?.aborted) {
      answer = { kind: 'no_answer', sent: false, message: 'cancelled before the call' };
      return toSendOutcome(readAnswer(profile.result.reader, answer, profile.result), null);
    }
    try {
      const result = await this.pool.call(server, tool, args, { timeoutMs, signal: opts.signal });
      answer = { kind: 'result', result };
    } catch (err) {
      // A JSON-RPC error answer (the server said something: Twilio's refusals come this way), or no
      // answer at all (timeout, crash, closed connection: the message may or may not have left).
      const e = err as Error & { code?: unknown; data?: unknown };
      // A ProtocolError is the server's JSON-RPC error answer; an SdkError (timeout, connection closed, a
      // transport failure) means no answer came.
      answer =
        err instanceof NotConnectedError // a server that cannot be started or reached never saw the request
          ? { kind: 'no_answer', sent: false, message: e.message }
          : err instanceof ProtocolError
            ? { kind: 'error', code: typeof e.code === 'number' ? e.code : null, message: e.message, data: e.data }
            : { kind: 'no_answer', sent: true, message: e.message ?? String(err) };
    }
    return toSendOutcome(readAnswer(profile.result.reader, answer, profile.result), rawOf(answer));
  }
}

/** For a required argument the preset fills from an optional variable left unset: which one to set. */
function variableHint(preset: string | null, problem: string): string {
  const arg = /^missing required argument "([^"]+)"$/.exec(problem)?.[1];
  const p = preset ? PRESETS[preset] : undefined;
  const v =
    arg && typeof p?.arguments[arg] === 'string' ? /\$\{([A-Za-z_0-9]+)\}/.exec(p.arguments[arg])?.[1] : undefined;
  const spec = v ? p?.variables?.[v] : undefined;
  return v && spec ? ` (set ${v}: ${spec.describe})` : '';
}

/** How to fix what disabled a channel, for the start-up warning. */
const FIX = {
  config:
    "set the variable it names (in mcp.json's mcpServers.<server>.env or this server's environment), or fix the channel's profile in mcp.json",
  tool: 'the server\'s tools changed or the preset is for another server: set "tool" in the channel\'s profile to one it has, or pick another preset',
  drift:
    'override the arguments it names in the channel\'s "arguments" (null removes one), or update the server package to the version the preset was proven against',
  reach: "check the server's command / url in mcp.json and that it starts by itself (run the command in a shell)",
};

function fixFor(detail: string): string {
  if (/has no tool/.test(detail)) return FIX.tool;
  if (/drifted/.test(detail)) return FIX.drift;
  if (/cannot reach/.test(detail)) return FIX.reach;
  return FIX.config;
}

/** Reads a downstream answer with the profile's reader: success with an id, or a classified failure. */
export function interpret(r: CallToolResult, p: ChannelProfile): SendOutcome {
  const answer: Answer = { kind: 'result', result: r };
  return toSendOutcome(readAnswer(p.result.reader, answer, p.result), rawOf(answer));
}

/** Transient (retry), bad destination (fall back), policy (stop), or unknown — for text-only answers. */
export function classify(text: string): 'transitorio' | 'destino_invalido' | 'politica' | 'desconhecido' {
  const out = toSendOutcome(classifyText(text), null);
  return out.ok ? 'desconhecido' : out.errorClass;
}
