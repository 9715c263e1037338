import type { InboxSource } from '../core/inbound/poll.js';
import type { ChannelClient, SendOutcome, SendPayload } from '../core/outreach/channel-port.js';
import type { Logger } from '../core/ports.js';
import type { ChannelStatus } from '../deps.js';
import { invokeTool, type CallOptions } from './answers.js';
import {
  calendarOperationsOf,
  callCalendarOperation,
  listCalendarEvents,
  type CalendarListResult,
  type CalendarOperationsView,
} from './calendar-calls.js';
import { FIX } from './channel-hints.js';
import { pollOnce } from './inbox-calls.js';
import type { ChannelName, McpConfig } from './config.js';
import type { McpClientPool } from './pool.js';
import { PRESETS } from './presets.js';
import type { CanonicalPayload } from './profile.js';
import { CHANNELS, probeChannel, resolveProfile, type ResolvedChannel } from './resolve.js';

export { classify, interpret } from './answers.js';
export type { CalendarOperationName } from './resolve.js';

/**
 * The WhatsApp form fields of a payload (core/templates/approved.ts): `freeText` inside the 24-hour
 * window; outside it the template's language, Twilio's `contentSid` / `contentVariables`, and
 * `waTemplate`, the Cloud API's template object {name, language: {code}, components: [body parameters]}.
 */
export function whatsappFields(p: SendPayload): CanonicalPayload {
  const waTemplate =
    p.template && p.templateLanguage
      ? {
          name: p.template,
          language: { code: p.templateLanguage },
          components: [{ type: 'body', parameters: (p.templateParams ?? []).map((text) => ({ type: 'text', text })) }],
        }
      : undefined;
  return {
    // A payload that names no form (a direct send) is free text, as before the window was known.
    freeText: p.freeText ?? (p.contentSid || p.templateLanguage ? undefined : p.text),
    templateLanguage: p.templateLanguage,
    contentSid: p.contentSid,
    contentVariables: p.contentVariables,
    waTemplate,
  };
}

/**
 * The channel layer: a profile per channel over the MCP client pool. verify() checks at start-up
 * that each profile's tool exists downstream and that its rendered arguments fit the tool's
 * inputSchema; a channel that drifted is disabled (and says why in the status), not the server.
 * Resolving and probing live in resolve.ts, the call and its reading in answers.ts, the calendar
 * operations in calendar-calls.ts.
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
    await Promise.all([...this.channels.entries()].map(([ch, c]) => probeChannel(ch, c, this.pool, this.logger)));
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

  async send(canal: 'whatsapp' | 'email', payload: SendPayload, opts: CallOptions = {}): Promise<SendOutcome> {
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
        messageId: payload.messageId,
        ...whatsappFields(payload),
      },
      opts,
    );
  }

  /** Calls the channel's tool with a canonical payload and classifies the answer. */
  async call(canal: ChannelName, payload: CanonicalPayload, opts: CallOptions = {}): Promise<SendOutcome> {
    const c = this.channels.get(canal);
    if (!c?.profile || c.state !== 'configured') {
      return {
        ok: false,
        errorClass: 'politica',
        error: `channel ${canal} is not available: ${c?.detail ?? 'not configured'}`,
        raw: null,
      };
    }
    const { server, profile } = c;
    const out = await invokeTool(
      this.pool,
      this.timeoutMs,
      { server, tool: profile.tool, template: profile.arguments, profile },
      payload,
      opts,
    );
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
  calendarOperations(): CalendarOperationsView {
    return calendarOperationsOf(this.channels.get('calendar'));
  }

  /** Calls a calendar operation (update / delete) with a canonical payload (eventId, title, start, ...). */
  async calendarCall(op: 'update' | 'delete', payload: CanonicalPayload, opts: CallOptions = {}): Promise<SendOutcome> {
    return callCalendarOperation(this.channels.get('calendar'), this.pool, this.timeoutMs, op, payload, opts);
  }

  /**
   * The inbox and status tools the e-mail and WhatsApp profiles poll (ChannelProfile.inbound /
   * .statuses), each named `channel:kind:server` for its stored high-water mark. After verify(): only
   * those that fit their server.
   */
  inboxSources(): InboxSource[] {
    const out: InboxSource[] = [];
    for (const channel of ['email', 'whatsapp'] as const) {
      const c = this.channels.get(channel);
      if (!c?.profile || c.state !== 'configured') continue;
      const timeoutMs = Math.max(this.timeoutMs, c.profile.timeoutMs ?? 0);
      for (const kind of ['inbound', 'statuses'] as const) {
        const op = c.profile[kind];
        if (op)
          out.push({
            origin: `${channel}:${kind}:${c.server}`,
            fetch: (mark, now) => pollOnce(this.pool, c.server, op, { channel, kind, timeoutMs, mark, now }),
          });
      }
    }
    return out;
  }

  /** Events overlapping [from, to) through the profile's list tool. */
  async calendarList(from: Date, to: Date, opts: CallOptions = {}): Promise<CalendarListResult> {
    return listCalendarEvents(this.channels.get('calendar'), this.pool, this.timeoutMs, from, to, opts);
  }
}
