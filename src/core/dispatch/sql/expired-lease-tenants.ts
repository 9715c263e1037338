import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';

/** The tenants with a row whose lease expired before `now` (its executor died or stalled); system role. */
export async function expiredLeaseTenants(tx: Tx, now: Date): Promise<string[]> {
  const { rows } = await sql<{ tenant_id: string }>`
    select distinct tenant_id from disparos where status = 'em_execucao' and lease_until < ${now}`.execute(tx);
  return rows.map((r) => r.tenant_id);
}
