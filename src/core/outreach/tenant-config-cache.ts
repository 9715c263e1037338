import { isCollectionTemplate, templateVariables, type TemplateDef } from '../templates/index.js';
import { policyOf, type OutreachPolicy, type PolicyRow } from './policy.js';
import { templateOf } from './templates.js';

/*
 * What decisions read of a tenant's configuration — its policy and template overrides — kept in this
 * process per tenant, with the version it was read at (tenant_config_versao, migration 045: bumped by
 * triggers in the same transaction as any change to tenant_politicas or templates_tenant). Every
 * decision context reads the version in its own statement and snapshot (decision-context.ts) and uses
 * this copy only when the versions match, so several replicas stay correct without telling each other.
 * A new table decisions read joins by getting the migration's trigger (one line) and a column here.
 */

/** A tenant's configuration at one version, and what is derived from it (made once per version). */
export interface TenantConfig {
  versao: string;
  policy: OutreachPolicy;
  /** The tenant's template overrides by id (their stored definicao). */
  overrides: Record<string, unknown>;
  /** Templates resolved at this version, with whether each is a collection message. */
  templates: Map<string, { def: TemplateDef; collection: boolean }>;
}

const MAX_TENANTS = 1000;
const cache = new Map<string, TenantConfig>();

/** The cached version of a tenant's configuration ('-1' when none: the context statement then reads it). */
export function cachedVersion(tenantId: string): string {
  return cache.get(tenantId)?.versao ?? '-1';
}

/** The cached configuration of a tenant, of whatever version (undefined when none). */
export function cachedConfig(tenantId: string): TenantConfig | undefined {
  return cache.get(tenantId);
}

/**
 * The tenant's configuration at `versao`: the cached copy when it is of that version, else the one
 * made from the rows read with it (`fresh`, read in the same statement) — then cached.
 */
export function tenantConfig(
  tenantId: string,
  tenant: { nome: string },
  versao: string,
  fresh: { policy: PolicyRow | null; overrides: Record<string, unknown> | null } | null,
): TenantConfig {
  const hit = cache.get(tenantId);
  if (hit && hit.versao === versao) return hit;
  if (!fresh) throw new Error(`tenant configuration of version ${versao} was not read`);
  const made: TenantConfig = {
    versao,
    policy: policyOf(fresh.policy ?? undefined, tenant),
    overrides: fresh.overrides ?? {},
    templates: new Map(),
  };
  cache.delete(tenantId);
  if (cache.size >= MAX_TENANTS) cache.delete(cache.keys().next().value!);
  cache.set(tenantId, made);
  return made;
}

/** Template `id` as this tenant has it at this version (an override or the built-in), resolved once. */
export function configTemplate(config: TenantConfig, id: string): { def: TemplateDef; collection: boolean } {
  let t = config.templates.get(id);
  if (!t) {
    const def = templateOf(config.overrides[id] ?? null, id);
    t = { def, collection: isCollectionTemplate(def, templateVariables(def)) };
    config.templates.set(id, t);
  }
  return t;
}
