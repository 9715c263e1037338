/**
 * Time, in one place: the wall clock in a zone (local dates, offsets, zone ↔ UTC), pt-BR labels,
 * parsing of local vs offset date-times, and Brazilian holidays. Pure: the current instant always
 * comes from the caller (scope.clock.now(), src/core/ports.ts is the only clock). Which zone a lead
 * is in (from its DDD) is normalize/timezone.ts; send windows are policy/.
 */
export * from './wall-clock.js';
export * from './labels.js';
export * from './parse.js';
export * from './holidays.js';
