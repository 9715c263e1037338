import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Cluster {
  url: string;
  stop(): void;
  /** `pg_ctl restart -m fast`: every connection is dropped, the server is back when this returns. */
  restart(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * A throwaway PostgreSQL cluster on loopback (fsync off), started in about a second, in a tmpdir
 * directory that stop() removes. As root it runs as the postgres user, as PostgreSQL requires.
 */
export async function startCluster(opts: { settings?: string[] } = {}): Promise<Cluster> {
  if (!existsSync(`${PG_BIN}/initdb`)) {
    throw new Error(
      `PostgreSQL not found in ${PG_BIN}. Install PostgreSQL 15 (apt-get install postgresql-15), set PG_BIN, ` +
        'or point TEST_DATABASE_URL at a server. To run the PGlite suites only: npx vitest run --project unit --project pglite',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'agente-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args;
    const res = spawnSync(asRoot ? 'runuser' : cmd, full, { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`${cmd} failed: ${res.stderr || res.stdout}`);
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  run(`${PG_BIN}/initdb`, [
    '-D',
    `${dir}/data`,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  run(`${PG_BIN}/pg_ctl`, [
    '-D',
    `${dir}/data`,
    '-l',
    `${dir}/log`,
    '-w',
    '-t',
    '30',
    'start',
    '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300` +
      (opts.settings ?? []).map((s) => ` -c ${s}`).join(''),
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    // Stops the server and removes its directory (each cluster is a few hundred MB of tmpdir).
    stop: () => {
      try {
        run(`${PG_BIN}/pg_ctl`, ['-D', `${dir}/data`, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    // pg_ctl restart reuses the options of the last start (postmaster.opts).
    restart: () =>
      run(`${PG_BIN}/pg_ctl`, ['-D', `${dir}/data`, '-l', `${dir}/log`, '-w', '-t', '30', '-m', 'fast', 'restart']),
  };
}
