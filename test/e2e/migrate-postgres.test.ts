import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { listMigrations } from '../../src/db/migrate.js';
import { createPgDatabase } from '../helpers/db.js';
import { cleanEnv, runMain } from '../helpers/spawn.js';

describe('migrate on PostgreSQL (real processes)', () => {
  it('runs twice, then twice concurrently, all exit 0, each migration applied once', async () => {
    const { url, drop } = await createPgDatabase({ empty: true });
    const env = cleanEnv({ DATABASE_URL: url });
    const concurrent = await Promise.all([
      runMain(['migrate'], env),
      runMain(['migrate'], env),
      runMain(['migrate'], env),
    ]);
    for (const r of concurrent) expect(r.code, r.stderr).toBe(0);
    const appliedCounts = concurrent.map((r) => Number(/(\d+) migration/.exec(r.stderr)?.[1]));
    const files = await listMigrations();
    // Exactly one of the concurrent runs applied them; the others found them applied.
    expect(appliedCounts.sort()).toEqual([0, 0, files.length]);
    for (let i = 0; i < 2; i++) {
      const again = await runMain(['migrate'], env);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain('0 migration(s) applied');
    }
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query('select count(*)::int as n from schema_migrations');
    await c.end();
    expect(rows[0].n).toBe(files.length);
    await drop();
  });
});
