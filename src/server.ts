import { McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import { registerCampaignApp } from './apps/campaign-app.js';
import { getJobProblems } from './core/jobs/get-job-problems.js';
import { getJobs } from './core/jobs/get-jobs.js';
import { readLead } from './core/leads/read-lead.js';
import type { Scope as UseCaseScope } from './core/scope.js';
import { getStatus } from './core/status/get-status.js';
import { AppError } from './core/errors.js';
import type { Scope } from './auth/tokens.js';
import type { ServerDeps } from './deps.js';
import { resourceSubscriptions } from './events-out/mcp-resources.js';
import { registerPrompts, SERVER_INSTRUCTIONS } from './prompts/index.js';
import { createScope } from './scope.js';
import { registerTool, type Confirmation, type ToolDefinition } from './tools/define-tool.js';
import { allTools } from './tools/index.js';
import { isUuid } from './tools/schemas.js';

/** The tools this server registers for the given deps (--read-only and --toolsets applied). */
export function selectTools(deps: Pick<ServerDeps, 'readOnly' | 'scopes' | 'toolsets'>): ToolDefinition<any, any>[] {
  return allTools.filter((t) => offered(t, deps));
}

/** Whether this server offers the tool (--read-only, the token's scopes, --toolsets). */
function offered(t: ToolDefinition<any, any>, deps: Pick<ServerDeps, 'readOnly' | 'scopes' | 'toolsets'>): boolean {
  return (
    (!deps.readOnly || t.access !== 'send') &&
    (!deps.scopes || allowedByScopes(t.access, deps.scopes)) &&
    (!deps.toolsets || t.toolset === 'core' || deps.toolsets.includes(t.toolset))
  );
}
const toolsByName = new Map(allTools.map((t) => [t.name, t]));

/** Token scopes → tools: read reads; dispatch also writes and sends; admin may do everything. */
export function allowedByScopes(access: ToolDefinition['access'], scopes: readonly Scope[]): boolean {
  if (scopes.includes('admin')) return true;
  if (access === 'read') return scopes.length > 0;
  if (access === 'write' || access === 'send') return scopes.includes('dispatch');
  return false;
}

/**
 * The calls that send for real ask the person first, when their client can ask (define-tool.ts,
 * confirmFirst): a model deciding to start a campaign is not the person agreeing to it. With sending
 * off they are rehearsals and ask nothing.
 */
const CONFIRM_FIRST: Record<string, Confirmation> = {
  start_dispatch: (args, deps) =>
    deps.config.dispatchEnabled
      ? `Start a campaign that sends REAL messages now to ${
          Array.isArray(args.lead_ids) ? `${args.lead_ids.length} lead(s)` : 'every lead the filter selects'
        } (within the send window and rate limits)? Messages cannot be unsent.`
      : null,
  lgpd_request: (args) =>
    args.action === 'erase' ? 'Erase everything this server holds about this person (cannot be undone)?' : null,
  send_message: (args, deps) =>
    deps.config.dispatchEnabled ? `Send a REAL message now to lead ${String(args.lead_id)}?` : null,
};

/**
 * Cache hints for the list results of protocol 2026-07-28 (clients of 2025-11-25 never see them). The
 * tool list depends on the caller's scopes, so it is private to the caller; prompts, resources,
 * templates and server/discover are the same for everyone and change only with a new version. Resource
 * reads (status, records) are never cached (the SDK's default: ttlMs 0, private).
 */
const CACHE_HINTS = {
  'tools/list': { ttlMs: 60_000, cacheScope: 'private' },
  'prompts/list': { ttlMs: 300_000, cacheScope: 'public' },
  'resources/list': { ttlMs: 300_000, cacheScope: 'public' },
  'resources/templates/list': { ttlMs: 300_000, cacheScope: 'public' },
  'server/discover': { ttlMs: 300_000, cacheScope: 'public' },
} as const;

/**
 * Builds the MCP server with every tool, resource and prompt. A factory with no module state: over HTTP
 * one is built per request (src/http/serve.ts), over stdio one per connection, tests build one per case.
 * `onlyTool`: a server that answers one tools/call, so it registers that tool alone (if the caller may
 * use it) — registering the other tools, resources and prompts would be work for nothing. `modernStdio`: the
 * stdio connection speaks 2026-07-28 (resource updates go to its subscriptions/listen streams).
 */
export function buildServer(deps: ServerDeps, opts: { onlyTool?: string; modernStdio?: boolean } = {}): McpServer {
  const info = {
    name: 'agente-disparo-agenda',
    title: 'AlquimistaAI — Disparos & Agendamentos',
    version: deps.config.version,
  };
  if (opts.onlyTool !== undefined) {
    // It answers one tools/call: the tools capability is all it needs. The others (their request handlers,
    // the cache hints, the instructions) serve lists, discovery and initialize, which this server never
    // answers — and building them took about half of the server's construction on every HTTP call.
    const server = new McpServer(info, { capabilities: { tools: { listChanged: false } } });
    const tool = toolsByName.get(opts.onlyTool);
    if (tool && offered(tool, deps)) registerTool(server, tool, deps, { confirm: CONFIRM_FIRST[tool.name] });
    return server;
  }
  const server = new McpServer(info, {
    // The lists never change while a server runs (a new version is a new process): no list_changed
    // to wait for, on either era.
    capabilities: {
      logging: {},
      tools: { listChanged: false },
      resources: { listChanged: false, subscribe: true },
      prompts: { listChanged: false },
    },
    cacheHints: CACHE_HINTS,
    instructions: SERVER_INSTRUCTIONS,
  });
  for (const tool of selectTools(deps)) registerTool(server, tool, deps, { confirm: CONFIRM_FIRST[tool.name] });

  registerRecordResources(server, deps);
  // The campaign picture (MCP App, ui://): hosts that support Apps draw the report tool's result with it.
  registerCampaignApp(server);
  // notifications/resources/updated for subscribed job:// and lead:// (events out, README "Events").
  resourceSubscriptions(server, deps, { allUpdates: opts.modernStdio });
  registerPrompts(server, deps);
  return server;
}

/**
 * The server's status and the tenant's records by id: agente://status, job://{id}, lead://{id} (JSON)
 * and job-problems://{id} (CSV), each read through its use case with a scope of its own.
 */
function registerRecordResources(server: McpServer, deps: ServerDeps): void {
  server.registerResource(
    'status',
    'agente://status',
    { title: 'Server status', description: 'Same as the get_status tool, as JSON', mimeType: 'application/json' },
    async (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify(await getStatus(createScope(deps)), null, 2),
        },
      ],
    }),
  );

  registerJsonById(
    server,
    deps,
    'job',
    'job://{id}',
    'Job',
    'One import or campaign job as JSON (same data as job_status)',
    async (scope, id) => (await getJobs(scope, { job_id: id, limit: 1 })).jobs[0],
  );
  registerJsonById(
    server,
    deps,
    'lead',
    'lead://{id}',
    'Lead',
    'One lead in full as JSON: phones and e-mails with validity reasons, origin rows, state history, meetings',
    async (scope, id) => {
      const { lead, agendamentos } = await readLead(scope, { lead_id: id });
      return { ...lead, agendamentos };
    },
  );

  server.registerResource(
    'job_problems',
    new ResourceTemplate('job-problems://{id}', { list: undefined }),
    {
      title: 'Every row-level problem of an ingest job',
      description: 'CSV (row, sheet, column, value, reason) of all problems, not just the sample in job_status',
      mimeType: 'text/csv',
    },
    async (uri, vars) => {
      const id = String(vars.id);
      if (!isUuid(id)) throw new Error(`Job ${id} was not found for this tenant`);
      const { problems } = await getJobProblems(createScope(deps), { job_id: id });
      const lines = [
        'linha,aba,coluna,valor,motivo',
        ...problems.map((p) => [String(p.row), p.sheet, p.column, p.value, p.reason].map(csvCell).join(',')),
      ];
      return { contents: [{ uri: uri.href, mimeType: 'text/csv', text: lines.join('\n') + '\n' }] };
    },
  );
}

/** A resource template `scheme://{id}` serving one of the tenant's records as JSON. */
function registerJsonById(
  server: McpServer,
  deps: ServerDeps,
  name: string,
  template: string,
  title: string,
  description: string,
  load: (scope: UseCaseScope, id: string) => Promise<unknown>,
): void {
  server.registerResource(
    name,
    new ResourceTemplate(template, { list: undefined }),
    { title, description, mimeType: 'application/json' },
    async (uri, vars) => {
      const id = String(vars.id);
      const found = isUuid(id) ? await load(createScope(deps), id).catch(notFoundAsNull) : null;
      if (!found) throw new Error(`${title} ${id} was not found for this tenant`);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(found, null, 2) }] };
    },
  );
}

/** A use case's not_found as "nothing here" (the resource says so in its own words); anything else rethrown. */
function notFoundAsNull(err: unknown): null {
  if (err instanceof AppError && err.code === 'not_found') return null;
  throw err;
}

/**
 * One CSV cell. Values come from people's spreadsheets: a cell starting with = + - @ (or a tab/CR) is
 * prefixed with an apostrophe so a spreadsheet program opening the export never evaluates it.
 */
function csvCell(v: string | undefined): string {
  let t = v ?? '';
  if (/^[=+\-@\t\r]/.test(t)) t = `'${t}`;
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}
