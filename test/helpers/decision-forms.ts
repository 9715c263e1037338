import { expect } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import type { Scope } from '../../src/core/scope.js';
import { decide, type DecisionRow } from '../../src/core/outreach/decide.js';
import { loadDecisionContext, type TemplateChoice } from '../../src/core/outreach/decision-context.js';
import { decideFromFacts, leadsOf, readFacts } from '../../src/core/outreach/decide-targeted.js';
import { withTenant } from '../../src/db/tenant.js';

/**
 * Decides every lead of the scope's tenant in the three forms of the decision — per lead by its id
 * ('targeted', sends), set-based over a filter ('set', dry runs and campaigns:
 * core/outreach/decisions-set-sql.ts), and the leads' facts read by the targeted form with the rule
 * applied in JS (decide_channel: core/outreach/decide-targeted.ts) — and expects the same rows, with
 * the same context. Returns them (by lead id).
 */
export async function expectFormsAgree(
  db: { kysely: Kysely<Database> },
  scope: Scope,
  choice: TemplateChoice = {},
): Promise<DecisionRow[]> {
  const t = scope.tenant.tenant_id;
  const { targeted, set, js } = await withTenant(db.kysely, t, async (tx) => {
    const ctx = await loadDecisionContext(tx, scope, choice);
    const set = await decide(tx, ctx, { filter: {}, limit: 1000 });
    const ids = set.map((r) => r.lead_id);
    const targeted = await decide(tx, ctx, { leadIds: ids });
    const facts = await readFacts(tx, scope, choice, ids, ctx.now, ctx.prescribedOnOrBefore, false);
    return { targeted, set, js: decideFromFacts(ctx, leadsOf(facts)) };
  });
  const byId = (rows: DecisionRow[]) => [...rows].sort((a, b) => a.lead_id.localeCompare(b.lead_id));
  expect(set.length).toBeGreaterThan(0);
  expect(byId(set)).toEqual(byId(targeted));
  expect(byId(js)).toEqual(byId(set));
  return byId(set);
}
