/**
 * Reading a sheet's columns: find the header (detect-header.ts), then read each data row through it
 * (map-row.ts). This module gathers the pieces and their types.
 */
export * from './column-types.js';
export { detectHeader, matchHeader } from './detect-header.js';
export { mapRow } from './map-row.js';
export { normalizeHeader } from './header-synonyms.js';
