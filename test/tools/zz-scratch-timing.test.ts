import { sql } from 'kysely';
import { it } from 'vitest';
import { decideChannel } from '../../src/core/outreach/decide-channel.js';
import { loadDecisionContext, contextStatement } from '../../src/core/outreach/decision-context.js';
import { leadFactsSql, targetSql } from '../../src/core/outreach/decisions-sql.js';
import { decisionsQuery } from '../../src/core/outreach/decide.js';
import { prepared, finalRead } from '../../src/db/prepared.js';
import { withTenant } from '../../src/db/tenant.js';
import { createScope } from '../../src/scope.js';
import { openTestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { makeDeps } from '../helpers/server.js';

it('timing', async () => {
  const db = await openTestDb();
  const deps = await makeDeps(db, { tenantSlug: 'tim' });
  const t = deps.tenant.tenant_id;
  const leadId = await insertLead(db.kysely, t, { nome: 'P', documento: '11222333000181', phones: [{ e164: '+5511987654321' }] });
  const scope = createScope(deps);
  const READ = { readOnly: true, genericPlans: true } as const;
  const time = async (name: string, fn: () => Promise<unknown>) => {
    for (let i = 0; i < 100; i++) await fn();
    const xs: number[] = [];
    for (let i = 0; i < 400; i++) { const s = performance.now(); await fn(); xs.push(performance.now() - s); }
    xs.sort((a, b) => a - b);
    console.log(name, 'p50', xs[200].toFixed(3), 'p99', xs[396].toFixed(3));
  };
  await time('decideChannel', () => decideChannel(scope, { lead_id: leadId }));
  const ctx = await withTenant(db.kysely, t, (tx) => loadDecisionContext(tx, scope, {}, [leadId]));
  await time('empty tx', () => scope.tx(async (tx) => prepared(finalRead(sql`select 1`)).execute(tx), READ));
  await time('context only', () => scope.tx(async (tx) => prepared(finalRead(contextStatement(scope, {}, undefined))).execute(tx), READ));
  const facts = () => sql`with alvo as materialized (${targetSql(t, { leadIds: [leadId] })}), ${leadFactsSql(t, ctx.now, ctx.prescribedOnOrBefore, 'targeted')} select * from f`;
  await time('facts only', () => scope.tx(async (tx) => prepared(finalRead(facts())).execute(tx), READ));
  await time('facts+ctx', () => scope.tx(async (tx) => prepared(finalRead(sql`with alvo as materialized (${targetSql(t, { leadIds: [leadId] })}), ${leadFactsSql(t, ctx.now, ctx.prescribedOnOrBefore, 'targeted')} select to_json(c) as contexto, f.* from (${contextStatement(scope, {}, undefined)}) c left join f on true`)).execute(tx), READ));
  await time('full decision', () => scope.tx(async (tx) => prepared(finalRead(await decisionsQuery(tx, ctx, { leadIds: [leadId] }))).execute(tx), READ));
  await db.destroy();
}, 120000);
