import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';

/**
 * Takes the tenant's import lock for the rest of the transaction, and says whether the tenant has any
 * suppression at all (one round trip). The lock serialises concurrent merges so two overlapping imports
 * cannot both create the same lead; the lookups that follow run in statements of their own, after it,
 * so they see every merge committed before.
 */
export async function lockForMerge(tx: Tx, tenantId: string): Promise<{ hasSuppressions: boolean }> {
  const { rows } = await sql<{ suprime: boolean }>`
    select pg_advisory_xact_lock(hashtext('agente.ingest'), hashtext(${tenantId}))::text as lock,
           exists (select 1 from supressoes where tenant_id = ${tenantId}) as suprime`.execute(tx);
  return { hasSuppressions: rows[0].suprime };
}
