/**
 * The template registry (migration 039): register, list, validate and preview the identity a WhatsApp
 * provider approved for each of our templates. One use case per action, behind one tool (manage_templates).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../../db/tenant.js';
import { AppError, notFound } from '../errors.js';
import { loadDecisionContext } from '../outreach/decision-context.js';
import { decide } from '../outreach/decide.js';
import { resolveTemplate, templateOf } from '../outreach/templates.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import {
  TEMPLATE_CATEGORIES,
  TEMPLATE_STATUSES,
  identityFor,
  templateBlock,
  type ApprovedIdentity,
  whatsappProviderOf,
} from './approved.js';
import { listBuiltinTemplates } from './registry.js';
import { renderTemplate } from './render.js';
import type { TemplateDef } from './types.js';
import { templateVariables } from './validate.js';
import { leadVariables, TEMPLATE_VARIABLES } from './variables.js';

// Compact on purpose (tools/list budget): bounds beyond the schema's are checked in identityProblems.
export const manageTemplatesInput = {
  action: z.enum(['list', 'validate', 'register', 'preview']),
  template_id: z.string().optional(),
  lead_id: uuid().optional(),
  provider: z.enum(['meta', 'twilio']).optional(),
  name: z.string().optional(),
  category: z.enum(TEMPLATE_CATEGORIES).optional(),
  status: z.enum(TEMPLATE_STATUSES).optional(),
  params: z.array(z.string()).max(60).optional(),
};
export const manageTemplatesOutput = { items: z.array(z.unknown()) };
type Input = Infer<typeof manageTemplatesInput>;
/** An identity to validate or register: Meta's name, or Twilio's Content SID (also given as `name`). */
interface Approved {
  provider: 'meta' | 'twilio';
  name?: string;
  language: string;
  category: (typeof TEMPLATE_CATEGORIES)[number];
  status: (typeof TEMPLATE_STATUSES)[number];
  parameters: string[];
  content_sid?: string;
}

/** The identity an input describes; what is missing is an error that names it. */
function approvedOf(input: Input): Approved {
  const missing = (['provider', 'category', 'params'] as const).filter((k) => input[k] === undefined);
  if (missing.length)
    throw new AppError(
      'invalid_argument',
      `${input.action} needs ${missing.join(', ')} (params: our variable per {{n}}).`,
    );
  const twilio = input.provider === 'twilio';
  return {
    provider: input.provider!,
    name: twilio ? undefined : input.name,
    // Brazil: the templates are approved in pt_BR (Meta's code for Portuguese, Brazil).
    language: 'pt_BR',
    category: input.category!,
    status: input.status ?? 'approved',
    parameters: input.params!,
    content_sid: twilio ? input.name : undefined,
  };
}
/** Problems of an identity for a template, in pt-BR; empty when it fits. */
export function identityProblems(def: TemplateDef, a: Approved): string[] {
  const out: string[] = [];
  if (def.canal !== 'whatsapp') out.push(`o modelo ${def.id} é de ${def.canal}; só modelos de WhatsApp são aprovados`);
  const unknown = a.parameters.filter((p) => !(p in TEMPLATE_VARIABLES));
  if (unknown.length)
    out.push(
      `variável desconhecida: ${unknown.join(', ')}; as conhecidas são ${Object.keys(TEMPLATE_VARIABLES).join(', ')}`,
    );
  const used = templateVariables(def);
  const dup = a.parameters.filter((p, i) => a.parameters.indexOf(p) !== i);
  if (dup.length) out.push(`parâmetro repetido: ${dup.join(', ')}`);
  const missing = used.filter((v) => !a.parameters.includes(v));
  const extra = a.parameters.filter((p) => !used.includes(p) && p in TEMPLATE_VARIABLES);
  if (missing.length || extra.length)
    out.push(
      `os parâmetros não batem com o texto do modelo (usa ${used.join(', ')})` +
        (missing.length ? `; faltam ${missing.join(', ')}` : '') +
        (extra.length ? `; sobram ${extra.join(', ')}` : ''),
    );
  if (a.provider === 'meta' && !/^[a-z0-9_]{1,512}$/.test(a.name ?? ''))
    out.push('meta: name é o nome aprovado na Meta (letras minúsculas, dígitos e _)');
  if (a.provider === 'twilio' && !/^HX[0-9a-fA-F]{32}$/.test(a.content_sid ?? ''))
    out.push('twilio: name é o Content SID aprovado (HX + 32 hexadecimais)');
  if (!/^[a-z]{2,3}(_[A-Z]{2})?$/.test(a.language)) out.push(`idioma inválido "${a.language}" (ex.: pt_BR)`);
  return out;
}

/** Runs one action of manage_templates. */
export async function manageTemplates(scope: Scope, input: Input): Promise<Infer<typeof manageTemplatesOutput>> {
  const t = scope.tenant.tenant_id;
  if (input.action === 'list') return { items: await scope.tx((tx) => listTemplates(tx, scope)) };
  const id = input.template_id;
  if (id !== undefined && !/^[a-z0-9_]{1,100}$/.test(id))
    throw new AppError('invalid_argument', 'template_id: lowercase letters, digits and _, up to 100.');
  if (!id) throw new AppError('invalid_argument', `${input.action} needs template_id (action list shows them).`);
  if (input.action === 'preview') return { items: [await preview(scope, id, input.lead_id)] };
  const a = approvedOf(input);
  return scope.tx(async (tx) => {
    const def = await resolveTemplate(tx, t, id);
    const problems = identityProblems(def, a);
    if (problems.length) throw new AppError('invalid_argument', `Template ${id} refused: ${problems.join('; ')}`);
    if (input.action === 'register') await register(tx, t, id, a, scope.actorLabel);
    return { items: [{ template_id: id, ok: true, saved: input.action === 'register', ...a }] };
  });
}

async function register(tx: Tx, tenantId: string, id: string, a: Approved, actor: string): Promise<void> {
  const row = {
    nome: a.provider === 'meta' ? a.name! : (a.name ?? null),
    idioma: a.language,
    categoria: a.category,
    status: a.status,
    parametros: JSON.stringify(a.parameters),
    content_sid: a.provider === 'twilio' ? a.content_sid! : null,
    ator: actor,
  };
  await tx
    .insertInto('modelos_aprovados')
    .values({ tenant_id: tenantId, template_id: id, provedor: a.provider, ...row })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'template_id', 'provedor']).doUpdateSet({ ...row, updated_at: sql`now()` }),
    )
    .execute();
}

/** Every template (built-in and the tenant's), with its approved identities and whether it can go outside the window. */
async function listTemplates(tx: Tx, scope: Scope): Promise<Record<string, unknown>[]> {
  const t = scope.tenant.tenant_id;
  const provider = whatsappProviderOf(scope.channelStates?.().find((c) => c.channel === 'whatsapp')?.preset);
  const own = await tx
    .selectFrom('templates_tenant')
    .select(['template_id', 'definicao'])
    .where('tenant_id', '=', t)
    .execute();
  const rows = await tx.selectFrom('modelos_aprovados').selectAll().where('tenant_id', '=', t).execute();
  const defs = new Map(listBuiltinTemplates().map((d) => [d.id, d]));
  for (const o of own) defs.set(o.template_id, templateOf(o.definicao, o.template_id));
  return [...defs.values()].map((def) => {
    const approved = rows.filter((r) => r.template_id === def.id).map((r) => toIdentity(r));
    const mine = approved.find((a) => a.provedor === (provider === 'twilio' ? 'twilio' : 'meta')) ?? null;
    const identity = def.canal === 'whatsapp' ? identityFor(def, provider, mine) : null;
    return {
      template_id: def.id,
      channel: def.canal,
      variables: templateVariables(def),
      approved,
      ...(def.canal === 'whatsapp'
        ? { provider, outside_window: provider === 'livre' ? 'texto_livre' : (templateBlock(identity) ?? 'ok') }
        : {}),
    };
  });
}

function toIdentity(r: Record<string, unknown>): ApprovedIdentity {
  return {
    provedor: r.provedor as ApprovedIdentity['provedor'],
    nome: (r.nome as string | null) ?? null,
    idioma: r.idioma as string,
    categoria: r.categoria as ApprovedIdentity['categoria'],
    status: r.status as ApprovedIdentity['status'],
    parametros: r.parametros as string[],
    content_sid: (r.content_sid as string | null) ?? null,
  };
}

/** The template rendered for one lead: text, parameters in order, and the form the decision picks now. */
async function preview(scope: Scope, id: string, leadId: string | undefined): Promise<Record<string, unknown>> {
  if (!leadId) throw new AppError('invalid_argument', 'preview needs lead_id.');
  return scope.tx(
    async (tx) => {
      const ctx = await loadDecisionContext(tx, scope, { whatsapp: id, email: id }, [leadId]);
      const def = await resolveTemplate(tx, ctx.tenantId, id);
      const [d] = await decide(tx, ctx, { leadIds: [leadId] });
      if (!d) throw notFound('Lead', leadId);
      const vars = leadVariables(d, ctx.policy.remetente, ctx.policy.credor);
      const r = renderTemplate(def, vars);
      const identity = def.canal === 'whatsapp' ? ctx.approved.identity : null;
      return {
        template_id: id,
        lead_id: leadId,
        ...(r.ok ? { text: r.texto, subject: r.assunto ?? null } : { missing: r.faltando, reason: r.motivo }),
        parameters: identity ? identity.parametros.map((p) => vars[p] ?? null) : null,
        form: d.canal === def.canal ? d.forma : null,
        block_code: d.codigo_bloqueio,
        block_reason: d.razao_bloqueio,
      };
    },
    { readOnly: true },
  );
}
