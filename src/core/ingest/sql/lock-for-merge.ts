import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';

/**
 * Takes the tenant's import lock for the rest of the transaction, and says whether the tenant has any
 * suppression at all (one round trip). The lock serialises concurrent merges so two overlapping imports
 * cannot both create the same lead; the lookups that follow run in statements of their own, after it,
 * so they see every merge committed before.
 * A tenant id is a uuid, so it is written into the text: a statement without parameters travels with
 * the transaction's held begin and tenant scope on PostgreSQL (db/deferred-begin.ts), one round trip less
 * per chunk. Anything else is bound as a parameter.
 */
export async function lockForMerge(tx: Tx, tenantId: string): Promise<{ hasSuppressions: boolean }> {
  const tenant = UUID.test(tenantId) ? sql.lit(tenantId) : sql`${tenantId}`;
  const { rows } = await sql<{ suprime: boolean }>`
    select pg_advisory_xact_lock(hashtext('agente.ingest'), hashtext(${tenant}))::text as lock,
           exists (select 1 from supressoes where tenant_id = ${tenant}) as suprime`.execute(tx);
  return { hasSuppressions: rows[0].suprime };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
