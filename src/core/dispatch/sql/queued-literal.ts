import { sql, type RawBuilder } from 'kysely';
import { DISPARO_QUEUED } from '../../model/index.js';

/**
 * `status in ('pendente', 'adiado')` (DISPARO_QUEUED) as literals, not a parameter: the planner uses
 * the partial index disparos_due_idx only when the query's list matches its predicate literally.
 */
export const isQueued = (alias?: string): RawBuilder<boolean> =>
  sql<boolean>`${alias ? sql.ref(`${alias}.status`) : sql.ref('status')} in (${sql.join(DISPARO_QUEUED.map((s) => sql.lit(s)))})`;
