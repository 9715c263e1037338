import { sql } from 'kysely';
import { WITH_NEXT } from '../../../db/deferred-begin.js';
import type { Tx } from '../../../db/tenant.js';

/**
 * Takes the tenant's import lock for the rest of the transaction. The lock serialises concurrent
 * merges so two overlapping imports cannot both create the same lead; the lookups that follow run in
 * statements of their own, after it, so they see every merge committed before (each statement of a
 * read-committed transaction takes a new snapshot, also in one multi-statement message).
 * A tenant id is a uuid, so it is written into the text and the statement, whose result nothing reads,
 * is marked WITH_NEXT: on PostgreSQL it travels with the transaction's held begin and tenant scope and
 * the first lookup (db/deferred-begin.ts), one message for all of them. Anything else is bound.
 */
export async function lockForMerge(tx: Tx, tenantId: string): Promise<void> {
  if (isUuid(tenantId))
    await sql
      .raw(
        `${WITH_NEXT} select pg_advisory_xact_lock(hashtext('agente.ingest'), hashtext('${tenantId}'))::text as lock`,
      )
      .execute(tx);
  else
    await sql`select pg_advisory_xact_lock(hashtext('agente.ingest'), hashtext(${tenantId}))::text as lock`.execute(tx);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);
