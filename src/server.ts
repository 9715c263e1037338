import { McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { registerCampaignApp } from './apps/campaign-app.js';
import { generateBriefing } from './core/briefing/generate-briefing.js';
import { briefingMarkdown } from './core/briefing/markdown.js';
import { getJobProblems } from './core/jobs/get-job-problems.js';
import { getJobs } from './core/jobs/get-jobs.js';
import { readLead } from './core/leads/read-lead.js';
import type { Scope as UseCaseScope } from './core/scope.js';
import { getStatus } from './core/status/get-status.js';
import { AppError } from './core/errors.js';
import type { Scope } from './auth/tokens.js';
import type { ServerDeps } from './deps.js';
import { resourceSubscriptions } from './events-out/mcp-resources.js';
import { createScope } from './scope.js';
import { registerTool, type Confirmation, type ToolDefinition } from './tools/define-tool.js';
import { allTools } from './tools/index.js';
import { isUuid } from './tools/schemas.js';

/** The tools this server registers for the given deps (--read-only and --toolsets applied). */
export function selectTools(deps: Pick<ServerDeps, 'readOnly' | 'scopes' | 'toolsets'>): ToolDefinition<any, any>[] {
  return allTools.filter(
    (t) =>
      (!deps.readOnly || t.access !== 'send') &&
      (!deps.scopes || allowedByScopes(t.access, deps.scopes)) &&
      (!deps.toolsets || t.toolset === 'core' || deps.toolsets.includes(t.toolset)),
  );
}

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
 * use it) — registering the other tools, resources and prompts would be work for nothing.
 */
export function buildServer(deps: ServerDeps, opts: { onlyTool?: string } = {}): McpServer {
  const server = new McpServer(
    { name: 'agente-disparo-agenda', title: 'AlquimistaAI — Disparos & Agendamentos', version: deps.config.version },
    {
      // The lists never change while a server runs (a new version is a new process): no list_changed
      // to wait for, on either era.
      capabilities: {
        logging: {},
        tools: { listChanged: false },
        resources: { listChanged: false, subscribe: true },
        prompts: { listChanged: false },
      },
      cacheHints: CACHE_HINTS,
      instructions:
        'Dispatch and scheduling agent for Brazilian leads. Typical flow: get_status → ingest_leads (spreadsheet) → ' +
        'job_status → query_leads → dry_run_dispatch. Nothing is sent unless the server runs with ' +
        'MICRO_AGENT_DISPARO_ENABLED="true"; get_status tells.',
    },
  );
  for (const tool of selectTools(deps)) {
    if (opts.onlyTool === undefined || tool.name === opts.onlyTool)
      registerTool(server, tool, deps, { confirm: CONFIRM_FIRST[tool.name] });
  }
  if (opts.onlyTool !== undefined) return server;

  registerRecordResources(server, deps);
  // The campaign picture (MCP App, ui://): hosts that support Apps draw the report tool's result with it.
  registerCampaignApp(server);
  // notifications/resources/updated for subscribed job:// and lead:// (events out, README "Events").
  resourceSubscriptions(server, deps);
  registerPrompts(server, deps);
  return server;
}

/** The prompts: plan_outreach (import, then rehearse a campaign) and briefing (prepare a meeting with a lead). */
function registerPrompts(server: McpServer, deps: ServerDeps): void {
  server.registerPrompt(
    'plan_outreach',
    {
      title: 'Plan an outreach campaign',
      description:
        'Walks through importing a lead spreadsheet and rehearsing the campaign as a dry run before anything is sent.',
      argsSchema: z.object({ file_path: z.string().describe('Spreadsheet (.xlsx or .csv) on the server') }),
    },
    ({ file_path }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text:
              `Prepare an outreach campaign from the spreadsheet ${file_path}.\n` +
              '1. Call get_status and tell me whether real sending is on.\n' +
              '2. Import the file with ingest_leads; if the job is still running, poll job_status until it ends.\n' +
              '3. Summarise the import: leads created, duplicates merged, rows with problems (with row numbers).\n' +
              '4. Rehearse the campaign with dry_run_dispatch and show the counts per channel and per block reason.\n' +
              'Do not send anything real without my explicit confirmation (the server also asks me itself ' +
              'before a real send, when this client can ask).',
          },
        },
      ],
    }),
  );
  server.registerPrompt(
    'briefing',
    {
      title: 'Prepare for a meeting with a lead',
      description:
        "Embeds the lead's briefing (generate_briefing) and asks for a short preparation: what to confirm, what to offer, what to avoid.",
      argsSchema: z.object({ lead_id: z.string().describe('The lead (UUID, from query_leads)') }),
    },
    async ({ lead_id }) => {
      if (!isUuid(lead_id))
        throw new Error(`lead_id must be a lead's UUID (from query_leads); got "${lead_id.slice(0, 60)}"`);
      const b = await generateBriefing(createScope(deps), { lead_id });
      return {
        description: `Briefing de ${b.lead.company}`,
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                'Vou conversar com este lead. Com base no briefing abaixo, prepare em português, em até 10 tópicos: ' +
                'o que confirmar, o que propor, como responder às dúvidas em aberto e o que evitar ' +
                '(nunca contatar quem pediu opt-out).\n\n' +
                briefingMarkdown(b),
            },
          },
        ],
      };
    },
  );
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
