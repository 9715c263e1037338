import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import { isQueued } from './queued-literal.js';
import type { SendChannel } from '../../model/index.js';

/**
 * Which tenant × channel have queued rows due at `now`, across tenants (run as the system role, which
 * may read disparos, never write them; claims run per tenant). Reads only the earliest due rows through
 * the due index, not every queued row: a 100k-row campaign would be scanned on every tick.
 */
export async function dueGroups(tx: Tx, now: Date): Promise<Array<{ tenant_id: string; canal: SendChannel }>> {
  const { rows } = await sql<{ tenant_id: string; canal: SendChannel }>`
    select distinct tenant_id, canal from (
      select tenant_id, canal from disparos
      where ${isQueued()} and proxima_tentativa_em <= ${now}
      order by proxima_tentativa_em limit 500
    ) due`.execute(tx);
  return rows;
}
