import { manageWebhooks, manageWebhooksInput, manageWebhooksOutput } from '../core/events/manage-webhooks.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

export const manageWebhooksTool = defineTool({
  name: 'manage_webhooks',
  title: 'Event webhooks',
  description: 'Webhooks for list_events events (Standard Webhooks): add (secret shown once), list, rotate, remove.',
  toolset: 'dispatch',
  access: 'admin',
  input: manageWebhooksInput,
  output: manageWebhooksOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  handler: async (args, { scope }) => {
    const data = await manageWebhooks(scope, args);
    const rows = table(
      ['webhook_id', 'url', 'state', 'types', 'pending', 'delivered', 'gave_up'],
      data.webhooks.map((w) => [
        w.webhook_id,
        w.url,
        w.active ? 'active' : `DISABLED (${w.disabled_reason})`,
        w.types?.join(', ') ?? 'all',
        w.pending,
        w.delivered,
        w.gave_up,
      ]),
      200,
    );
    const secrets = data.webhooks
      .filter((w) => w.secret)
      .map((w) => `\nSecret (shown once, store it now): ${w.secret}`);
    return {
      data: data as never,
      text:
        args.action === 'remove'
          ? `Webhook ${args.webhook_id} removed.`
          : data.webhooks.length
            ? rows + secrets.join('')
            : 'No webhooks.',
    };
  },
});
