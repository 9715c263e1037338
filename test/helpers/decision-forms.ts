import { expect } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import type { Scope } from '../../src/core/scope.js';
import { decide, type DecisionRow } from '../../src/core/outreach/decide.js';
import { loadDecisionContext, type TemplateChoice } from '../../src/core/outreach/decision-context.js';
import { withTenant } from '../../src/db/tenant.js';

/**
 * Decides every lead of the scope's tenant in both forms of the decision — per lead by its id
 * ('targeted', decide_channel) and set-based over a filter ('set', dry runs and campaigns:
 * core/outreach/decisions-set-sql.ts) — and expects the same rows. Returns them (by lead id).
 */
export async function expectFormsAgree(
  db: { kysely: Kysely<Database> },
  scope: Scope,
  choice: TemplateChoice = {},
): Promise<DecisionRow[]> {
  const t = scope.tenant.tenant_id;
  const { targeted, set } = await withTenant(db.kysely, t, async (tx) => {
    const ctx = await loadDecisionContext(tx, scope, choice);
    const set = await decide(tx, ctx, { filter: {}, limit: 1000 });
    const targeted = await decide(tx, ctx, { leadIds: set.map((r) => r.lead_id) });
    return { targeted, set };
  });
  const byId = (rows: DecisionRow[]) => [...rows].sort((a, b) => a.lead_id.localeCompare(b.lead_id));
  expect(set.length).toBeGreaterThan(0);
  expect(byId(set)).toEqual(byId(targeted));
  return byId(set);
}
