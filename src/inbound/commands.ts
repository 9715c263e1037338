import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../core/model/index.js';
import type { Logger } from '../core/ports.js';
import { systemClock } from '../core/ports.js';
import type { Db } from '../db/connect.js';
import { createEndpoint } from '../http/webhooks/endpoints.js';
import { InboundProcessor } from './processor.js';

/** The processor of stored inbound events, started (a sweep at once, then every 5 s). */
export function startInboundProcessor(db: Db, logger: Logger): InboundProcessor {
  const delay = Number(process.env.AGENTE_INBOUND_DELAY_MS ?? 0);
  return new InboundProcessor({
    db: db.kysely,
    clock: systemClock,
    logger: logger.child({ component: 'inbound' }),
    delayMs: Number.isFinite(delay) && delay > 0 ? delay : undefined,
  }).start();
}

export const WEBHOOK_USAGE =
  'webhook create --tenant SLUG --provider whatsapp_cloud|twilio|waha|evolution --secret-env VAR ' +
  '[--verify-token TOKEN] [--public-url URL]';

/**
 * `webhook create`: a tenant's endpoint for one provider. The secret (Meta app secret, Twilio auth
 * token, WAHA HMAC key, Evolution apikey) is read from the environment variable named by
 * --secret-env, so it never sits in a shell history. Prints the path to give the provider.
 */
export async function webhookCommand(db: Db, sub: string | undefined, values: Record<string, unknown>) {
  const provider = values.provider as WebhookProvider | undefined;
  const secretVar = values['secret-env'];
  if (sub !== 'create' || typeof values.tenant !== 'string' || !provider || typeof secretVar !== 'string') {
    process.stderr.write(`Usage: ${WEBHOOK_USAGE}\n`);
    return 2;
  }
  if (!WEBHOOK_PROVIDERS.includes(provider)) {
    process.stderr.write(`Unknown provider ${provider}; use ${WEBHOOK_PROVIDERS.join(', ')}\n`);
    return 2;
  }
  const secret = process.env[secretVar];
  if (!secret) {
    process.stderr.write(`${secretVar} is not set: put the provider's secret in it\n`);
    return 2;
  }
  if (provider === 'whatsapp_cloud' && typeof values['verify-token'] !== 'string') {
    process.stderr.write("whatsapp_cloud needs --verify-token (the token you type in Meta's webhook settings)\n");
    return 2;
  }
  const e = await createEndpoint(db.kysely, {
    tenantSlug: values.tenant,
    provider,
    secret,
    verifyToken: values['verify-token'] as string | undefined,
    publicUrl: values['public-url'] as string | undefined,
  });
  process.stderr.write(`Webhook endpoint for tenant ${values.tenant}, provider ${provider}. Point the provider at:\n`);
  process.stdout.write(`/webhooks/${provider}/${e.endpoint_id}\n`);
  return 0;
}
