import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/connect.js';
import { createPgDatabase } from '../helpers/db.js';
import {
  busiestWindow,
  sandboxSends,
  seedCampaign,
  statusCounts,
  writeSandboxMcpConfig,
} from '../helpers/dispatch-setup.js';
import { cleanEnv, startMain, tempDir } from '../helpers/spawn.js';

const FINAL = ['enviado', 'falhou', 'bloqueado', 'cancelado', 'incerto'];

async function until(check: () => Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not reached in ${ms} ms`);
}

describe('worker processes on PostgreSQL', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  const startWorkers = async (n: number, env: NodeJS.ProcessEnv) => {
    const started = await Promise.all(
      Array.from({ length: n }, () => startMain(['worker'], env, /executing disparos/)),
    );
    children.push(...started.map((s) => s.child));
    return started.map((s) => s.child);
  };

  it(
    '4 workers, 10k leads, one killed with SIGKILL mid-run and restarted: every disparo ends once, each message received once',
    { timeout: 240_000 },
    async () => {
      const { url, drop } = await createPgDatabase();
      const db = await openDb({ databaseUrl: url });
      const dir = tempDir('workers-');
      const { campaignId } = await seedCampaign(db, 10_000, null);
      const env = cleanEnv({
        DATABASE_URL: url,
        MICRO_AGENT_DISPARO_ENABLED: 'true',
        AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dir),
        AGENTE_LEASE_MS: '3000',
      });
      const workers = await startWorkers(4, env);
      await until(async () => sandboxSends(dir).length >= 2_000, 60_000);
      workers[0].kill('SIGKILL');
      await startWorkers(1, env);
      await until(async () => {
        const c = await statusCounts(db, campaignId);
        return FINAL.reduce((a, s) => a + (c[s] ?? 0), 0) === 10_000;
      }, 180_000);
      const counts = await statusCounts(db, campaignId);
      expect(counts).toEqual({ enviado: 10_000 });
      const sends = sandboxSends(dir);
      const keys = new Set(sends.map((s) => s.idempotency_key));
      expect(keys.size).toBe(10_000);
      expect(sends).toHaveLength(10_000);
      await db.close();
      for (const c of children) c.kill('SIGKILL');
      await drop();
    },
  );

  it(
    'a rate of R/s shared by 4 workers: no 1-second window above R, and the pace kept (not starved)',
    { timeout: 120_000 },
    async () => {
      const R = 40;
      const { url, drop } = await createPgDatabase();
      const db = await openDb({ databaseUrl: url });
      const dir = tempDir('rate-');
      const { campaignId } = await seedCampaign(db, 400, R);
      await startWorkers(
        4,
        cleanEnv({
          DATABASE_URL: url,
          MICRO_AGENT_DISPARO_ENABLED: 'true',
          AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dir),
        }),
      );
      await until(async () => ((await statusCounts(db, campaignId)).enviado ?? 0) === 400, 60_000);
      // The pace we control: when each downstream call was made (disparos.enviado_em).
      const sent = await db.kysely
        .selectFrom('disparos')
        .select('enviado_em')
        .where('campanha_id', '=', campaignId)
        .execute();
      const times = sent.map((r) => new Date(r.enviado_em as Date).getTime()).sort((a, b) => a - b);
      expect(times).toHaveLength(400);
      const worst = busiestWindow(times);
      const overall = (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000);
      // The limit is a promise to the provider and to people: never above R, whatever the machine's load.
      expect(worst).toBeLessThanOrEqual(R);
      // How close to R the run gets (target ≥ 0.95 R) is a speed figure, measured by `npm run bench:dispatch`
      // on a quiet machine; here only that pacing does not starve the campaign (it read 0.84 R on 2 cores
      // shared with three other test suites, ≥ 0.97 R quiet).
      expect(overall).toBeGreaterThanOrEqual(0.5 * R);
      // What the downstream saw includes its own scheduling jitter; reported, not asserted.
      const received = busiestWindow(
        sandboxSends(dir)
          .map((s) => Date.parse(s.ts))
          .sort((a, b) => a - b),
      );
      process.stdout.write(
        `rate limit ${R}/s with 4 workers: busiest 1 s window ${worst} sent (${received} as received downstream), overall ${overall.toFixed(2)}/s\n`,
      );
      await db.close();
      for (const c of children) c.kill('SIGKILL');
      await drop();
    },
  );

  it(
    'downstream faults: transient errors, rate limiting and a crash mid-call are retried; every row ends final, nothing twice',
    { timeout: 120_000 },
    async () => {
      const { url, drop } = await createPgDatabase();
      const db = await openDb({ databaseUrl: url });
      const dir = tempDir('faults-');
      const { campaignId } = await seedCampaign(db, 300, 1000);
      const mcp = writeSandboxMcpConfig(dir, {
        whatsapp: { SANDBOX_FAIL_FIRST: '5', SANDBOX_RATE_LIMIT_FIRST: '5', SANDBOX_CRASH_AFTER: '100' },
      });
      await startWorkers(
        2,
        cleanEnv({
          DATABASE_URL: url,
          MICRO_AGENT_DISPARO_ENABLED: 'true',
          AGENTE_MCP_CONFIG: mcp,
          AGENTE_LEASE_MS: '3000',
        }),
      );
      await until(async () => {
        const c = await statusCounts(db, campaignId);
        return FINAL.reduce((a, s) => a + (c[s] ?? 0), 0) === 300;
      }, 100_000);
      // Every row is accounted for: sent; failed after its last attempt with a transient error; or, when an
      // earlier attempt's outcome was unknown (the crash) and the later ones failed, incerto.
      const counts = await statusCounts(db, campaignId);
      expect((counts.enviado ?? 0) + (counts.falhou ?? 0) + (counts.incerto ?? 0)).toBe(300);
      expect(counts.enviado).toBeGreaterThanOrEqual(290);
      const rows = await db.kysely
        .selectFrom('disparos')
        .select(['idempotency_key', 'status', 'tentativas', 'max_tentativas', 'erro_classe', 'talvez_entregue'])
        .where('campanha_id', '=', campaignId)
        .execute();
      for (const f of rows.filter((r) => r.status === 'falhou'))
        expect(f).toMatchObject({ tentativas: f.max_tentativas, erro_classe: 'transitorio', talvez_entregue: false });
      for (const f of rows.filter((r) => r.status === 'incerto')) expect(f).toMatchObject({ talvez_entregue: true });
      // Nothing was received twice; every sent row was received, no failed one was.
      const sends = sandboxSends(dir);
      expect(new Set(sends.map((s) => s.idempotency_key)).size).toBe(sends.length);
      const received = new Set(sends.map((s) => s.idempotency_key));
      for (const r of rows) {
        if (r.status === 'enviado')
          expect(received.has(r.idempotency_key), `${r.idempotency_key} enviado but not received`).toBe(true);
        if (r.status === 'falhou')
          expect(received.has(r.idempotency_key), `${r.idempotency_key} falhou but received`).toBe(false);
      }
      expect(sends.length).toBeGreaterThanOrEqual(counts.enviado);
      expect(sends.length).toBeLessThanOrEqual(counts.enviado + (counts.incerto ?? 0));
      const retried = await db.kysely
        .selectFrom('disparos')
        .select('disparo_id')
        .where('campanha_id', '=', campaignId)
        .where('tentativas', '>', 1)
        .execute();
      expect(retried.length).toBeGreaterThanOrEqual(10);
      await db.close();
      for (const c of children) c.kill('SIGKILL');
      await drop();
    },
  );
});
