import { hostname } from 'node:os';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { BackgroundTasks } from '../background.js';
import { McpCalendar } from '../channels/calendar.js';
import type { Config } from '../config.js';
import { failOrphanedJobs } from '../core/ingest/job-store.js';
import { systemClock, type Logger } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import { ensureTenant } from '../db/tenant.js';
import type { ServerDeps } from '../deps.js';
import { prepareInbox } from '../files/allowed-path.js';
import { serveHttp } from '../http/serve.js';
import { startInboundProcessor } from '../inbound/commands.js';
import { buildServer } from '../server.js';
import type { Toolset } from '../tools/define-tool.js';
import type { CliValues } from './args.js';
import { startEventDeliverers } from '../events-out/start.js';
import { registerDbGauges } from '../metrics/db-gauges.js';
import { metricsTokenFromEnv } from '../metrics/http.js';
import { registerWebhookCounts, wireMetrics } from '../metrics/wire.js';
import { buildChannels, startExecutor } from './channels.js';
import { startPolling } from './inbox.js';
import { stopDeadlineMs, untilStopped } from './stop.js';

/** `serve` (the default command): the MCP server over stdio, or over Streamable HTTP with --http. */

/** The largest message a stdio client may send: an ingest_leads upload of 20 MB is 28 MB of base64. */
const STDIO_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export async function serve(db: Db, config: Config, logger: Logger, values: CliValues): Promise<number> {
  const http = !!(values.http || values['webhooks-only']);
  let deadlineMs: number;
  let metricsToken: string | undefined;
  try {
    deadlineMs = stopDeadlineMs(process.env);
    metricsToken = http ? metricsTokenFromEnv(process.env) : undefined;
  } catch (err) {
    process.stderr.write(`serve: ${(err as Error).message}\n`);
    return 2;
  }
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
  // Webhooks are stored, answered, then processed here — unless --no-processing leaves that to the
  // sweeps of other processes (workers), so that an edge spends its CPU on accepting. With the executor
  // in this process (PGlite's only way), the inboxes are polled here too and what that stores is processed.
  const inbound = !values['no-processing'] && (http || executor) ? startInboundProcessor(db, logger) : null;
  const poller = executor
    ? startPolling(db, config, logger, channels, tenant.tenant_id, (t) => inbound?.kick(t))
    : null;
  // Events out: delivered by workers; here too when this process is the executor or on PGlite (no worker).
  const events =
    (executor || db.kind === 'pglite') && !values['webhooks-only']
      ? startEventDeliverers(db.kysely, logger, `${hostname()}:${process.pid}`, {
          idleMs: db.kind === 'pglite' ? 1000 : 200,
        })
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
  const stopped = untilStopped(logger);
  if (http) {
    wireMetrics();
    registerDbGauges(db);
    const handle = await serveHttp(base, {
      metricsToken,
      host: typeof values.host === 'string' ? values.host : '127.0.0.1',
      port: typeof values.port === 'string' ? Number(values.port) : 3333,
      auth: values['no-auth'] ? 'none' : 'token',
      webhooksOnly: !!values['webhooks-only'],
      inboundStored: inbound ? (tenantId) => inbound.kick(tenantId) : undefined,
    });
    logger.info({ url: handle.url }, 'serving MCP over Streamable HTTP');
    registerWebhookCounts(handle.webhookCounts);
    process.stderr.write(`agente-disparo-agenda listening on ${handle.url}\n`);
    await stopped;
    // Requests in flight finish first (up to the deadline): a send_message waits on this process's
    // executor for its outcome. Then the executor stops claiming and drains in what is left of it.
    const started = performance.now();
    await Promise.all([handle.close(deadlineMs), poller?.stop()]);
    await executor?.shutdown(Math.max(1000, deadlineMs - (performance.now() - started)));
  } else {
    await serveOverStdio({ ...base, transport: 'stdio' }, stopped);
    await Promise.all([executor?.shutdown(deadlineMs), poller?.stop()]);
  }
  await drain(tasks, logger);
  await events?.stop();
  await inbound?.stop();
  await channels.close();
  if (http) process.stderr.write('agente-disparo-agenda stopped\n');
  return 0;
}

/** One MCP server per connection over stdin/stdout, until stdin ends or a signal comes. */
async function serveOverStdio(deps: ServerDeps, stopped: Promise<void>): Promise<void> {
  const { config, logger, tenant, db } = deps;
  // The default inbox, when no AGENTE_INGEST_DIRS is set: the one folder ingest_leads may read (get_status names it).
  await prepareInbox(config).catch((err: Error) =>
    logger.warn({ err: { message: err.message } }, 'could not create the ingest inbox'),
  );
  // Both protocol eras on one connection: the opening message picks 2025-11-25 (initialize) or
  // 2026-07-28 (server/discover); one server from the factory then serves the connection. The read
  // buffer takes a whole ingest_leads upload (content_base64 up to 28 MB), not the SDK's default 10 MB.
  const transport = new StdioServerTransport(undefined, undefined, {
    maxBufferSize: Math.max(STDIO_MAX_MESSAGE_BYTES, config.http.limits.maxBodyBytes),
  });
  const closed = new Promise<void>((resolve) => process.stdin.once('end', () => resolve()));
  const handle = serveStdio(({ era }) => buildServer(deps, { modernStdio: era === 'modern' }), {
    transport,
    onerror: (err) => logger.debug({ err: { message: err.message } }, 'mcp stdio'),
  });
  logger.info({ tenant: tenant.slug, db: db.kind }, 'serving MCP over stdio');
  await Promise.race([closed, stopped]);
  await handle.close();
}

/** Lets running imports finish (up to 60 s) before the database closes. */
async function drain(tasks: BackgroundTasks, logger: Logger): Promise<void> {
  if (!tasks.size) return;
  logger.info({ running: tasks.size }, 'waiting for background jobs before exit');
  await Promise.race([tasks.drain(), new Promise((r) => setTimeout(r, 60_000).unref())]);
}
