import { sql } from 'kysely';
import { finalRead, prepared } from '../../db/prepared.js';
import type { Tx } from '../../db/tenant.js';
import type { Scope } from '../scope.js';
import type { ApprovedIdentity } from '../templates/approved.js';
import { contextKeys, contextOf, contextStatement, type ContextRow, type DecisionContext } from './decision-context.js';
import { decisionsQuery, type DecisionRow } from './decide.js';
import { windowKey, type LeadZone } from './decisions-sql.js';
import { cachedVersion } from './tenant-config-cache.js';

/*
 * A decision for given leads in one statement, context and decision together (decide_channel): on
 * PostgreSQL begin, tenant scope and that statement with its commit go as one message, one round trip
 * instead of two. The decision needs its context first (the send windows of the leads' zones are
 * computed in JS), so it is made from the context this process last read for the tenant — its
 * configuration version, the WhatsApp template's approval, the zones these leads (or the tenant's
 * last lead) were in — and the statement reads the context afresh beside it. The rows are kept only
 * when the fresh context gives the same decision: the same version and approval, and every zone of
 * the leads among the guessed ones (a window computed for a zone no lead is in changes no row). Else
 * the caller decides again the usual way (context, then decision). Nothing is invalidated across
 * replicas: every call checks.
 */

interface TenantGuess {
  /** The approval row by `template|registry`, as read (JSON text, to compare) and parsed. */
  aprovado: Map<string, { json: string; value: ApprovedIdentity | null }>;
  /** The zones of a lead, as last read with it alone (or with leads all in one zone). */
  leadZones: Map<string, LeadZone[]>;
  /** The zone of the tenant's last decided lead (the guess for a lead not seen yet). */
  recent: LeadZone | null;
}

const MAX_TENANTS = 1000;
const MAX_LEADS = 5000;
const MAX_APPROVALS = 100;
const guesses = new Map<string, TenantGuess>();

/** A guessed context and the row it was made from, or null when this process has nothing to guess from. */
export function guessContext(
  scope: Scope,
  choice: { whatsapp?: string; email?: string },
  leadIds: string[],
): { row: ContextRow; ctx: DecisionContext } | null {
  const tenantId = scope.tenant.tenant_id;
  const g = guesses.get(tenantId);
  const versao = cachedVersion(tenantId);
  if (!g || versao === '-1') return null;
  const { ids, registry } = contextKeys(scope, choice);
  const ap = g.aprovado.get(`${ids.whatsapp}|${registry}`);
  if (!ap) return null;
  const zones = new Map<string, LeadZone>();
  for (const id of leadIds)
    for (const z of g.leadZones.get(id) ?? (g.recent ? [g.recent] : [])) zones.set(windowKey(z.timezone, z.uf), z);
  const row: ContextRow = {
    versao,
    lido: false,
    politica: null,
    overrides: null,
    zones: [...zones.values()],
    aprovado: ap.value,
  };
  return { row, ctx: contextOf(scope, choice, row, leadIds) };
}

/** Whether the fresh context gives the same decision as the guessed one (see above). */
export function sameDecisionContext(guess: ContextRow, fresh: ContextRow): boolean {
  if (fresh.lido || fresh.versao !== guess.versao) return false;
  if (JSON.stringify(fresh.aprovado) !== JSON.stringify(guess.aprovado)) return false;
  const keys = new Set(guess.zones.map((z) => windowKey(z.timezone, z.uf)));
  return fresh.zones.every((z) => keys.has(windowKey(z.timezone, z.uf)));
}

/** Keeps what a fresh context row says, for the next guess. */
export function rememberContext(
  scope: Scope,
  choice: { whatsapp?: string; email?: string },
  leadIds: string[],
  fresh: ContextRow,
): void {
  const tenantId = scope.tenant.tenant_id;
  let g = guesses.get(tenantId);
  if (!g) {
    if (guesses.size >= MAX_TENANTS) guesses.delete(guesses.keys().next().value!);
    g = { aprovado: new Map(), leadZones: new Map(), recent: null };
    guesses.set(tenantId, g);
  }
  const { ids, registry } = contextKeys(scope, choice);
  const key = `${ids.whatsapp}|${registry}`;
  g.aprovado.delete(key);
  if (g.aprovado.size >= MAX_APPROVALS) g.aprovado.delete(g.aprovado.keys().next().value!);
  g.aprovado.set(key, { json: JSON.stringify(fresh.aprovado), value: fresh.aprovado });
  if (fresh.zones.length === 1) g.recent = fresh.zones[0]!;
  // A lead's zones are known when it was read alone, or when all the leads read were in one zone.
  if (leadIds.length !== 1 && fresh.zones.length > 1) return;
  for (const id of leadIds) {
    g.leadZones.delete(id);
    if (g.leadZones.size >= MAX_LEADS) g.leadZones.delete(g.leadZones.keys().next().value!);
    g.leadZones.set(id, fresh.zones);
  }
}

/**
 * The decision for `leadIds` made with `ctx`, and the context read afresh in the same statement: the
 * last statement of a read-only transaction (finalRead).
 */
export async function decideWithFreshContext(
  tx: Tx,
  scope: Scope,
  choice: { whatsapp?: string; email?: string },
  ctx: DecisionContext,
  leadIds: string[],
): Promise<{ fresh: ContextRow; rows: DecisionRow[] }> {
  const q = await decisionsQuery(tx, ctx, { leadIds });
  const both = sql<DecisionRow & { contexto: ContextRow }>`
    select to_json(c) as contexto, d.* from (${contextStatement(scope, choice, leadIds)}) c left join (${q}) d on true`;
  const { rows } = await prepared(finalRead(both)).execute(tx);
  const fresh = rows[0]!.contexto;
  return {
    fresh,
    rows: rows.filter((r) => r.lead_id !== null).map(({ contexto: _c, ...d }) => d as DecisionRow),
  };
}
