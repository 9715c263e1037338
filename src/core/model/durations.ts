/** Named durations, in milliseconds. */
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The window of the per-lead cap and of the distinct-recipient cap (WhatsApp tiers): rolling 24 h. */
export const RECENT_SENDS_WINDOW_MS = DAY_MS;

/** How long a claimed send stays leased before another executor may recover it (AGENTE_LEASE_MS). */
export const DEFAULT_LEASE_MS = MINUTE_MS;

/** How long a downstream send may take before its outcome is unknown. */
export const DEFAULT_SEND_TIMEOUT_MS = 15 * SECOND_MS;

/** An import silent this long on PostgreSQL is taken for dead at start-up (another server may run it). */
export const ORPHANED_IMPORT_AFTER_MS = 10 * MINUTE_MS;
