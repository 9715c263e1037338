import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';

/** The sample an import's ANALYZE takes (core/ingest/run-import.ts): 10 x 300 = 3,000 rows. */
export const IMPORT_STATISTICS_TARGET = 10;

/**
 * ANALYZEs the executor's and the import's tables whose file at least doubled since their statistics were taken
 * (migration 063: an import or a campaign's enqueue just wrote them; used by both). Without it the planner reads every
 * row of the tenant for each batch until autovacuum's analyze, a minute or more later. Returns the tables
 * analyzed (none most of the time: one size check per table).
 * statisticsTarget: a smaller sample for this call (default_statistics_target, transaction-local; 300
 * rows per unit), for a caller that waits for it (see run-import.ts).
 */
export async function analyzeGrownTables(tx: Tx, opts: { statisticsTarget?: number } = {}): Promise<string[]> {
  if (opts.statisticsTarget !== undefined) {
    const target = Math.max(1, Math.min(10_000, Math.round(opts.statisticsTarget)));
    await sql`select set_config('default_statistics_target', ${String(target)}, true)`.execute(tx);
  }
  const { rows } = await sql<{ t: string[] }>`select agente_analisar_crescidas() as t`.execute(tx);
  return rows[0].t;
}
