import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';

/**
 * The embedded database lives in this process's memory, so its settings are the process's footprint
 * (issue #22; `npm run bench:ingest -- --db pglite`, README § Benchmarks).
 *
 * - shared_buffers 16 MB instead of PostgreSQL's 128 MB: PGlite allocates and touches all of it at
 *   start, inside a WebAssembly memory that never shrinks (~110 MB of RSS, for data that the operating
 *   system's page cache holds anyway: the data directory is a real directory).
 * - V8's old generation grows by at most 30% over what survived the last full collection (default: up
 *   to 4x): an import's rows are short-lived but outlive a few scavenges, and let the heap reach ~150 MB
 *   of garbage between collections. With a small live heap the extra full collections are cheap.
 * - NOT Liftoff only (`--liftoff-only`, no tier-up of PGlite's WebAssembly to TurboFan): it saves ~60 MB
 *   of peak RSS on an import (100k rows: 306 → 246 MB) but on a quiet machine (2026-12-04) the import took
 *   25.1 s instead of 15.8 s and decide_channel over stdio p50 3.07–3.47 ms instead of 2.25–2.98 ms.
 */
export const PGLITE_START_PARAMS: readonly string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

let heapCapped = false;
/** Applies the V8 heap setting once per process (a V8 flag read each time the heap limit is computed). */
export function capHeapGrowth(): void {
  if (heapCapped) return;
  heapCapped = true;
  setFlagsFromString('--heap-growing-percent=30');
}
