import { sql, type RawBuilder } from 'kysely';
import { DISPARO_REACHED, RECENT_SENDS_WINDOW_MS } from '../model/index.js';

/**
 * "Messages to this person in the last 24 h" — the one definition, used by the per-lead daily cap
 * (decisions) and the rolling distinct-recipient cap (rate limiter).
 *
 * A disparo counts when it reached, or may have reached, the person (DISPARO_REACHED), at the moment
 * it left: `enviado_em` once sent; for a row being sent or whose outcome is unknown, its last attempt
 * (`updated_at`: the claim, or the recording of the unknown outcome). Not `created_at`: a row queued
 * days ago and sent now reached the person now.
 */
export const reachedAt = (alias: string): RawBuilder<Date> =>
  sql<Date>`coalesce(${sql.ref(`${alias}.enviado_em`)}, ${sql.ref(`${alias}.updated_at`)})`;

/** Where disparo `alias` reached the person after `since`. */
export const reachedSince = (alias: string, since: Date): RawBuilder<boolean> =>
  sql<boolean>`${sql.ref(`${alias}.status`)} = any(${DISPARO_REACHED}::text[]) and ${reachedAt(alias)} > ${since}`;

/** The start of the rolling window that ends at `now`. */
export const recentWindowStart = (now: Date): Date => new Date(now.getTime() - RECENT_SENDS_WINDOW_MS);
