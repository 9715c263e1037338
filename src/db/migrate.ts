import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './connect.js';

/** The repo's migrations folder, found relative to this module (src/db or dist/db). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

// Any constant works; it only has to be the same in every process of this program.
const MIGRATION_LOCK_KEY = 7_310_442_019;

export class MigrationError extends Error {
  readonly code = 'migration_error';
}

export interface MigrationResult {
  applied: string[];
  total: number;
}

interface MigrationFile {
  name: string;
  text: string;
  checksum: string;
}

/**
 * The migration files of a folder, read and hashed once per process: they are the running build's own
 * (a new version is a new process), and get_status asks for them on every call.
 */
export function listMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  let files = readOnce.get(dir);
  if (!files) {
    readOnce.set(dir, (files = readMigrations(dir)));
    files.catch(() => readOnce.delete(dir));
  }
  return files;
}
const readOnce = new Map<string, Promise<MigrationFile[]>>();

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{3}_[a-z0-9_]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = (await readFile(`${dir}/${name}`, 'utf8')).replace(/\r\n/g, '\n');
      return { name, text, checksum: createHash('sha256').update(text).digest('hex') };
    }),
  );
}

/**
 * Applies pending migrations in order, each in its own transaction, recorded in schema_migrations.
 * A session advisory lock serialises concurrent starters on PostgreSQL: the second waits, then finds
 * everything applied. An applied file whose content changed is refused: migrations are forward-only.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = await listMigrations(dir);
  try {
    return await applyAll(db, files);
  } finally {
    appliedCache.delete(db);
  }
}

function applyAll(db: Db, files: MigrationFile[]): Promise<MigrationResult> {
  return db.kysely.connection().execute(async (conn) => {
    // Migrations run as the owner (the login user), not as the app role this connection may have.
    if (db.appRole) await sql`reset role`.execute(conn);
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      await sql`
        create table if not exists schema_migrations (
          nome varchar(200) primary key,
          checksum char(64) not null,
          applied_at timestamptz not null default now()
        )`.execute(conn);
      const rows = await conn.selectFrom('schema_migrations').select(['nome', 'checksum']).execute();
      const applied = new Map(rows.map((r) => [r.nome, r.checksum.trim()]));
      for (const [name, checksum] of applied) {
        const file = files.find((f) => f.name === name);
        if (file && file.checksum !== checksum) {
          throw new MigrationError(
            `Migration ${name} was edited after it was applied (checksum ${checksum.slice(0, 12)}… ` +
              `in the database, ${file.checksum.slice(0, 12)}… on disk). Migrations are forward-only: ` +
              'restore the file and put the change in a new numbered migration.',
          );
        }
      }
      const done: string[] = [];
      for (const file of files) {
        if (applied.has(file.name)) continue;
        await conn.transaction().execute(async (trx) => {
          await trx.insertInto('schema_migrations').values({ nome: file.name, checksum: file.checksum }).execute();
          await sql.raw(file.text).execute(trx);
        });
        done.push(file.name);
      }
      return { applied: done, total: files.length };
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
      if (db.appRole) await sql.raw(`set role ${db.appRole}`).execute(conn);
    }
  });
}

/**
 * Names of the applied migrations, in order, as of at most `maxAgeMs` ago: get_status reports them on
 * every call, and they change only when some process migrates (this one forgets its answer when it
 * does; another replica's migration shows within maxAgeMs).
 */
export async function appliedMigrations(db: Db, maxAgeMs = 2000): Promise<string[]> {
  const cached = appliedCache.get(db);
  if (cached && performance.now() - cached.at < maxAgeMs) return cached.names;
  const names = db.kysely
    .selectFrom('schema_migrations')
    .select('nome')
    .orderBy('nome')
    .execute()
    .then((rows) => rows.map((r) => r.nome));
  appliedCache.set(db, { at: performance.now(), names });
  names.catch(() => appliedCache.delete(db));
  return names;
}
const appliedCache = new WeakMap<Db, { at: number; names: Promise<string[]> }>();
