import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { Logger } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import { startInboundProcessor } from '../inbound/commands.js';
import { ensureTenant } from '../db/tenant.js';
import { pollIntervalMs } from '../inbound/poller.js';
import { registerDbGauges } from '../metrics/db-gauges.js';
import { readinessProbe } from '../metrics/health.js';
import { probeListenFromEnv, startProbeServer } from '../metrics/http.js';
import { wireMetrics } from '../metrics/wire.js';
import { buildChannels, startExecutor } from './channels.js';
import { startPolling } from './inbox.js';
import { stopDeadlineMs, untilStopped } from './stop.js';

/**
 * `worker`: executors, for scale-out — any number of these on one PostgreSQL share the outbox — plus
 * the processing of stored inbound events and the inbox polling loop (AGENTE_INBOX_POLL_SECONDS).
 * With AGENTE_METRICS_PORT set it serves /healthz, /readyz and /metrics on that port (src/metrics).
 * SIGTERM stops it gracefully (stop.ts): nothing new is claimed, calls in flight finish (up to
 * AGENTE_STOP_DEADLINE_MS), rows not started are handed back, and it exits 0.
 */
export async function worker(db: Db, config: Config, logger: Logger): Promise<number> {
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
  let probeAt: ReturnType<typeof probeListenFromEnv>;
  let deadlineMs: number;
  try {
    probeAt = probeListenFromEnv(process.env);
    deadlineMs = stopDeadlineMs(process.env);
  } catch (err) {
    process.stderr.write(`worker: ${(err as Error).message}\n`);
    return 2;
  }
  const channels = buildChannels(config, logger);
  if (!channels.client) {
    process.stderr.write(`worker: no usable channel configuration in ${config.mcpConfigPath}\n`);
    return 2;
  }
  wireMetrics();
  registerDbGauges(db);
  const stopped = untilStopped(logger);
  let stopping = false;
  const probes = probeAt
    ? await startProbeServer(probeAt, readinessProbe({ db, channels: channels.status, stopping: () => stopping }))
    : null;
  const executor = startExecutor(db, channels.client, logger, config);
  // Inbound events stored by a `serve --webhooks-only` edge are processed by workers too.
  const inbound = startInboundProcessor(db, logger);
  // The inboxes of the configured tenant are polled here (every worker: a message read twice is one).
  const tenant = await ensureTenant(db.kysely, config.tenantSlug);
  const poller = startPolling(db, config, logger, channels, tenant.tenant_id, (t) => inbound.kick(t));
  process.stderr.write(
    `worker ${hostname()}:${process.pid} executing disparos` +
      (poller ? `, polling inboxes every ${pollIntervalMs() / 1000} s` : '') +
      (probes ? `, metrics on ${probes.url}/metrics` : '') +
      '\n',
  );
  await stopped;
  stopping = true;
  const started = performance.now();
  const [sends] = await Promise.all([executor.shutdown(deadlineMs), poller?.stop(), inbound.stop()]);
  await channels.close();
  await probes?.close();
  process.stderr.write(
    `worker stopped in ${Math.round(performance.now() - started)} ms` +
      (sends.drained ? '' : ' (some calls did not finish: their leases expire and are recovered)') +
      '\n',
  );
  return 0;
}
