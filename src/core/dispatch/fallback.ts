import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { fallbackKey } from '../model/index.js';
import { debtsSql } from '../outreach/decisions-sql.js';
import { loadPolicy, prescriptionCutoff } from '../outreach/policy.js';
import { resolveTemplate } from '../outreach/templates.js';
import {
  DEFAULT_TEMPLATE_BY_CHANNEL,
  isCollectionTemplate,
  leadVariables,
  templateVariables,
  renderTemplate,
  type LeadForTemplate,
} from '../templates/index.js';

/**
 * Enqueues the e-mail version of a WhatsApp message whose number was refused permanently, due at `now`, in
 * the template fallbackTemplateId picks (none: nothing is enqueued). Once per message (its own idempotency key).
 */
export async function renderFallbackEmail(
  tx: Tx,
  tenantId: string,
  r: { disparo_id: string; lead_id: string; idempotency_key: string },
  email: string,
  opts: { actor: string; now: Date },
): Promise<void> {
  const tenant = await tx
    .selectFrom('tenants')
    .select(['tenant_id', 'nome'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  const policy = await loadPolicy(tx, tenant);
  // The lead with its open debts, as a decision sees them (a collection e-mail states them).
  const { rows } = await sql<LeadForTemplate>`
    select l.nome, l.contato_nome, l.documento, l.documento_tipo, div.divida_centavos, div.divida_vencimento,
           div.divida_contratos
    from leads l cross join lateral (${debtsSql(tenantId, prescriptionCutoff(opts.now, policy.prescricaoAnos))}) div
    where l.tenant_id = ${tenantId} and l.lead_id = ${r.lead_id}`.execute(tx);
  const lead = rows[0]!;
  const orig = await tx
    .selectFrom('disparos')
    .leftJoin('campanhas', (j) =>
      j
        .onRef('campanhas.campanha_id', '=', 'disparos.campanha_id')
        .onRef('campanhas.tenant_id', '=', 'disparos.tenant_id'),
    )
    .select([
      'disparos.campanha_id',
      'disparos.agendamento_id',
      'disparos.template',
      'disparos.variaveis',
      'campanhas.template_email',
    ])
    .where('disparos.disparo_id', '=', r.disparo_id)
    .executeTakeFirst();
  const meeting = orig?.agendamento_id ? orig : null;
  const id = await fallbackTemplateId(tx, tenantId, orig);
  if (!id) return;
  const def = await resolveTemplate(tx, tenantId, id);
  // The original message's variables (a collection's debt and creditor as they were rendered) over the lead's.
  const original = Object.fromEntries(
    Object.entries((orig?.variaveis ?? {}) as Record<string, unknown>).filter(
      ([k, v]) => !k.startsWith('__') && typeof v === 'string',
    ),
  ) as Record<string, string>;
  const vars = meeting ? original : { ...leadVariables(lead, policy.remetente, policy.credor), ...original };
  const out = renderTemplate(def, vars);
  if (!out.ok) return;
  await sql`
    insert into disparos (tenant_id, lead_id, campanha_id, agendamento_id, canal, destino, template, variaveis,
                          conteudo, assunto, idempotency_key, status, motivo, proxima_tentativa_em)
    values (${tenantId}, ${r.lead_id}, ${orig?.campanha_id ?? null}, ${meeting?.agendamento_id ?? null}, 'email',
            ${email},
            ${def.id},
            ${JSON.stringify({
              ...vars,
              __cobranca: !meeting && isCollectionTemplate(def, templateVariables(def)),
              ...(out.html ? { __html: out.html } : {}),
            })}::jsonb, ${out.texto},
            ${out.assunto ?? null}, ${fallbackKey(r.idempotency_key)}, 'pendente',
            ${`fallback: WhatsApp recusou o número (disparo ${r.disparo_id}); ${opts.actor}`}, ${opts.now})
    on conflict (tenant_id, idempotency_key) do nothing`.execute(tx);
}

/**
 * The e-mail template a refused WhatsApp message falls back to, never a message of another kind: a meeting's
 * confirmation / reminder and a single send go as the e-mail twin of their template (`_whatsapp_` →
 * `_email_`), a campaign's message as the campaign's e-mail template. A single send whose template has no
 * twin goes as the channel's default only if it was a collection too (the default is the collections
 * e-mail); a notice without a twin has no fallback (null) rather than becoming a collection e-mail.
 */
async function fallbackTemplateId(
  tx: Tx,
  tenantId: string,
  orig:
    { agendamento_id: string | null; template: string; template_email: string | null; variaveis: unknown } | undefined,
): Promise<string | null> {
  if (!orig) return DEFAULT_TEMPLATE_BY_CHANNEL.email;
  if (orig.agendamento_id) return orig.template.replace('_whatsapp_', '_email_');
  if (orig.template_email) return orig.template_email;
  const twin = orig.template.includes('_whatsapp_') ? orig.template.replace('_whatsapp_', '_email_') : null;
  if (twin) {
    const def = await resolveTemplate(tx, tenantId, twin).catch(() => null);
    if (def?.canal === 'email') return twin;
  }
  const cobranca = (orig.variaveis as Record<string, unknown> | null)?.__cobranca;
  return cobranca === false ? null : DEFAULT_TEMPLATE_BY_CHANNEL.email;
}
