import { sql, type RawBuilder } from 'kysely';
import { TEMPLATE_BLOCK_TEXT, WHATSAPP_WINDOW_MS } from '../templates/approved.js';
import type { DecisionContext } from './decision-context.js';

/*
 * The WhatsApp 24-hour window in the decision (decisions-sql.ts): per destination phone, the time of
 * the person's last WhatsApp message (mensagens_recebidas, every form of the sender), and whether the
 * person stopped marketing messages (restricoes_marketing, 131050). Two index lookups per lead.
 */

/** Joins for CTE f (after `tel`): the last inbound time from the phone, and its marketing refusal. */
export function windowJoinsSql(tenantId: string): RawBuilder<unknown> {
  return sql`
      left join lateral (select max(m.recebida_em) as ultima from mensagens_recebidas m
                         where m.tenant_id = ${tenantId} and m.canal = 'whatsapp'
                           and m.remetente_formas @> array[tel.numero_e164]::text[]) jan on true
      left join restricoes_marketing rmk on rmk.tenant_id = ${tenantId} and rmk.telefone = tel.numero_e164`;
}

/** Columns of f: ultima_entrada (timestamptz or null) and marketing_recusado (boolean). */
export const windowColumnsSql = sql`jan.ultima as ultima_entrada, rmk.telefone is not null as marketing_recusado`;

/** Whether row `alias` (c or d) is inside the window now; always for free-text providers. */
function openSql(ctx: DecisionContext, alias: 'c' | 'd'): RawBuilder<boolean> {
  if (ctx.approved.provider === 'livre') return sql<boolean>`true`;
  const since = new Date(ctx.now.getTime() - WHATSAPP_WINDOW_MS);
  return sql<boolean>`coalesce(${sql.ref(`${alias}.ultima_entrada`)} > ${since}::timestamptz, false)`;
}

/**
 * Gate lines of the decision's CASE (gateSql): a WhatsApp message outside the window needs the approved
 * template — none registered, paused or disabled blocks it; a marketing one to a person who refused
 * marketing is blocked.
 */
export function windowGateSql(ctx: DecisionContext): RawBuilder<unknown> {
  const closed = sql`c.canal = 'whatsapp' and not ${openSql(ctx, 'c')}`;
  const block = ctx.approved.block;
  const marketing = ctx.approved.identity?.categoria === 'marketing';
  return sql`
         when ${closed} and ${block !== null} then ${block}
         when ${closed} and ${marketing} and c.marketing_recusado then 'marketing_recusado'`;
}

/** Block reasons of these codes (blockTextSql). */
export function windowBlockTextSql(): RawBuilder<unknown> {
  return sql.join(
    Object.entries(TEMPLATE_BLOCK_TEXT).map(([code, text]) => sql`when ${code} then ${text}`),
    sql` `,
  );
}

/**
 * Columns of the output row d: forma ('modelo' outside the window, 'texto_livre' inside; null for
 * e-mail) and janela_ate (when the window closes; null when closed).
 */
export function formSql(ctx: DecisionContext): RawBuilder<unknown> {
  return sql`case when d.canal <> 'whatsapp' then null when ${openSql(ctx, 'd')} then 'texto_livre' else 'modelo' end
      as forma,
    case when d.canal = 'whatsapp' and ${openSql(ctx, 'd')} then d.ultima_entrada + interval '24 hours' end as janela_ate`;
}
