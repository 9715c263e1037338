import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDb, type Db, type DbKind } from '../../src/db/connect.js';
import { withDatabase, TEMPLATE_DB } from './global-setup.js';

const ROOT = resolve(import.meta.dirname, '../..');

export const testDbKind = (): DbKind => (process.env.TEST_DB === 'postgres' ? 'postgres' : 'pglite');

export interface TestDb extends Db {
  /** For PostgreSQL: a URL other processes can use. */
  url?: string;
  /** For PGlite: the data directory. */
  dataDir?: string;
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a copy of the PGlite template dir, or a PostgreSQL
 * database cloned from the migrated template.
 */
export async function openTestDb(kind: DbKind = testDbKind()): Promise<TestDb> {
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(join(ROOT, '.tmp', 'pglite-'));
    cpSync(inject('pgliteTemplate'), dataDir, { recursive: true, filter: (src) => !src.endsWith('agente.lock') });
    const db = await openDb({ dataDir });
    await db.useAppRole();
    return {
      ...db,
      dataDir,
      destroy: async () => {
        await db.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const { url, drop } = await createPgDatabase();
  const db = await openDb({ databaseUrl: url, poolSize: 5 });
  await db.useAppRole();
  return {
    ...db,
    url,
    destroy: async () => {
      await db.close();
      await drop();
    },
  };
}

/** A new PostgreSQL database cloned from the migrated template (or empty with `empty: true`). */
export async function createPgDatabase(
  opts: { empty?: boolean } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(opts.empty ? `create database ${name}` : `create database ${name} template ${TEMPLATE_DB}`);
  await c.end();
  return {
    url: withDatabase(admin, name),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    },
  };
}
