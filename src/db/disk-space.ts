import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '../core/errors.js';

/**
 * Free space the embedded PGlite must keep on its disk. Why a guard at all: when PGlite's write of
 * a new WAL segment (16 MB) fails with ENOSPC, the statement errors ("could not write to file
 * pg_wal/xlogtemp: No space left on device") but the next query blocks the whole Node process
 * forever (measured with PGlite 0.5 on a full tmpfs: event loop stopped, timers never fire). So
 * this server stops writing well before the disk is full instead of finding out.
 */
export const MIN_FREE_BYTES = 64 * 1024 * 1024;

/** Bytes available to this process on the disk holding `dir` (or its nearest existing parent). */
export async function freeBytes(dir: string): Promise<number> {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = await statfs(d);
      return s.bavail * s.bsize;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw err;
    }
  }
}

/** Throws a clear AppError when the disk of `dir` has less than MIN_FREE_BYTES free. */
export async function assertFreeSpace(dir: string): Promise<void> {
  const free = await freeBytes(dir);
  if (free >= MIN_FREE_BYTES) return;
  throw new AppError(
    'unavailable',
    `No space left for the database (disco cheio): ${mb(free)} free on the disk of ${dir}; the embedded database needs at least ` +
      `${mb(MIN_FREE_BYTES)} free to write safely. Free space on that disk (or set AGENTE_DATA_DIR to a larger one, or use PostgreSQL ` +
      `with DATABASE_URL) and try again. Data already saved is intact.`,
  );
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
