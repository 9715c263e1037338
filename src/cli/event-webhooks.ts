import type { Config } from '../config.js';
import { AppError } from '../core/errors.js';
import { manageWebhooks } from '../core/events/manage-webhooks.js';
import type { Logger } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import type { CliValues } from './args.js';
import { cliScope } from './scope.js';

const USAGE =
  'Usage: event-webhook add --url URL [--types disparo.delivered,lead.replied] [--personal-data] | list | rotate ID | remove ID ' +
  '[--tenant SLUG]\n';

/**
 * `event-webhook add|list|rotate|remove`: the tenant's event webhook endpoints, as manage_webhooks does it.
 * Prints JSON on stdout; the secret of add/rotate is in it, once (store it in the receiver's secret store).
 */
export async function eventWebhookCommand(
  db: Db,
  config: Config,
  logger: Logger,
  sub: string | undefined,
  id: string | undefined,
  values: CliValues,
): Promise<number> {
  if (sub !== 'add' && sub !== 'list' && sub !== 'rotate' && sub !== 'remove') {
    process.stderr.write(USAGE);
    return 2;
  }
  const slug = typeof values.tenant === 'string' ? values.tenant : undefined;
  const { scope } = await cliScope(db, config, logger, 'event-webhook', { slug });
  try {
    const r = await manageWebhooks(scope, {
      action: sub,
      url: typeof values.url === 'string' ? values.url : undefined,
      webhook_id: id,
      types:
        typeof values.types === 'string'
          ? values.types
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean)
          : undefined,
      personal_data: values['personal-data'] === true,
    });
    process.stdout.write(`${JSON.stringify(sub === 'remove' ? { removed: id } : r.webhooks, null, 2)}\n`);
    if (sub === 'add' || sub === 'rotate') process.stderr.write('The secret above is shown once: store it now.\n');
    return 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
}
