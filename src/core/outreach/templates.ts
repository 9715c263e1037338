import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import {
  getBuiltinTemplate,
  listBuiltinTemplates,
  TEMPLATE_VARIABLES,
  templateVariables,
  validateTemplate,
  type TemplateDef,
} from '../templates/index.js';

/** The tenant's version of a template (its override in templates_tenant) or the built-in one. */
export async function resolveTemplate(tx: Tx, tenantId: string, id: string): Promise<TemplateDef> {
  const row = await tx
    .selectFrom('templates_tenant')
    .select('definicao')
    .where('tenant_id', '=', tenantId)
    .where('template_id', '=', id)
    .executeTakeFirst();
  return templateOf(row?.definicao ?? null, id);
}

/** The template `id`: the tenant's override when given (its stored definicao), else the built-in one. */
export function templateOf(override: unknown, id: string): TemplateDef {
  if (override) return { ...(override as TemplateDef), id };
  const builtin = getBuiltinTemplate(id);
  if (!builtin) {
    const known = listBuiltinTemplates()
      .map((t) => t.id)
      .join(', ');
    throw new AppError('not_found', `Template ${id} does not exist. Known templates: ${known}.`);
  }
  return builtin;
}

/** Stores a tenant override after validating it; returns the problems instead when it is invalid. */
export async function saveTemplateOverride(tx: Tx, tenantId: string, def: TemplateDef): Promise<string[]> {
  const problems = validateTemplate(def);
  const unknown = templateVariables(def).filter((v) => !(v in TEMPLATE_VARIABLES));
  if (unknown.length)
    problems.push(
      `variável desconhecida: ${unknown.map((v) => `{{${v}}}`).join(', ')}; as conhecidas são ` +
        Object.keys(TEMPLATE_VARIABLES).join(', '),
    );
  if (problems.length) return problems;
  // updated_at is bookkeeping only (no rule reads it): the database's clock will do.
  await tx
    .insertInto('templates_tenant')
    .values({ tenant_id: tenantId, template_id: def.id, definicao: JSON.stringify(def) })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'template_id']).doUpdateSet({ definicao: JSON.stringify(def), updated_at: sql`now()` }),
    )
    .execute();
  return [];
}
