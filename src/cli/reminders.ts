import type { Config } from '../config.js';
import { sendReminders } from '../core/meetings/send-reminders.js';
import type { Logger } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import { withTenant } from '../db/tenant.js';
import type { CliValues } from './args.js';
import { cliScope } from './scope.js';
import { buildChannels, startExecutor, type Channels } from './channels.js';

/**
 * `reminders`: one run of send_reminders for the configured tenant (safe from cron every minute: each
 * meeting is claimed once). With sending on, the reminders it queued are then sent by an executor in
 * this process (up to 60 s), so the command works without a server running; deferred ones wait.
 */
export async function reminders(db: Db, config: Config, logger: Logger, values: CliValues): Promise<number> {
  const windowHours = typeof values['window-hours'] === 'string' ? Number(values['window-hours']) : 24;
  if (!(windowHours > 0 && windowHours <= 168)) {
    process.stderr.write('--window-hours must be a number between 1 and 168\n');
    return 2;
  }
  const channels = buildChannels(config, logger);
  const { tenant, scope } = await cliScope(db, config, logger, 'reminders', {
    extra: {
      channels: channels.status,
      channelClient: config.dispatchEnabled ? (channels.client ?? undefined) : undefined,
    },
  });
  try {
    const r = await sendReminders(scope, { window_hours: windowHours, limit: 1000 });
    const queued = r.items
      .map((i) => (i.message?.status === 'enfileirado' ? i.message.disparo_id : null))
      .filter((x): x is string => !!x);
    if (queued.length && channels.client) await sendQueued(db, config, logger, channels, tenant.tenant_id, queued);
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

/** Runs an executor in this process until the queued disparos are done (at most 60 s). */
async function sendQueued(
  db: Db,
  config: Config,
  logger: Logger,
  channels: Channels,
  tenantId: string,
  queued: string[],
): Promise<void> {
  const executor = startExecutor(db, channels.client!, logger, config);
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const open = await withTenant(db.kysely, tenantId, (tx) =>
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
