/**
 * `npm run bench:http -- --explain`: where PostgreSQL spends a decide_channel call's decision
 * statement — planning vs execution (EXPLAIN (ANALYZE, SUMMARY), median of 7) — and what a round trip
 * of the statement costs unnamed (parsed and planned each time) vs as a named prepared statement
 * (src/db/prepared.ts), on one connection, as the app role in the tenant's scope.
 */
import pg from 'pg';
import type { Scope } from '../../src/core/scope.js';
import { systemClock } from '../../src/core/ports.js';
import { loadDecisionContext } from '../../src/core/outreach/decision-context.js';
import { decisionsQuery } from '../../src/core/outreach/decide.js';
import { openDb } from '../../src/db/connect.js';
import { APP_ROLE } from '../../src/db/roles.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function explainDecision(url: string, tenantSlug: string, leadId: string): Promise<string> {
  const db = await openDb({ databaseUrl: url, poolSize: 1 });
  let text: string;
  let values: unknown[];
  let tenantId: string;
  try {
    await db.useAppRole();
    const tenant = await ensureTenant(db.kysely, tenantSlug);
    tenantId = tenant.tenant_id;
    const scope = { tenant, clock: systemClock, channelStates: () => [] } as unknown as Scope;
    const ids = [leadId];
    ({ sql: text, parameters: values } = await withTenant(db.kysely, tenant.tenant_id, async (tx) => {
      const ctx = await loadDecisionContext(tx, scope, {}, ids);
      const c = (await decisionsQuery(tx, ctx, { leadIds: ids })).compile(tx);
      return { sql: c.sql, parameters: [...c.parameters] };
    }));
  } finally {
    await db.close();
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`select set_config('role', $1, false), set_config('app.tenant_id', $2, false)`, [APP_ROLE, tenantId]);
    const plan: number[] = [];
    const exec: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await c.query(`explain (analyze, summary) ${text}`, values);
      const lines = r.rows.map((x: Record<string, string>) => x['QUERY PLAN']);
      plan.push(Number(/Planning Time: ([\d.]+)/.exec(lines.join('\n'))![1]));
      exec.push(Number(/Execution Time: ([\d.]+)/.exec(lines.join('\n'))![1]));
    }
    const roundTrip = async (q: () => pg.QueryConfig) => {
      for (let i = 0; i < 20; i++) await c.query(q());
      const t = performance.now();
      for (let i = 0; i < 200; i++) await c.query(q());
      return (performance.now() - t) / 200;
    };
    const unnamed = await roundTrip(() => ({ text, values }));
    const named = await roundTrip(() => ({ name: 'explain_decision', text, values }));
    return (
      `decision statement (${text.length} characters, ${values.length} parameters): planning ${median(plan).toFixed(2)} ms, ` +
      `execution ${median(exec).toFixed(2)} ms (EXPLAIN ANALYZE, median of 7); one round trip ${unnamed.toFixed(2)} ms ` +
      `unnamed vs ${named.toFixed(2)} ms as a named prepared statement (200 each, one connection)`
    );
  } finally {
    await c.end();
  }
}
