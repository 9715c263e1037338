import {
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  inputResponse,
  type CallToolResult,
  type ClientCapabilities,
  type InputRequiredResult,
  type McpServer,
  type ServerContext,
  type ToolAnnotations,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { recordToolCall } from '../metrics/registry.js';
import { AppError } from '../core/errors.js';
import { assertFreeSpace } from '../db/disk-space.js';
import type { Scope } from '../core/scope.js';
import type { ServerDeps } from '../deps.js';
import { createScope } from '../scope.js';
import { leanOutputSchema } from './lean-schema.js';
import { withPlainIssues } from './plain-validation.js';

export type Toolset = 'core' | 'leads' | 'dispatch' | 'meetings';

/** What a handler may use besides its arguments. */
export interface ToolContext {
  /** The call's scope: what the use case it calls gets (src/core/scope.ts). */
  scope: Scope;
  /** @deprecated being removed (issue 13): tools call use cases with `scope`. */
  deps: ServerDeps;
  signal: AbortSignal;
  /** Sends notifications/progress when the caller asked for it (a no-op otherwise). */
  progress(progress: number, total?: number, message?: string): Promise<void>;
}

export interface ToolOutput<O> {
  data: O;
  /** A short human/model-readable summary; the structured data is in structuredContent. */
  text: string;
}

type Shape = z.ZodRawShape;

export interface ToolDefinition<I extends Shape = Shape, O extends Shape = Shape> {
  name: string;
  title: string;
  description: string;
  toolset: Toolset;
  /**
   * What the tool may do: 'read' only reads; 'write' changes this server's data (import, suppression);
   * 'send' can send messages or change downstream calendars; 'admin' changes the tenant's configuration
   * (policy, pace, templates). --read-only drops 'send' tools. Token scopes: read → 'read' tools;
   * dispatch → also 'write' and 'send'; admin → all (see allowedByScopes in server.ts).
   */
  access: 'read' | 'write' | 'send' | 'admin';
  input: I;
  output: O;
  annotations: Required<Pick<ToolAnnotations, 'readOnlyHint' | 'destructiveHint' | 'idempotentHint' | 'openWorldHint'>>;
  /** The tool's `_meta` in tools/list (the report tool's MCP App: src/apps/campaign-app.ts). */
  meta?: Record<string, unknown>;
  handler(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<ToolOutput<z.infer<z.ZodObject<O>>>>;
}

/** Declares a tool: data plus a thin handler. Every field is required so none is forgotten. */
export function defineTool<I extends Shape, O extends Shape>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}

/**
 * A question the person must answer yes to before the call runs (a real send, say), or null when this
 * call needs none. Asked through the client (elicitation) when the client can ask; see confirmFirst.
 */
export type Confirmation = (args: Record<string, unknown>, deps: ServerDeps) => string | null;

/** Registers a tool on the server, turning AppErrors into isError results a model can act on. */
export function registerTool(
  server: McpServer,
  def: ToolDefinition,
  deps: ServerDeps,
  opts: { confirm?: Confirmation } = {},
): void {
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: objectSchema(def.input, 'input'),
      outputSchema: objectSchema(def.output, 'output'),
      annotations: def.annotations,
      ...(def.meta ? { _meta: def.meta } : {}),
    },
    (args: Record<string, unknown>, extra: ServerContext) => {
      const asked = confirmFirst(server, opts.confirm?.(args, deps) ?? null, extra);
      if (asked) return asked;
      running.set(server, (running.get(server) ?? 0) + 1);
      return runTool(def, deps, args, extra).finally(() => running.set(server, running.get(server)! - 1));
    },
  );
}

/** Tool calls in progress on each server (a server is reused only once none is: src/http/server-pool.ts). */
const running = new WeakMap<McpServer, number>();

/** How many of this server's tool handlers have started and not yet finished. */
export function toolCallsRunning(server: McpServer): number {
  return running.get(server) ?? 0;
}

const CONFIRM_KEY = 'confirm';
const CONFIRM_SCHEMA = {
  type: 'object' as const,
  properties: { confirm: { type: 'boolean' as const, title: 'Confirm', description: 'Yes: go ahead' } },
  required: ['confirm'],
};

/**
 * Multi round-trip confirmation (MCP 2026-07-28 `input_required`): the first call answers with a
 * question for the person; the client asks (elicitation) and calls again with the answer, and only a
 * yes lets the call run. Written once for both eras: on 2025-11-25 connections that can carry it
 * (stdio) the SDK asks with a real elicitation request and calls the handler again. A client that
 * cannot ask (it declared no elicitation capability; or a 2025-11-25 request over HTTP, served without
 * a connection to ask on) runs the call as before — its own host is where it confirms. Returns
 * undefined when the call may run now.
 */
function confirmFirst(
  server: McpServer,
  question: string | null,
  extra: ServerContext,
): InputRequiredResult | CallToolResult | undefined {
  if (!question) return undefined;
  // 2026-07-28: what this request's envelope declares; 2025-11-25: what the connection's initialize did.
  const envelope = extra.mcpReq.envelope as Record<string, ClientCapabilities | undefined> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? server.server.getClientCapabilities();
  if (!capabilities?.elicitation) return undefined;
  const answer = inputResponse(extra.mcpReq.inputResponses, CONFIRM_KEY);
  if (answer.kind === 'missing') {
    return inputRequired({
      inputRequests: { [CONFIRM_KEY]: inputRequired.elicit({ message: question, requestedSchema: CONFIRM_SCHEMA }) },
    });
  }
  if (answer.kind === 'elicit' && answer.action === 'accept' && answer.content?.confirm === true) return undefined;
  return {
    isError: true,
    content: [{ type: 'text', text: 'cancelled: the person did not confirm, so nothing was done.' }],
  };
}

/** One call of a tool: its scope and context, the handler, and what the caller gets back. */
async function runTool(
  def: ToolDefinition,
  deps: ServerDeps,
  args: Record<string, unknown>,
  extra: ServerContext,
): Promise<CallToolResult> {
  const { signal } = extra.mcpReq;
  const token = extra.mcpReq._meta?.progressToken;
  const ctx: ToolContext = {
    scope: createScope(deps, { signal }),
    deps,
    signal,
    progress: async (progress, total, message) => {
      if (token === undefined) return;
      await extra.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress, total, message },
      });
    },
  };
  const started = performance.now();
  const logCall = (outcome: string) => {
    const ms = performance.now() - started;
    recordToolCall(def.name, outcome, ms);
    // The arguments are summarised only for a line that will be written (debug is off by default).
    if (deps.logger.isLevelEnabled?.('debug') !== false)
      deps.logger.debug({ tool: def.name, outcome, ms: Math.round(ms), args: argsForLog(args) }, 'tool call');
  };
  try {
    // PGlite blocks for good after a write hits a full disk (db/disk-space.ts): a tool that may write
    // refuses first, with what to do, while reads go on.
    if (def.access !== 'read' && deps.db.kind === 'pglite') await assertFreeSpace(deps.config.dataDir);
    const out = await def.handler(args as never, ctx);
    logCall('ok');
    return {
      content: [{ type: 'text' as const, text: out.text }],
      structuredContent: out.data as Record<string, unknown>,
    };
  } catch (err) {
    if (err instanceof AppError) {
      logCall(err.code);
      return { isError: true, content: [{ type: 'text' as const, text: `${err.code}: ${err.message}` }] };
    }
    const id = Math.random().toString(36).slice(2, 10);
    recordToolCall(def.name, 'internal_error', performance.now() - started);
    deps.logger.error({ err: errSummary(err), tool: def.name, error_id: id }, 'tool failed');
    return {
      isError: true,
      content: [
        {
          type: 'text' as const,
          text: `internal_error: the tool failed unexpectedly (error id ${id}); it is logged on the server. Retrying may help; if it keeps failing, report the error id.`,
        },
      ],
    };
  }
}

/**
 * The zod object of a tool's shape, built once per definition and use: given a raw shape the SDK builds a new
 * z.object for every server, and over HTTP a server is built per request (a few KB per tool).
 */
function objectSchema(shape: Shape, io: 'input' | 'output'): z.ZodObject<Shape> {
  const cache = objectSchemas[io];
  let schema = cache.get(shape);
  if (!schema) {
    schema = withJsonSchemaOnce(z.object(shape));
    // Arguments a model got wrong are refused in plain words (plain-validation.ts); an output that fails
    // its schema is this server's bug and keeps zod's words for the log.
    cache.set(shape, (schema = io === 'input' ? withPlainIssues(schema) : schema));
  }
  return schema;
}
const objectSchemas = {
  input: new WeakMap<Shape, z.ZodObject<Shape>>(),
  output: new WeakMap<Shape, z.ZodObject<Shape>>(),
};

/**
 * The schema with its JSON Schema (Standard Schema `~standard.jsonSchema`) converted once, not on every
 * request: the SDK converts a tool's schemas on each server it is registered on — tools/list, and on
 * every tools/call the output schema (to shape the result) and, for 2026-07-28, the input schema (to
 * check Mcp-Param headers) — and over HTTP every request has a server of its own. The cached JSON is
 * frozen, so a caller that tried to change it would fail loudly instead of changing it for everyone.
 */
export function withJsonSchemaOnce<S extends z.ZodType>(schema: S): S {
  const std = schema['~standard'] as z.ZodType['~standard'] & {
    jsonSchema: Record<'input' | 'output', (opts: { target: string }) => Record<string, unknown>>;
  };
  const memo = new Map<string, Record<string, unknown>>();
  const once = (io: 'input' | 'output') => (opts: { target: string }) => {
    // The SDK asks with { target } alone, on every tools/call: that key without serialising the options.
    const key = `${io} ${Object.keys(opts).length === 1 && typeof opts.target === 'string' ? opts.target : JSON.stringify(opts)}`;
    let json = memo.get(key);
    if (!json) {
      const converted = withoutDefaultDialect(std.jsonSchema[io](opts));
      memo.set(key, (json = deepFreeze(io === 'output' ? leanOutputSchema(converted) : converted)));
    }
    return json;
  };
  Object.defineProperty(schema, '~standard', {
    value: { ...std, jsonSchema: { input: once('input'), output: once('output') } },
    configurable: true,
  });
  return schema;
}

/**
 * JSON Schema 2020-12 is MCP's dialect when a schema has no `$schema`: the key, repeated on each of the
 * tools' schemas, says nothing and costs 2 KB of the tools/list budget (test/tools/tools-budget.test.ts).
 * Any other dialect keeps its key.
 */
function withoutDefaultDialect(json: Record<string, unknown>): Record<string, unknown> {
  if (json.$schema !== 'https://json-schema.org/draft/2020-12/schema') return json;
  const { $schema: _dialect, ...rest } = json;
  return rest;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * A tool's arguments for a debug log line: short scalars as they are (the logger still masks personal
 * data by key and by pattern), long strings (a base64 upload, a message text) and collections by size.
 */
function argsForLog(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args ?? {})) {
    if (typeof v === 'string') out[k] = v.length > 120 ? `[${v.length} chars]` : v;
    else if (Array.isArray(v)) out[k] = `[${v.length} items]`;
    else if (v !== null && typeof v === 'object') out[k] = `{${Object.keys(v).slice(0, 10).join(',')}}`;
    else out[k] = v;
  }
  return out;
}

function errSummary(err: unknown) {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { value: String(err) };
}
