/**
 * @deprecated Moved to core/time (one module for time). Kept only so src/core/leads/query.ts (f1's,
 * `localLabel(...).rotulo`) compiles until it imports `localLabel` from '../time/index.js' and reads
 * `.label`; then delete this file.
 */
import { localLabel as label } from '../time/index.js';

export const localLabel = (at: Date, timeZone: string) => ({ rotulo: label(at, timeZone).label });
