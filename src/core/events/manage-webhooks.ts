import { z } from 'zod';
import { AppError, notFound } from '../errors.js';
import { isUuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { EVENT_TYPES, type EventType } from './outbox.js';
import { addWebhook, listWebhooks, removeWebhook, rotateWebhook, type WebhookView } from './webhooks.js';

// Kept small for tools/list: types are checked here, not as an enum in the schema.
export const manageWebhooksInput = {
  action: z.enum(['add', 'list', 'rotate', 'remove']),
  url: z.string().max(2048).optional(),
  webhook_id: z.string().max(36).optional(),
  types: z.array(z.string().max(40)).max(40).optional(),
  personal_data: z.boolean().optional(),
};

export const manageWebhooksOutput = {
  webhooks: z.array(z.unknown()),
};

/** add (secret shown once) / list / rotate (new secret; the old one signs 24 h more) / remove. */
export async function manageWebhooks(
  scope: Scope,
  input: Infer<typeof manageWebhooksInput>,
): Promise<{ webhooks: WebhookView[] }> {
  const need = (v: string | undefined, what: string) => {
    if (!v) throw new AppError('invalid_argument', `${input.action} needs ${what}`);
    if (what.startsWith('webhook_id') && !isUuid(v)) throw notFound('Webhook', v.slice(0, 40));
    return v;
  };
  switch (input.action) {
    case 'add':
      return {
        webhooks: [
          await addWebhook(scope, {
            url: need(input.url, 'url (https://…)'),
            types: input.types?.map(eventType),
            personal_data: input.personal_data,
          }),
        ],
      };
    case 'list':
      return { webhooks: await listWebhooks(scope) };
    case 'rotate':
      return { webhooks: [await rotateWebhook(scope, need(input.webhook_id, 'webhook_id (from list)'))] };
    case 'remove':
      await removeWebhook(scope, need(input.webhook_id, 'webhook_id (from list)'));
      return { webhooks: [] };
  }
}

function eventType(t: string): EventType {
  const short = t.replace(/^br\.com\.alquimista\./, '');
  if ((EVENT_TYPES as readonly string[]).includes(short)) return short as EventType;
  throw new AppError('invalid_argument', `Unknown event type "${t.slice(0, 60)}"; known: ${EVENT_TYPES.join(', ')}`);
}
