/**
 * @deprecated The meeting code lives in src/core/meetings. Kept only so src/tools/query-leads.ts (f1's)
 * compiles until it imports AGENDAMENTO_ACTIVE from core/model; then delete this file.
 */
export { AGENDAMENTO_ACTIVE as ACTIVE_STATUSES } from '../core/model/index.js';
