import type { Config } from '../config.js';
import type { EventSummary } from '../core/inbound/process-event.js';
import { systemClock, type Logger } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import { ensureTenant } from '../db/tenant.js';
import { InboundProcessor } from '../inbound/processor.js';
import { InboxPoller, pollIntervalMs } from '../inbound/poller.js';
import { buildChannels, type Channels } from './channels.js';

/**
 * `inbox`: one poll of every inbox and status tool the channel profiles name, for the configured
 * tenant, then the processing of what it stored (safe from cron: a message read twice is one
 * message). Prints the summary as JSON on stdout and one line on stderr; exits 1 when a source failed.
 */
export async function inbox(db: Db, config: Config, logger: Logger): Promise<number> {
  const tenant = await ensureTenant(db.kysely, config.tenantSlug);
  const channels = buildChannels(config, logger);
  try {
    if (!channels.client) {
      process.stderr.write(`inbox: no usable channel configuration in ${config.mcpConfigPath}\n`);
      return 2;
    }
    await channels.client.verify();
    const sources = channels.client.inboxSources();
    if (!sources.length) {
      process.stderr.write('inbox: no channel profile names an inbox or status tool to poll (README, "Polling")\n');
      return 2;
    }
    const processed: EventSummary[] = [];
    const processor = new InboundProcessor({
      db: db.kysely,
      clock: systemClock,
      logger: logger.child({ component: 'inbound' }),
      onProcessed: (_t, s) => processed.push(s),
    });
    const poller = new InboxPoller({
      db: db.kysely,
      tenantId: tenant.tenant_id,
      sources: () => sources,
      clock: systemClock,
      logger: logger.child({ component: 'inbox' }),
      intervalMs: 0,
    });
    const polled = await poller.pollAll();
    // Everything the tenant has waiting (this poll's events, and any a crash left behind).
    processor.kick(tenant.tenant_id);
    await processor.idle();
    const sum = (k: keyof EventSummary) => processed.reduce((n, s) => n + (s[k] as number), 0);
    const out = {
      sources: polled,
      processed: {
        events: processed.length,
        messages: sum('messages'),
        duplicates: sum('duplicates'),
        opt_outs: sum('opt_outs'),
        statuses_applied: sum('statuses_applied'),
      },
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    const failed = polled.filter((s) => s.error);
    process.stderr.write(
      `inbox: ${polled.length} source(s), ${polled.reduce((n, s) => n + s.stored, 0)} new event(s), ` +
        `${out.processed.messages - out.processed.duplicates} new message(s), ${out.processed.opt_outs} opt-out(s), ` +
        `${out.processed.statuses_applied} status(es) applied` +
        (failed.length ? `; FAILED: ${failed.map((s) => `${s.origin}: ${s.error}`).join('; ')}` : '') +
        '\n',
    );
    return failed.length ? 1 : 0;
  } finally {
    await channels.close();
  }
}

/**
 * The polling loop of a long-running process (worker, serve with its executor) when any profile names
 * an inbox or status tool and AGENTE_INBOX_POLL_SECONDS is not 0; stored events are handed to `kick`.
 */
export function startPolling(
  db: Db,
  config: Config,
  logger: Logger,
  channels: Channels,
  tenantId: string,
  kick: (tenantId: string) => void,
): InboxPoller | null {
  const intervalMs = pollIntervalMs();
  if (!intervalMs || !channels.client) return null;
  const client = channels.client;
  return new InboxPoller({
    db: db.kysely,
    tenantId,
    sources: () => client.inboxSources(),
    clock: systemClock,
    logger: logger.child({ component: 'inbox' }),
    intervalMs,
    firstDelayMs: Math.min(intervalMs, 5_000),
    onStored: kick,
  }).start();
}
