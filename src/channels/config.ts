import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { secretRefs, type SecretRefs } from '../secrets/refs.js';

/**
 * mcp.json: the standard "mcpServers" map (stdio command or Streamable HTTP url) plus a "channels"
 * section that says which server and tool serve whatsapp, email and calendar.
 */
const StdioServer = z.object({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
});
const HttpServer = z.object({
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
});
export const ServerConfigSchema = z.union([StdioServer, HttpServer]);

const OperationSchema = z.object({ tool: z.string().min(1), arguments: z.record(z.string(), z.unknown()).optional() });
const ListOperationSchema = OperationSchema.extend({
  result: z
    .object({ eventsField: z.string(), start: z.string(), end: z.string(), id: z.string() })
    .partial()
    .optional(),
});

const PollOperationSchema = z.object({
  tool: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).default({}),
  mark: z.object({
    kind: z.enum(['date', 'uid', 'cursor']),
    field: z.string().optional(),
    overlapMs: z
      .number()
      .int()
      .min(0)
      .max(31 * 86_400_000)
      .optional(),
    lookbackMs: z
      .number()
      .int()
      .min(0)
      .max(366 * 86_400_000)
      .optional(),
  }),
  result: z.object({
    itemsField: z.string().optional(),
    fields: z.record(z.string(), z.string()),
    idPrefix: z.string().max(50).optional(),
    statusMap: z.record(z.string(), z.enum(['sent', 'delivered', 'read', 'failed'])).optional(),
  }),
  limit: z.number().int().min(1).max(1000).optional(),
});

export const ChannelProfileSchema = z.object({
  server: z.string().min(1),
  preset: z.string().optional(),
  tool: z.string().optional(),
  /** Merged over the preset's arguments; null removes one. */
  arguments: z.record(z.string(), z.unknown()).optional(),
  result: z
    .object({
      reader: z.enum(['generic', 'twilio', 'resend', 'mcp-mail-server', 'codefuturist-email']),
      failurePattern: z.string(),
      idPattern: z.string(),
      idField: z.string(),
    })
    .partial()
    .optional(),
  idempotent: z.boolean().optional(),
  /** Per-call timeout (ms) for this channel's server; a preset may set one (mcp-mail-server does). */
  timeoutMs: z.number().int().positive().max(600_000).optional(),
  /** Calendar only: update / delete / list tools (null switches off one the preset has). */
  operations: z
    .object({
      update: OperationSchema.nullable(),
      delete: OperationSchema.nullable(),
      list: ListOperationSchema.nullable(),
    })
    .partial()
    .optional(),
  /** E-mail / WhatsApp: the inbox tool polled for replies (null switches off the preset's). */
  inbound: PollOperationSchema.nullable().optional(),
  /** E-mail / WhatsApp: the tool polled for delivery statuses (null switches off the preset's). */
  statuses: PollOperationSchema.nullable().optional(),
});

export const McpConfigSchema = z.object({
  mcpServers: z.record(z.string(), ServerConfigSchema).default({}),
  channels: z
    .object({
      whatsapp: ChannelProfileSchema.optional(),
      email: ChannelProfileSchema.optional(),
      calendar: ChannelProfileSchema.optional(),
    })
    .default({}),
});

export type McpConfig = z.infer<typeof McpConfigSchema>;
export type ChannelName = 'whatsapp' | 'email' | 'calendar';

/** Replaces ${VAR} with vars[VAR] (then env); an unset variable is an error naming it. */
export function expandVars(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`mcp.json uses \${${name}} but ${name} is not set`);
    return v;
  });
}

// Expands inside string values only, after parsing, so a value with quotes cannot break the JSON.
function expandDeep(value: unknown, expand: (text: string) => string): unknown {
  if (typeof value === 'string') return expand(value);
  if (Array.isArray(value)) return value.map((v) => expandDeep(v, expand));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandDeep(v, expand)]));
  }
  return value;
}

/**
 * Reads mcp.json. Strings may use ${VAR} (this server's environment and `vars`) and the secret
 * references of src/secrets/refs.ts (${env:NAME}, ${file:/path}, ${aws-sm:name#field}, the last
 * preloaded at start by preloadMcpSecrets).
 */
export function loadMcpConfig(
  path: string,
  vars: Record<string, string | undefined>,
  refs: SecretRefs = secretRefs,
): McpConfig {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the MCP config ${path} (set AGENTE_MCP_CONFIG to another file)`, { cause: err });
  }
  // Channel profiles are expanded later, per channel (channel-client.ts): their ${VAR}s may also come
  // from the downstream server's env block, and an unset one disables that channel only.
  const json = JSON.parse(raw) as Record<string, unknown>;
  const { channels, ...rest } = json && typeof json === 'object' ? json : {};
  const where = `mcp.json (${path})`;
  const secrets = (text: string) => refs.expand(text, where);
  const parsed = McpConfigSchema.safeParse({
    ...(expandDeep(rest, (text) => secrets(expandVars(text, vars))) as object),
    channels: expandDeep(channels, secrets),
  });
  if (!parsed.success) {
    throw new Error(`Invalid MCP config ${path}: ${z.prettifyError(parsed.error)}`);
  }
  for (const [name, ch] of Object.entries(parsed.data.channels)) {
    if (ch && !parsed.data.mcpServers[ch.server]) {
      throw new Error(
        `Invalid MCP config ${path}: channel ${name} uses server "${ch.server}", which is not in mcpServers`,
      );
    }
  }
  return parsed.data;
}

/** Fetches the Secrets Manager secrets mcp.json names (start and reload); an unreadable file is left to loadMcpConfig. */
export async function preloadMcpSecrets(path: string, refs: SecretRefs = secretRefs): Promise<void> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  await refs.preload([raw], `mcp.json (${path})`);
}
