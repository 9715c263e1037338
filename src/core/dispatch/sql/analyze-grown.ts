import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';

/**
 * ANALYZEs the executor's tables whose file at least doubled since their statistics were taken
 * (migration 063: an import or a campaign's enqueue just wrote them). Without it the planner reads every
 * row of the tenant for each batch until autovacuum's analyze, a minute or more later. Returns the tables
 * analyzed (none most of the time: one size check per table).
 */
export async function analyzeGrownTables(tx: Tx): Promise<string[]> {
  const { rows } = await sql<{ t: string[] }>`select agente_analisar_crescidas() as t`.execute(tx);
  return rows[0].t;
}
