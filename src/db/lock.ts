import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Thrown when another live process holds the PGlite data directory. */
export class DataDirLockedError extends Error {
  readonly code = 'data_dir_locked';
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `The data directory ${dataDir} is in use by process ${holderPid} on this machine. ` +
        'PGlite allows one process per directory (two would silently lose rows). Stop that process, ' +
        'set AGENTE_DATA_DIR to another directory, or set DATABASE_URL to use PostgreSQL.',
    );
  }
}

interface LockContent {
  pid: number;
  host: string;
  started_at: string;
}

/**
 * An exclusive lock file in a data directory: `wx` creation is atomic, so of two processes starting
 * together exactly one gets it. A lock whose process is gone (same host, pid not alive) is stale and
 * is taken over.
 *
 * @returns a release function (idempotent); it is also run on process exit.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'agente.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      const content: LockContent = { pid: process.pid, host: hostname(), started_at: new Date().toISOString() };
      writeSync(fd, JSON.stringify(content));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          const current = readLock(path);
          if (current?.pid === process.pid) unlinkSync(path);
        } catch {
          // already gone
        }
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(path);
      if (holder && holder.host === hostname() && isAlive(holder.pid) && holder.pid !== process.pid) {
        throw new DataDirLockedError(dataDir, holder.pid);
      }
      if (holder && holder.host !== hostname()) {
        // Another host's process on a shared disk cannot be probed; refuse rather than guess.
        throw new DataDirLockedError(dataDir, holder.pid);
      }
      // Stale (dead process) or unreadable half-written lock: remove it and try again.
      try {
        unlinkSync(path);
      } catch {
        // someone else removed it first
      }
    }
  }
  throw new Error(`Could not take the lock ${path} after 3 attempts`);
}

function readLock(path: string): LockContent | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockContent;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
