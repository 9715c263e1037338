import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { sandboxSends, seedCampaign, statusCounts, writeSandboxMcpConfig } from '../helpers/dispatch-setup.js';
import { startCluster, type Cluster } from '../helpers/pg-cluster.js';
import { cleanEnv, startMain, tempDir } from '../helpers/spawn.js';

/*
 * PostgreSQL restarted (pg_ctl restart -m fast: every connection killed) in the middle of a campaign
 * run by two worker processes. Its own cluster, so no other test sees the restart. The workers must
 * reconnect on their own and finish: every disparo ends enviado, and the sandbox received each
 * idempotency key exactly once (a send whose outcome could not be written is retried with the same
 * key and recorded by the sandbox as a duplicate, not a second message).
 */
const FINAL = ['enviado', 'falhou', 'bloqueado', 'cancelado', 'incerto'];
const N = 3_000;

async function until(check: () => Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // The test's own connections die in the restart too: a failed poll is just a poll.
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not reached in ${ms} ms`);
}

describe('PostgreSQL restarted mid-campaign', () => {
  const children: ChildProcess[] = [];
  let cluster: Cluster | undefined;
  let db: Db | undefined;
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await db?.close().catch(() => {});
    cluster?.stop();
  });

  it(
    `2 workers, ${N} leads at 300/s, pg_ctl restart -m fast after ~1000 sends: they reconnect, every disparo ends enviado, each key received once`,
    { timeout: 240_000 },
    async () => {
      cluster = await startCluster();
      db = await openDb({ databaseUrl: cluster.url, poolSize: 4 });
      await migrate(db);
      const dir = tempDir('pg-restart-');
      const { campaignId } = await seedCampaign(db, N, 300);
      const env = cleanEnv({
        DATABASE_URL: cluster.url,
        MICRO_AGENT_DISPARO_ENABLED: 'true',
        AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dir),
        AGENTE_LEASE_MS: '3000',
      });
      const workers = await Promise.all([0, 1].map(() => startMain(['worker'], env, /executing disparos/)));
      children.push(...workers.map((w) => w.child));

      await until(async () => sandboxSends(dir).length >= 1_000, 60_000, '1000 sends before the restart');
      const before = sandboxSends(dir).length;
      cluster.restart();
      const restartedAt = Date.now();
      expect(before).toBeLessThan(N); // the restart really happened mid-campaign

      await until(
        async () => {
          const c = await statusCounts(db!, campaignId);
          return FINAL.reduce((a, s) => a + (c[s] ?? 0), 0) === N;
        },
        180_000,
        'every disparo final',
      );
      for (const w of workers)
        expect(w.child.exitCode, `a worker died; stderr:\n${w.stderr().slice(-2000)}`).toBeNull();
      expect(await statusCounts(db, campaignId)).toEqual({ enviado: N });
      const sends = sandboxSends(dir);
      expect(new Set(sends.map((s) => s.idempotency_key)).size).toBe(N);
      expect(sends).toHaveLength(N);
      // Some sends happened after the restart, from the same two processes.
      expect(sends.filter((s) => Date.parse(s.ts) > restartedAt).length).toBeGreaterThan(0);
      process.stdout.write(
        `pg-restart: ${before} sent before the restart, ${N - before} after; ${(Date.now() - restartedAt) / 1000}s to finish\n`,
      );
    },
  );
});
