import { BackgroundTasks } from '../background.js';
import type { Config } from '../config.js';
import { systemClock, type Logger } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import { ensureTenant } from '../db/tenant.js';
import { createScope, type ScopeDeps } from '../scope.js';

/**
 * The scope a command acts through, like a tool call's: the tenant (AGENTE_TENANT, or `slug`) made
 * sure of, the system clock, and the command as the actor, so the audit says `cli:<command>`.
 * `extra` adds what only some commands need (channels to send through).
 *
 * @example const { scope } = await cliScope(db, config, logger, 'lgpd export');
 */
export async function cliScope(
  db: Db,
  config: Config,
  logger: Logger,
  command: string,
  opts: { slug?: string; extra?: Partial<Pick<ScopeDeps, 'channels' | 'channelClient'>> } = {},
) {
  const tenant = await ensureTenant(db.kysely, opts.slug ?? config.tenantSlug);
  const deps: ScopeDeps = {
    db,
    tenant,
    config,
    logger,
    clock: systemClock,
    tasks: new BackgroundTasks(),
    transport: 'stdio',
    ...opts.extra,
  };
  return { tenant, scope: createScope(deps, { actor: { kind: 'cli', command } }) };
}
