import type { ChannelStatus } from '../deps.js';
import { fixFor, variableHint } from './channel-hints.js';
import type { ChannelName, McpConfig } from './config.js';
import type { McpClientPool } from './pool.js';
import { PRESETS, type PresetProof } from './presets.js';
import {
  renderArguments,
  schemaProblems,
  type CalendarOperations,
  type CanonicalPayload,
  type ChannelProfile,
  type PollOperation,
} from './profile.js';
import { pollProblems } from './inbox-calls.js';
import { expandTemplate, mergeArguments, variableLookup } from './variables.js';
import type { Logger } from '../core/ports.js';

/**
 * From mcp.json to a usable channel: the profile (a preset merged with the channel's overrides,
 * ${VAR} expanded), then the start-up probe that checks it against the server's live tools/list by
 * rendering a SAMPLE payload through it. A channel that does not fit says why in its state.
 */

export type CalendarOperationName = keyof CalendarOperations;

export const CHANNELS: ChannelName[] = ['whatsapp', 'email', 'calendar'];

/** One configured channel as the client holds it: where it goes, its profile, and what it last did. */
export interface ResolvedChannel {
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
export function resolveProfile(
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
  const poll = (k: 'inbound' | 'statuses'): PollOperation | undefined => {
    const o = cfg[k] !== undefined ? cfg[k] : base?.[k];
    return o ? { ...o, arguments: expand(o.arguments) as Record<string, unknown> } : undefined;
  };
  const inbound = poll('inbound');
  const statuses = poll('statuses');
  return {
    tool,
    arguments: expand(mergeArguments(base?.arguments, cfg.arguments)) as Record<string, unknown>,
    result: { ...base?.result, ...(cfg.result ?? {}) },
    idempotent: cfg.idempotent ?? base?.idempotent ?? false,
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(Object.keys(operations).length ? { operations } : {}),
    ...(inbound ? { inbound } : {}),
    ...(statuses ? { statuses } : {}),
  };
}

/** The payload rendered through each profile at start-up to check its arguments fit the tool's schema. */
export const SAMPLE: Record<ChannelName, CanonicalPayload> = {
  whatsapp: {
    to: '+5511987654321',
    text: 'teste',
    idempotencyKey: 'sample-key-0001',
    template: 'cobranca_padrao_whatsapp_v2',
    templateParams: ['a'],
    // Both forms at once, so every argument of a profile is checked against the tool's schema.
    freeText: 'teste',
    templateLanguage: 'pt_BR',
    contentSid: 'HX00000000000000000000000000000000',
    contentVariables: '{"1":"a"}',
    waTemplate: { name: 'cobranca_padrao_whatsapp_v2', language: { code: 'pt_BR' }, components: [] },
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
 * Checks one channel's profile against the server's live tools/list (updating its state and detail);
 * calendar operations that do not fit are dropped and named, not the channel. Warns when disabled.
 */
export async function probeChannel(
  ch: ChannelName,
  c: ResolvedChannel,
  pool: McpClientPool,
  logger: Logger,
): Promise<void> {
  if (!c.profile) return;
  try {
    const tools = await pool.tools(c.server);
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
    c.detail += probeOperations(ch, c.profile, tools);
    c.detail += probePolls(c.profile, tools);
  } catch (err) {
    c.state = 'config_error';
    c.detail = `cannot reach "${c.server}": ${(err as Error).message}`;
  }
  if (c.state !== 'configured')
    logger.warn(
      { channel: ch, server: c.server, preset: c.preset, reason: c.detail, fix: fixFor(c.detail ?? '') },
      'channel disabled',
    );
}

/**
 * Inbox / status polling: an operation that does not fit the server is dropped (and named), not the
 * channel; one that fits is not named.
 */
function probePolls(profile: ChannelProfile, tools: Array<{ name: string; inputSchema: unknown }>): string {
  const notes: string[] = [];
  for (const k of ['inbound', 'statuses'] as const) {
    const op = profile[k];
    if (!op) continue;
    const why = pollProblems(op, tools);
    if (why) {
      delete profile[k];
      notes.push(`; polling ${k} unavailable (${why})`);
    }
  }
  return notes.join('');
}

/** Calendar operations: one that does not fit the server is dropped (and named), not the channel. */
function probeOperations(
  ch: ChannelName,
  profile: ChannelProfile,
  tools: Array<{ name: string; inputSchema: unknown }>,
): string {
  const ops = profile.operations ?? {};
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
  let detail = '';
  if (kept.length) detail += ` + ${kept.join(', ')}`;
  if (dropped.length) detail += `; operations unavailable: ${dropped.join(', ')}`;
  return detail;
}
