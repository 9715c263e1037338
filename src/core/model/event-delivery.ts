/** Events out (migration 043): where they go, a delivery's state, what one attempt did. */
export const EVENT_DESTINATION_KINDS = ['webhook', 'eventbridge'] as const;
export type EventDestinationKind = (typeof EVENT_DESTINATION_KINDS)[number];
export const EVENT_DELIVERY_STATUSES = ['pendente', 'entregue', 'desistiu'] as const;
export type EventDeliveryStatus = (typeof EVENT_DELIVERY_STATUSES)[number];
/** entregue; reagendado (retried later); desistiu (given up); desativou (410: the endpoint disabled). */
export const EVENT_ATTEMPT_RESULTS = ['entregue', 'reagendado', 'desistiu', 'desativou'] as const;
export type EventAttemptResult = (typeof EVENT_ATTEMPT_RESULTS)[number];
