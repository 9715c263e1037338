#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { BackgroundTasks } from './background.js';
import { createToken, revokeToken, SCOPES, type Scope } from './auth/tokens.js';
import { McpCalendar } from './channels/calendar.js';
import { McpChannelClient } from './channels/channel-client.js';
import { sendReminders } from './core/meetings/send-reminders.js';
import { createScope } from './scope.js';
import { loadMcpConfig } from './channels/config.js';
import { McpClientPool } from './channels/pool.js';
import { channelStatuses, mcpVars } from './channels/status.js';
import { loadConfig, type Config } from './config.js';
import { failOrphanedJobs } from './core/ingest/job-store.js';
import { systemClock, type Logger } from './core/ports.js';
import { openDb, type Db } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { ensureTenant, withTenant } from './db/tenant.js';
import type { ChannelStatus, ServerDeps } from './deps.js';
import { Executor } from './core/dispatch/executor.js';
import { runDemo } from './demo.js';
import { prepareInbox } from './files/allowed-path.js';
import { serveHttp } from './http/serve.js';
import { startInboundProcessor, WEBHOOK_USAGE, webhookCommand } from './inbound/commands.js';
import { assertFreeSpace } from './db/disk-space.js';
import { createLogger } from './logger.js';
import { buildServer } from './server.js';
import type { Toolset } from './tools/define-tool.js';

const USAGE = `agente-disparo-agenda — MCP server for lead dispatch and scheduling

Usage:
  agente-disparo-agenda                      MCP server over stdio (what Claude Desktop runs)
  agente-disparo-agenda serve [--http] [--port 3333] [--host 127.0.0.1] [--no-auth]
  agente-disparo-agenda serve --webhooks-only [--port 3333] [--host 127.0.0.1]
                                             provider webhooks only (/webhooks/…), no MCP: a public edge
  agente-disparo-agenda ${WEBHOOK_USAGE}
  agente-disparo-agenda worker               dispatch executor only (PostgreSQL; run any number)
  agente-disparo-agenda reminders [--window-hours 24]
                                             queue one reminder per meeting starting soon and send them (cron-safe)
  agente-disparo-agenda migrate              apply database migrations and exit
  agente-disparo-agenda token create --tenant SLUG [--name NAME] [--scopes read,dispatch,admin]
  agente-disparo-agenda token revoke TOKEN_ID|TOKEN_PREFIX
  agente-disparo-agenda demo                 the whole flow through a real MCP client, on a fresh PGlite

Options for the server: --read-only (no tool that sends), --toolsets core,leads,dispatch,meetings
Environment: DATABASE_URL, AGENTE_DATA_DIR, AGENTE_TENANT, MICRO_AGENT_DISPARO_ENABLED, AGENTE_MCP_CONFIG,
  AGENTE_INGEST_DIRS, AGENTE_LOG_LEVEL, AGENTE_HTTP_ALLOWED_HOSTS, AGENTE_HTTP_ALLOWED_ORIGINS,
  AGENTE_HTTP_PUBLIC_URL, AGENTE_OAUTH_ISSUER (OAuth access tokens beside static ones; see README).`;

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      http: { type: 'boolean' },
      'webhooks-only': { type: 'boolean' },
      provider: { type: 'string' },
      'secret-env': { type: 'string' },
      'verify-token': { type: 'string' },
      'public-url': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'no-auth': { type: 'boolean' },
      'read-only': { type: 'boolean' },
      'no-executor': { type: 'boolean' },
      toolsets: { type: 'string' },
      'window-hours': { type: 'string' },
      tenant: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  const config = loadConfig();
  if (values.help) return print(USAGE);
  if (values.version) return print(config.version);
  const [command = 'serve', sub, arg] = positionals;
  if (command === 'demo') return runDemo(fileURLToPath(import.meta.url));

  const logger = createLogger(config.logLevel);
  if (!config.databaseUrl) {
    // PGlite on a full disk blocks the process instead of failing (see db/disk-space.ts): refuse to start.
    try {
      await assertFreeSpace(config.dataDir);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      return 1;
    }
  }
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { applied } = await migrate(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    if (command === 'migrate') {
      process.stderr.write(`${applied.length} migration(s) applied on ${db.label}\n`);
      return 0;
    }
    // Everything after the migrations runs as the app role, under row-level security (SECURITY.md).
    await db.useAppRole();
    switch (command) {
      case 'token':
        return await tokenCommand(db, sub, arg, values);
      case 'webhook':
        return await webhookCommand(db, sub, values);
      case 'serve':
        return await serve(db, config, logger, values);
      case 'worker':
        return await worker(db, config, logger);
      case 'reminders':
        return await reminders(db, config, logger, values);
      default:
        process.stderr.write(`Unknown command: ${command}\n\n${USAGE}\n`);
        return 2;
    }
  } finally {
    await db.close();
  }
}

async function serve(db: Db, config: Config, logger: Logger, values: Record<string, unknown>): Promise<number> {
  const tenant = await ensureTenant(db.kysely, config.tenantSlug);
  // A job still 'processando' from a process that died will never finish. On PGlite only this process
  // can be importing; on PostgreSQL other servers may be, so only jobs silent for 10 minutes count.
  const orphanCutoff = db.kind === 'pglite' ? new Date() : new Date(Date.now() - 10 * 60_000);
  const orphans = await failOrphanedJobs(db.kysely, orphanCutoff);
  if (orphans) logger.warn({ jobs: orphans }, 'marked interrupted ingest jobs as failed');
  const tasks = new BackgroundTasks();
  const channels = buildChannels(config, logger);
  // The channel layer exists in this process only when sending is on: the dry-run path cannot reach it.
  const executor =
    config.dispatchEnabled && channels.client && !values['no-executor']
      ? startExecutor(db, channels.client, logger, config)
      : null;
  const toolsets = typeof values.toolsets === 'string' ? (values.toolsets.split(',') as Toolset[]) : undefined;
  const base = {
    db,
    tenant,
    config,
    logger,
    clock: systemClock,
    tasks,
    readOnly: !!values['read-only'],
    toolsets,
    channels: channels.status,
    channelClient: config.dispatchEnabled ? (channels.client ?? undefined) : undefined,
    calendar: config.dispatchEnabled && channels.client ? new McpCalendar(channels.client) : undefined,
  };
  const stopped = new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
  });
  if (values.http || values['webhooks-only']) {
    // Webhooks are stored, answered, then processed here (and by any other process's sweep).
    const inbound = startInboundProcessor(db, logger);
    const handle = await serveHttp(base, {
      host: typeof values.host === 'string' ? values.host : '127.0.0.1',
      port: typeof values.port === 'string' ? Number(values.port) : 3333,
      auth: values['no-auth'] ? 'none' : 'token',
      webhooksOnly: !!values['webhooks-only'],
      inboundStored: (tenantId) => inbound.kick(tenantId),
    });
    logger.info({ url: handle.url }, 'serving MCP over Streamable HTTP');
    process.stderr.write(`agente-disparo-agenda listening on ${handle.url}\n`);
    await stopped;
    await handle.close();
    await inbound.stop();
    await drain(tasks, logger);
    await executor?.stop();
    await channels.close();
    return 0;
  }
  // The default inbox, when no AGENTE_INGEST_DIRS is set: the one folder ingest_leads may read (get_status names it).
  await prepareInbox(config).catch((err: Error) =>
    logger.warn({ err: { message: err.message } }, 'could not create the ingest inbox'),
  );
  const deps: ServerDeps = { ...base, transport: 'stdio' };
  // Both protocol eras on one connection: the opening message picks 2025-11-25 (initialize) or
  // 2026-07-28 (server/discover); one server from the factory then serves the connection. The read
  // buffer takes a whole ingest_leads upload (content_base64 up to 28 MB), not the SDK's default 10 MB.
  const transport = new StdioServerTransport(undefined, undefined, {
    maxBufferSize: Math.max(STDIO_MAX_MESSAGE_BYTES, config.http.limits.maxBodyBytes),
  });
  const closed = new Promise<void>((resolve) => process.stdin.once('end', () => resolve()));
  const handle = serveStdio(() => buildServer(deps), {
    transport,
    onerror: (err) => logger.debug({ err: { message: err.message } }, 'mcp stdio'),
  });
  logger.info({ tenant: tenant.slug, db: db.kind }, 'serving MCP over stdio');
  await Promise.race([closed, stopped]);
  await handle.close();
  await drain(tasks, logger);
  await executor?.stop();
  await channels.close();
  return 0;
}

/** The largest message a stdio client may send: an ingest_leads upload of 20 MB is 28 MB of base64. */
const STDIO_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

interface Channels {
  client: McpChannelClient | null;
  status: () => ChannelStatus[];
  close(): Promise<void>;
}

/** The downstream channel layer from mcp.json, verified against the servers in the background. */
function buildChannels(config: Config, logger: Logger): Channels {
  let mcp;
  try {
    mcp = loadMcpConfig(config.mcpConfigPath, mcpVars(config));
  } catch {
    return { client: null, status: () => channelStatuses(config), close: async () => {} };
  }
  const pool = new McpClientPool(mcp.mcpServers, logger);
  const client = new McpChannelClient(mcp, pool, logger);
  // Verifying connects to (and may start) the downstream servers: only when sending is on.
  if (config.dispatchEnabled)
    client
      .verify()
      .catch((err: Error) => logger.warn({ err: { message: err.message } }, 'channel verification failed'));
  return { client, status: () => client.status(), close: () => pool.close() };
}

function startExecutor(db: Db, channel: McpChannelClient, logger: Logger, config: Config): Executor {
  const executor = new Executor({
    db: db.kysely,
    channel,
    clock: systemClock,
    logger: logger.child({ component: 'executor' }),
    writeGuard: db.kind === 'pglite' ? () => assertFreeSpace(config.dataDir) : undefined,
    workerId: `${hostname()}:${process.pid}`,
    concurrency: Number(process.env.AGENTE_WORKER_CONCURRENCY ?? 256),
    leaseMs: Number(process.env.AGENTE_LEASE_MS ?? 60_000),
  });
  executor.start();
  return executor;
}

/** `worker`: executors only, for scale-out — any number of these on one PostgreSQL share the outbox. */
async function worker(db: Db, config: Config, logger: Logger): Promise<number> {
  if (db.kind !== 'postgres') {
    process.stderr.write(
      'worker needs PostgreSQL (set DATABASE_URL); on PGlite the executor runs inside the server process.\n',
    );
    return 2;
  }
  if (!config.dispatchEnabled) {
    process.stderr.write(
      'worker refuses to start: MICRO_AGENT_DISPARO_ENABLED is not exactly "true", so nothing may be sent.\n',
    );
    return 2;
  }
  const channels = buildChannels(config, logger);
  if (!channels.client) {
    process.stderr.write(`worker: no usable channel configuration in ${config.mcpConfigPath}\n`);
    return 2;
  }
  const executor = startExecutor(db, channels.client, logger, config);
  // Inbound events stored by a `serve --webhooks-only` edge are processed by workers too.
  const inbound = startInboundProcessor(db, logger);
  process.stderr.write(`worker ${hostname()}:${process.pid} executing disparos\n`);
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
  });
  await inbound.stop();
  await executor.stop();
  await channels.close();
  return 0;
}

/**
 * `reminders`: one run of send_reminders for the configured tenant (safe from cron every minute: each
 * meeting is claimed once). With sending on, the reminders it queued are then sent by an executor in
 * this process (up to 60 s), so the command works without a server running; deferred ones wait.
 */
async function reminders(db: Db, config: Config, logger: Logger, values: Record<string, unknown>): Promise<number> {
  const windowHours = typeof values['window-hours'] === 'string' ? Number(values['window-hours']) : 24;
  if (!(windowHours > 0 && windowHours <= 168)) {
    process.stderr.write('--window-hours must be a number between 1 and 168\n');
    return 2;
  }
  const tenant = await ensureTenant(db.kysely, config.tenantSlug);
  const channels = buildChannels(config, logger);
  // A command acts through a scope like a tool call does, as itself (the audit says cli:reminders).
  const scope = createScope(
    {
      db,
      tenant,
      config,
      logger,
      clock: systemClock,
      tasks: new BackgroundTasks(),
      transport: 'stdio',
      channels: channels.status,
      channelClient: config.dispatchEnabled ? (channels.client ?? undefined) : undefined,
    },
    { actor: { kind: 'cli', command: 'reminders' } },
  );
  try {
    const r = await sendReminders(scope, { window_hours: windowHours, limit: 1000 });
    const queued = r.items
      .map((i) => (i.message?.status === 'enfileirado' ? i.message.disparo_id : null))
      .filter((x): x is string => !!x);
    if (queued.length && channels.client) {
      const executor = startExecutor(db, channels.client, logger, config);
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        const open = await withTenant(db.kysely, tenant.tenant_id, (tx) =>
          tx
            .selectFrom('disparos')
            .select('disparo_id')
            .where('disparo_id', 'in', queued)
            .where('status', 'in', ['pendente', 'em_execucao'])
            .execute(),
        );
        if (!open.length) break;
        await new Promise((res) => setTimeout(res, 200));
      }
      await executor.stop();
    }
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.stderr.write(
      `${r.mode === 'dry_run' ? 'DRY RUN (nothing sent): ' : ''}${r.found} meeting(s) within ${windowHours} h: ` +
        `${r.reminders} reminder(s), ${r.deferred} deferred\n`,
    );
    return 0;
  } finally {
    await channels.close();
  }
}

/** Lets running imports finish (up to 60 s) before the database closes. */
async function drain(tasks: BackgroundTasks, logger: Logger): Promise<void> {
  if (!tasks.size) return;
  logger.info({ running: tasks.size }, 'waiting for background jobs before exit');
  await Promise.race([tasks.drain(), new Promise((r) => setTimeout(r, 60_000).unref())]);
}

async function tokenCommand(db: Db, sub: string | undefined, arg: string | undefined, values: Record<string, unknown>) {
  if (sub === 'create') {
    if (typeof values.tenant !== 'string') {
      process.stderr.write('token create needs --tenant SLUG\n');
      return 2;
    }
    const scopes = typeof values.scopes === 'string' ? (values.scopes.split(',') as Scope[]) : undefined;
    const bad = scopes?.filter((s) => !SCOPES.includes(s));
    if (bad?.length) {
      process.stderr.write(`Unknown scope(s): ${bad.join(', ')}; use ${SCOPES.join(', ')}\n`);
      return 2;
    }
    const t = await createToken(db.kysely, values.tenant, { name: values.name as string | undefined, scopes });
    process.stderr.write(
      `Token ${t.token_id} for tenant ${t.tenant.slug} (scopes ${t.scopes.join(',')}). It is shown once:\n`,
    );
    process.stdout.write(`${t.token}\n`);
    return 0;
  }
  if (sub === 'revoke' && arg) {
    await revokeToken(db.kysely, arg);
    process.stderr.write(`Token ${arg} revoked\n`);
    return 0;
  }
  process.stderr.write(
    'Usage: token create --tenant SLUG [--name N] [--scopes read,dispatch,admin] | token revoke ID|PREFIX\n',
  );
  return 2;
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

// Run only as the entry point (the bin, `node dist/main.js`), never when imported.
const entry = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (entry === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const e = err as Error & { code?: string };
      process.stderr.write(`agente-disparo-agenda: ${e.message ?? String(err)}\n`);
      process.exit(e.code === 'data_dir_locked' ? 3 : 1);
    },
  );
}
