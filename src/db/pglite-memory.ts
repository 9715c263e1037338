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
 * - PGlite's WebAssembly runs on V8's baseline compiler only (Liftoff, no tier-up to TurboFan): the
 *   optimising compiler's work for the hot functions of a module as large as PostgreSQL left ~60 MB
 *   more resident (compiled code and the compiler's freed memory kept by the allocator), and cost more
 *   CPU in its background threads than it saved over a 100k-row import (22.7 vs 25.0 CPU s in one run
 *   each). A V8 flag read when a module compiles: set before the first PGlite starts.
 */
export const PGLITE_START_PARAMS: readonly string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

let heapCapped = false;
/**
 * Applies the V8 settings above once per process, before PGlite compiles its module (the heap flag is
 * read each time the heap limit is computed, the WebAssembly one when a module compiles).
 */
export function capHeapGrowth(): void {
  if (heapCapped) return;
  heapCapped = true;
  setFlagsFromString('--heap-growing-percent=30');
  setFlagsFromString('--liftoff-only');
}
