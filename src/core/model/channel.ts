/**
 * Channels. `Channel` is every downstream channel; a message goes out on a `SendChannel`; a decision
 * may find none (`DecidedChannel`). The dry_run_log records a calendar rehearsal too.
 */
export const CHANNELS = ['whatsapp', 'email', 'calendar'] as const;
export type Channel = (typeof CHANNELS)[number];

export const SEND_CHANNELS = ['whatsapp', 'email'] as const;
export type SendChannel = (typeof SEND_CHANNELS)[number];

export const DECIDED_CHANNELS = ['whatsapp', 'email', 'none'] as const;
export type DecidedChannel = (typeof DECIDED_CHANNELS)[number];

/** What dry_run_log.canal_decidido may hold. */
export const DRY_RUN_CHANNELS = ['whatsapp', 'email', 'calendar', 'none'] as const;
export type DryRunChannel = (typeof DRY_RUN_CHANNELS)[number];

/** A suppression entry is a document, a phone or an e-mail. */
export const SUPPRESSION_KINDS = ['documento', 'telefone', 'email'] as const;
export type SuppressionKind = (typeof SUPPRESSION_KINDS)[number];

/** The kinds of destination a lead is reached at (destinos_confirmados: a shared one confirmed as one lead's). */
export const DESTINATION_KINDS = ['telefone', 'email'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

export const SUPPRESSION_ORIGINS = ['manual', 'opt_out', 'importacao', 'bounce', 'lgpd'] as const;
export type SuppressionOrigin = (typeof SUPPRESSION_ORIGINS)[number];

/** How an inbound reply was classified (core/replies/classify.ts). */
export const REPLY_CLASSES = ['opt_out', 'confirmacao', 'interesse', 'recusa', 'pergunta', 'outro'] as const;
export type ReplyClass = (typeof REPLY_CLASSES)[number];
