import { sql, type RawBuilder } from 'kysely';

/** SQL over opt-out registries (registros_opt_out, opt-out-registry.ts): read by the decision and the send-time re-check. */

/**
 * LATERAL per lead: the opt-out registry (registros_opt_out) that lists its phone `tel` (either WhatsApp
 * form) and is in force at `now` in the lead's zone (l), the first by source; no row when none.
 */
export function registryHitSql(tenantId: string, tel: RawBuilder<unknown>, now: Date): RawBuilder<unknown> {
  return sql`select r.fonte from registros_opt_out r
      where r.tenant_id = ${tenantId} and r.numero_e164 = any(array[${tel}, ${NINE_DIGIT(tel)}])
        and r.vigente_desde <= (${now}::timestamptz at time zone l.timezone)::date
      order by r.fonte limit 1`;
}

/** A Brazilian mobile in the old 8-digit form in its 9-digit form (registries store that one); others as they are. */
export const NINE_DIGIT = (tel: RawBuilder<unknown>) =>
  sql`case when ${tel} ~ '^\\+55[1-9][0-9][6-9][0-9]{7}$' then '+55' || substr(${tel}, 4, 2) || '9' || substr(${tel}, 6)
      else ${tel} end`;
