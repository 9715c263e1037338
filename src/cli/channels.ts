import { hostname } from 'node:os';
import { McpChannelClient } from '../channels/channel-client.js';
import { loadMcpConfig } from '../channels/config.js';
import { McpClientPool } from '../channels/pool.js';
import { channelStatuses, mcpVars } from '../channels/status.js';
import type { Config } from '../config.js';
import { Executor } from '../core/dispatch/executor.js';
import { systemClock, type Logger } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import { assertFreeSpace } from '../db/disk-space.js';
import type { ChannelStatus } from '../deps.js';

/** What the commands that send share: the downstream channel layer from mcp.json and the executor over it. */

export interface Channels {
  client: McpChannelClient | null;
  status: () => ChannelStatus[];
  close(): Promise<void>;
}

/** The downstream channel layer from mcp.json, verified against the servers in the background. */
export function buildChannels(config: Config, logger: Logger): Channels {
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

export function startExecutor(db: Db, channel: McpChannelClient, logger: Logger, config: Config): Executor {
  const executor = new Executor({
    db: db.kysely,
    channel,
    clock: systemClock,
    logger: logger.child({ component: 'executor' }),
    writeGuard: db.kind === 'pglite' ? () => assertFreeSpace(config.dataDir) : undefined,
    workerId: `${hostname()}:${process.pid}`,
    concurrency: Number(process.env.AGENTE_WORKER_CONCURRENCY ?? 256),
    leaseMs: Number(process.env.AGENTE_LEASE_MS ?? 60_000),
    messageIdDomain: messageIdDomain(process.env),
  });
  executor.start();
  return executor;
}

/** AGENTE_MESSAGE_ID_DOMAIN, when it is a domain; else the default (core/dispatch/message-id.ts). */
export function messageIdDomain(env: Record<string, string | undefined>): string | undefined {
  const d = env.AGENTE_MESSAGE_ID_DOMAIN?.trim();
  if (!d) return undefined;
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(d) || d.length > 200)
    throw new Error(`AGENTE_MESSAGE_ID_DOMAIN must be a domain like exemplo.com.br, got "${d.slice(0, 50)}"`);
  return d;
}
