import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { emit } from '../../src/core/events/outbox.js';
import { openDb } from '../../src/db/connect.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { createPgDatabase } from '../helpers/db.js';
import { writeSandboxMcpConfig } from '../helpers/dispatch-setup.js';
import { cleanEnv, runMain, startMain, tempDir } from '../helpers/spawn.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

async function until(check: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not reached in ${ms} ms`);
}

/**
 * The built `worker` on PostgreSQL delivering a tenant's events to a webhook registered with the CLI,
 * killed with SIGKILL while deliveries are in flight (the receiver answers slowly): started again, every
 * event is delivered, verified with the secret the CLI printed once; an event delivered twice carries the
 * same webhook-id and body; each subject's events arrive in order.
 */
describe('event webhooks survive kill -9 of the worker mid-delivery', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('every event delivered after the restart, duplicates only with the same id', { timeout: 180_000 }, async () => {
    const rx = await startReceiver(undefined, { delayMs: 150 });
    const { url, drop } = await createPgDatabase();
    const env = cleanEnv({
      DATABASE_URL: url,
      MICRO_AGENT_DISPARO_ENABLED: 'true',
      AGENTE_MCP_CONFIG: writeSandboxMcpConfig(tempDir('events-crash-')),
      AGENTE_TENANT: 'ev',
      AGENTE_EVENTS_ALLOW_PRIVATE_URLS: 'true',
      AGENTE_EVENTS_LEASE_MS: '3000',
      AGENTE_EVENTS_TIMEOUT_MS: '2000',
      AGENTE_EVENTS_CONCURRENCY: '8',
    });
    const added = await runMain(['event-webhook', 'add', '--url', rx.url('/hook')], env);
    expect(added.code, added.stderr).toBe(0);
    const [hook] = JSON.parse(added.stdout) as { secret: string; webhook_id: string }[];
    expect(hook.secret).toMatch(/^whsec_/);
    rx.trust('/hook', hook.secret);

    const db = await openDb({ databaseUrl: url });
    await db.useAppRole();
    const tenant = await ensureTenant(db.kysely, 'ev');
    const subjects = Array.from({ length: 60 }, () => randomUUID());
    await withTenant(db.kysely, tenant.tenant_id, async (tx) => {
      for (let i = 0; i < 300; i++)
        await emit(tx, tenant.tenant_id, 'lead.status_changed', subjects[i % 60], { lead_id: subjects[i % 60], i });
    });
    const ids = await withTenant(db.kysely, tenant.tenant_id, async (tx) =>
      (await sql<{ evento_id: string }>`select evento_id from eventos_saida order by seq`.execute(tx)).rows.map(
        (r) => r.evento_id,
      ),
    );
    expect(ids).toHaveLength(300);

    const first = await startMain(['worker'], env, /delivering events/);
    children.push(first.child);
    await until(() => rx.got.length >= 40 && rx.inFlight() > 0, 60_000);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const beforeRestart = rx.got.length;
    expect(beforeRestart).toBeLessThan(300);

    const second = await startMain(['worker'], env, /delivering events/);
    children.push(second.child);
    await until(() => new Set(rx.got.filter((g) => g.status === 200).map((g) => g.id)).size === 300, 120_000);
    second.child.kill('SIGTERM');

    expect(rx.got.every((g) => g.verified)).toBe(true);
    expect(new Set(rx.got.map((g) => g.id))).toEqual(new Set(ids));
    // A duplicate is the same event: same id, same body.
    const byId = new Map<string, string>();
    for (const g of rx.got) {
      const body = JSON.stringify(g.event);
      expect(byId.get(g.id) ?? body).toBe(body);
      byId.set(g.id, body);
      expect(g.id).toBe(g.event.id);
    }
    // Each subject's events first arrive in their order.
    const firstSeen = [...new Map(rx.got.map((g) => [g.id, g] as const)).values()];
    for (const s of subjects) {
      const order = rx.got.filter((g) => g.event.subject === s).map((g) => Number(g.event.data.i));
      const distinct = order.filter((v, k) => order.indexOf(v) === k);
      expect(distinct).toEqual([...distinct].sort((a, b) => a - b));
    }
    expect(firstSeen).toHaveLength(300);
    const rows = await withTenant(db.kysely, tenant.tenant_id, (tx) =>
      sql<{ status: string; n: string }>`select status, count(*) as n from eventos_entregas group by 1`.execute(tx),
    );
    expect(rows.rows.map((r) => [r.status, Number(r.n)])).toEqual([['entregue', 300]]);
    console.log(
      `events-crash: ${rx.got.length} requests for 300 events (${rx.got.length - 300} redelivered after the kill)`,
    );
    await db.close();
    await rx.close();
    await drop();
  });
});
