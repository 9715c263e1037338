/**
 * The return path's vocabulary (migration 021): who delivered an inbound event, how a message was
 * tied to its lead, and the delivery status of a sent disparo.
 */

/** Webhook providers (each has its own signature scheme, src/http/webhooks). */
export const WEBHOOK_PROVIDERS = ['whatsapp_cloud', 'twilio', 'waha', 'evolution'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

/** Where an inbound event came from: a webhook provider, a polled inbox, or text pasted into handle_reply. */
export const INBOUND_PROVIDERS = [...WEBHOOK_PROVIDERS, 'polling', 'manual'] as const;
export type InboundProvider = (typeof INBOUND_PROVIDERS)[number];

/**
 * How a reply was tied to its lead: `contexto` (it answers one of our messages by id — certain),
 * `destino` (its sender is one lead's phone/e-mail), `ambigua` (a destination several leads share: the
 * most likely lead is named, nothing is moved on it), `desconhecido` (no lead has that destination).
 */
export const ATTRIBUTIONS = ['contexto', 'destino', 'ambigua', 'desconhecido'] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

/**
 * What the provider said happened to a message after it accepted it. Monotonic: enviado < entregue <
 * lido; falhou (with the provider's code) replaces enviado or entregue, never lido.
 */
export const DELIVERY_STATUSES = ['enviado', 'entregue', 'lido', 'falhou'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const RANK: Record<DeliveryStatus, number> = { enviado: 1, entregue: 2, lido: 3, falhou: 2.5 };

/**
 * Whether a reported status moves a disparo's delivery status forward (a late `entregue` after `lido`
 * changes nothing; `falhou` after `enviado` or `entregue` applies; nothing moves a `falhou` back).
 * @example advancesDelivery('lido', 'entregue') // false
 */
export function advancesDelivery(current: DeliveryStatus | null, next: DeliveryStatus): boolean {
  if (current === null) return true;
  if (current === 'falhou') return false;
  return RANK[next] > RANK[current];
}

/** The statuses a new status may replace (for the conditional UPDATE). */
export const deliveryReplaces = (next: DeliveryStatus): DeliveryStatus[] =>
  DELIVERY_STATUSES.filter((s) => advancesDelivery(s, next));
