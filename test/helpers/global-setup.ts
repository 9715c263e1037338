import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDb } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { startCluster, type Cluster } from './pg-cluster.js';
import { ensureFreshBuild } from './fresh-build.js';
import { installTransitionGuard } from './transition-guard.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgAdminUrl: string;
  }
}

export const TEMPLATE_DB = 'agente_template';
const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Once per project: a migrated PGlite data dir that each test file copies (first creation costs
 * seconds and ~800 MB, a copy reopens in under one), and a PostgreSQL 15 (TEST_DATABASE_URL or a
 * throwaway cluster) with a migrated template database that each test file clones.
 */
export default async function setup(project: TestProject) {
  ensureFreshBuild();
  const teardown: Array<() => Promise<void> | void> = [];
  if (project.name === 'pglite') {
    const dir = join(ROOT, '.tmp', `pglite-template-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const db = await openDb({ dataDir: dir });
    await migrate(db);
    await installTransitionGuard(db.kysely);
    await db.close();
    project.provide('pgliteTemplate', dir);
    teardown.push(() => rmSync(dir, { recursive: true, force: true }));
  }
  if (project.name === 'postgres' || project.name === 'e2e') {
    let url = process.env.TEST_DATABASE_URL;
    let cluster: Cluster | undefined;
    if (!url) {
      cluster = await startCluster();
      url = cluster.url;
      teardown.push(() => cluster?.stop());
    }
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${TEMPLATE_DB}`);
    await admin.query(`create database ${TEMPLATE_DB}`);
    await admin.end();
    const db = await openDb({ databaseUrl: withDatabase(url, TEMPLATE_DB), poolSize: 2 });
    await migrate(db);
    await installTransitionGuard(db.kysely);
    await db.close();
    project.provide('pgAdminUrl', url);
  }
  return async () => {
    for (const t of teardown.reverse()) await t();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
