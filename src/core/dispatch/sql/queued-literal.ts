import { sql, type RawBuilder } from 'kysely';
import { DISPARO_QUEUED } from '../../model/index.js';

const QUEUED_LITERALS = sql.join(DISPARO_QUEUED.map((s) => sql.lit(s)));

/**
 * `status in ('pendente', 'adiado')` (DISPARO_QUEUED) as literals, not a parameter: the planner uses
 * the partial index disparos_due_idx only when the query's list matches its predicate literally.
 */
export const isQueued = (): RawBuilder<boolean> => sql<boolean>`status in (${QUEUED_LITERALS})`;
