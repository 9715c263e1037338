import { sql, type RawBuilder } from 'kysely';
import { reachedAt, reachedSince, recentWindowStart } from '../dispatch/recent-sends.js';
import { OUTREACH_ELIGIBLE } from '../model/index.js';
import { DDD_UF } from '../normalize/ddd-uf.js';
import { templateVariables, type TemplateDef } from '../templates/index.js';
import type { DecisionContext, Target } from './decision-context.js';
import { registryHitSql } from './registry-sql.js';
import { suppressedLeadsSql, suppressedTargetedSql } from './suppression.js';
import { windowBlockTextSql, windowColumnsSql, windowGateSql, windowJoinsSql } from './window-sql.js';

/*
 * The parts of the decision query (decide.ts assembles them), each a step of the rule:
 *   alvo  the targeted leads
 *   f     what is known of each: best valid phone and e-mail, suppressed, messages in the last 24 h
 *   c     the channel by the seed's rule, and when the send window opens in the lead's zone
 *   d     the first gate that stops or defers the message (its block code)
 * then the texts a person reads. Every part is a SQL fragment over the CTEs before it.
 */

/**
 * DDD → UF as a jsonb literal written into the statements' text (a constant: part of the prepared
 * statement, not a 1 KB parameter bound and parsed on every call). Digits and letters only.
 */
export const DDD_UF_SQL = sql.lit(JSON.stringify(DDD_UF));

/**
 * When the send window opens per time zone and UF (null: open now), and why it is closed, in pt-BR; for
 * a collection message the same for the tenant's window narrowed to the UF's law (state-contact-rules.ts),
 * and the keys where the law alone keeps it closed now (fora_do_horario_cobranca).
 */
export interface WindowOpenings {
  opens: Record<string, string | null>;
  why: Record<string, string>;
  collection: { opens: Record<string, string | null>; why: Record<string, string>; lawClosed: string[] };
}

/** The key of a send window: time zone and UF (state holidays differ between states of one zone). */
export const windowKey = (timezone: string, uf: string | null) => `${timezone}|${uf ?? ''}`;

/** A time zone and UF some targeted leads are in (their send window). */
export interface LeadZone {
  timezone: string;
  uf: string | null;
}

/**
 * The distinct (time zone, UF) pairs of a tenant's leads (the given ones, or all: null) as a json array
 * of LeadZone: a handful of pairs. The UF is the sheet's (leads.uf), else the first valid phone's DDD's.
 */
export function leadZonesSql(tenantId: string, leadIds: string[] | null): RawBuilder<LeadZone[]> {
  const only = (col: string) => (leadIds ? sql`and ${sql.ref(col)} = any(${leadIds}::uuid[])` : sql``);
  return sql<LeadZone[]>`(select coalesce(json_agg(z), '[]'::json) from (
    select distinct l.timezone::text as timezone,
           coalesce(l.uf, ${DDD_UF_SQL}::jsonb ->> substring(t.numero_e164 from 4 for 2)) as uf
    from leads l
    left join (select distinct on (lt.lead_id) lt.lead_id, lt.numero_e164 from lead_telefones lt
               where lt.tenant_id = ${tenantId} and lt.valido_para_disparo ${only('lt.lead_id')}
               order by lt.lead_id, lt.created_at, lt.posicao) t on t.lead_id = l.lead_id
    where l.tenant_id = ${tenantId} ${only('l.lead_id')}) z)`;
}

/**
 * The UF of a lead, as SQL: the sheet's (leads.uf), else the DDD of its first valid phone (in import
 * order, as the decision's `tel` picks it) mapped by DDD_UF; null without either.
 */
export function ufOfLeadSql(leadId: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<
    string | null
  >`coalesce((select lu.uf from leads lu where lu.lead_id = ${leadId}), ${DDD_UF_SQL}::jsonb ->> (
    select substring(t.numero_e164 from 4 for 2) from lead_telefones t
    where t.lead_id = ${leadId} and t.valido_para_disparo
    order by t.created_at, t.posicao limit 1))`;
}

/** CTE body `alvo`: the targeted lead ids, the given ones or the filter's oldest first. */
export function targetSql(tenantId: string, target: Target): RawBuilder<{ lead_id: string }> {
  if ('leadIds' in target) return sql`select unnest(${target.leadIds}::uuid[]) as lead_id`;
  const { status, source_job_id } = target.filter;
  return sql`select lead_id from leads where tenant_id = ${tenantId}
    ${status?.length ? sql`and status = any(${status}::text[])` : sql``}
    ${source_job_id ? sql`and origem @> ${JSON.stringify([{ job_id: source_job_id }])}::jsonb` : sql``}
    order by created_at, lead_id limit ${target.limit}`;
}

/**
 * How the decision reaches its leads' facts: 'set' with hash joins over the targeted leads (a campaign,
 * a dry run over a filter), 'targeted' by index lookups per lead (given lead ids: decide_channel,
 * send_message), so that a one-lead decision does no work for the tenant's other leads. The same
 * decisions either way (test/tools/decision-forms.test.ts).
 */
export type DecisionForm = 'set' | 'targeted';

/**
 * CTEs tel, eml, sup, env and f: per targeted lead its first valid phone and e-mail (in the order they
 * were imported), whether it matches the suppression list, and the messages that reached it since
 * `since` (the one definition of "reached": core/dispatch/recent-sends.ts) with the first one's time.
 */
export function leadFactsSql(
  tenantId: string,
  now: Date,
  prescribedOnOrBefore: string,
  form: DecisionForm = 'set',
): RawBuilder<unknown> {
  const since = recentWindowStart(now);
  return sql`
    tel as (
      select distinct on (lt.lead_id) lt.lead_id, lt.numero_e164
      from lead_telefones lt join alvo a on a.lead_id = lt.lead_id
      where lt.tenant_id = ${tenantId} and lt.valido_para_disparo
      order by lt.lead_id, lt.created_at, lt.posicao
    ),
    eml as (
      select distinct on (le.lead_id) le.lead_id, le.email_normalizado
      from lead_emails le join alvo a on a.lead_id = le.lead_id
      where le.tenant_id = ${tenantId} and le.valido_para_disparo
      order by le.lead_id, le.created_at, le.posicao
    ),
    sup as (select distinct lead_id from (${form === 'set' ? suppressedLeadsSql(tenantId) : suppressedTargetedSql(tenantId)}) x),
    env as (
      select d.lead_id, count(*)::int as enviados, min(${reachedAt('d')}) as primeiro
      from disparos d join alvo a on a.lead_id = d.lead_id
      where d.tenant_id = ${tenantId} and ${reachedSince('d', since)}
      group by d.lead_id
    ),
    f as (
      select l.lead_id, l.nome, l.contato_nome, l.documento, l.documento_tipo, l.status, l.timezone,
             tel.numero_e164 as telefone, eml.email_normalizado as email,
             sup.lead_id is not null as suprimido,
             coalesce(l.uf, ${DDD_UF_SQL}::jsonb ->> substring(tel.numero_e164 from 4 for 2)) as uf,
             reg.fonte as registro_fonte,
             coalesce(env.enviados, 0) as enviados, env.primeiro,
             div.divida_centavos, div.divida_vencimento, div.divida_contratos,
             coalesce(div.dividas, 0) as dividas, coalesce(div.dividas_prescritas, 0) as dividas_prescritas,
             coalesce(ct.lead_id <> l.lead_id, dt.holders > 1, false) as tel_compartilhado,
             coalesce(ce.lead_id <> l.lead_id, de.holders > 1, false) as email_compartilhado,
             coalesce(dt.enviados, 0) as enviados_tel, coalesce(de.enviados, 0) as enviados_email,
             ${windowColumnsSql}
      from leads l
      join alvo a on a.lead_id = l.lead_id
      left join tel on tel.lead_id = l.lead_id
      left join eml on eml.lead_id = l.lead_id
      left join env on env.lead_id = l.lead_id
      left join sup on sup.lead_id = l.lead_id
      left join lateral (${debtsSql(tenantId, prescribedOnOrBefore)}) div on true
      left join lateral (${registryHitSql(tenantId, sql`tel.numero_e164`, now)}) reg on true
      left join lateral (${destinationSql(tenantId, 'telefone', sql`tel.numero_e164`, since)}) dt on true
      left join lateral (${destinationSql(tenantId, 'email', sql`eml.email_normalizado`, since)}) de on true
      left join destinos_confirmados ct on ct.tenant_id = ${tenantId} and ct.tipo = 'telefone' and ct.valor = tel.numero_e164
      left join destinos_confirmados ce on ce.tenant_id = ${tenantId} and ce.tipo = 'email' and ce.valor = eml.email_normalizado
      ${windowJoinsSql(tenantId)}
      where l.tenant_id = ${tenantId}
    )`;
}

/**
 * LATERAL per lead: how many leads of the tenant have its destination `value` (more than one: it is
 * someone else's too — leads with the same valid document are one lead, so another lead is another
 * document or none) and how many messages reached it since `since`, any lead. Index lookups per lead
 * (lead_telefones/lead_emails by value, disparos_destino_idx), so the plan stays linear even before the
 * planner has statistics (a campaign right after a bulk import). A destination confirmed as one lead's
 * (destinos_confirmados) is that lead's alone; f reads the confirmation beside this.
 */
function destinationSql(
  tenantId: string,
  tipo: 'telefone' | 'email',
  value: RawBuilder<unknown>,
  since: Date,
): RawBuilder<unknown> {
  const holders =
    tipo === 'telefone'
      ? sql`select count(distinct o.lead_id)::int from lead_telefones o
            where o.tenant_id = ${tenantId} and o.numero_e164 = ${value}`
      : sql`select count(distinct o.lead_id)::int from lead_emails o
            where o.tenant_id = ${tenantId} and o.email_normalizado = ${value}`;
  return sql`select (${holders}) as holders,
    (select count(*)::int from disparos dd
      where dd.tenant_id = ${tenantId} and dd.destino = ${value} and ${reachedSince('dd', since)}) as enviados`;
}

/**
 * LATERAL per lead (l): its debts — the open ones summed (centavos), the earliest due date and the
 * contracts (what a collection message states), and how many are prescribed: due on or before
 * `prescribedOnOrBefore` (ISO date; STJ REsp 2.088.100/SP: a prescribed debt is not collected out of
 * court). A debt without a due date counts as open. An index lookup per lead (dividas_chave_uk).
 */
export function debtsSql(tenantId: string, prescribedOnOrBefore: string): RawBuilder<unknown> {
  return sql`
      select ${debtColumnsSql}
      from (select dv.valor_centavos, dv.vencimento, dv.contrato,
                   coalesce(dv.vencimento <= ${prescribedOnOrBefore}::date, false) as prescrita
            from dividas dv where dv.tenant_id = ${tenantId} and dv.lead_id = l.lead_id) x`;
}

/** The debt columns of a lead as aggregates over its debts x (valor_centavos, vencimento, contrato, prescrita). */
export const debtColumnsSql = sql`(sum(x.valor_centavos) filter (where not x.prescrita))::float8 as divida_centavos,
             to_char(min(x.vencimento) filter (where not x.prescrita), 'YYYY-MM-DD') as divida_vencimento,
             string_agg(x.contrato, ', ' order by x.vencimento, x.contrato)
               filter (where not x.prescrita and x.contrato is not null) as divida_contratos,
             count(*)::int as dividas, (count(*) filter (where x.prescrita))::int as dividas_prescritas`;

/** CTE body `c`: the seed's rule — a valid WhatsApp mobile, else an e-mail, else none — among working channels. */
export function channelSql(ctx: DecisionContext, windows: WindowOpenings): RawBuilder<unknown> {
  return sql`
    select f.*,
           case when f.telefone is not null and ${ctx.channels.whatsapp} then 'whatsapp'
                when f.email is not null and ${ctx.channels.email} then 'email'
                else 'none' end as canal,
           (${JSON.stringify(windows.opens)}::jsonb ->> (f.timezone || '|' || coalesce(f.uf, '')))::timestamptz
             as janela_geral,
           (${JSON.stringify(windows.collection.opens)}::jsonb ->> (f.timezone || '|' || coalesce(f.uf, '')))::timestamptz
             as janela_cobranca,
           ${lawClosedSql(windows)} as lei_fechada
    from f`;
}

/**
 * Whether the law alone keeps the lead's zone closed to collection now (c.lei_fechada): a key lookup in a
 * jsonb object of those zones (none: false). A set-form dry run looks windows up among every UF a DDD
 * maps to (decisions-set-sql.ts setZonesSql), up to 28 zones per time zone closed at night: a lookup,
 * not a scan of a text[] per lead.
 */
function lawClosedSql(windows: WindowOpenings): RawBuilder<boolean> {
  const keys = windows.collection.lawClosed;
  if (!keys.length) return sql<boolean>`false`;
  const closed = JSON.stringify(Object.fromEntries(keys.map((k) => [k, true])));
  return sql<boolean>`(${closed}::jsonb ? (f.timezone || '|' || coalesce(f.uf, '')))`;
}

/**
 * The block code of row c: the first gate that fails, in order — opt-out, suppression list, lead state,
 * no channel / channel not configured; for a collection template: creditor not configured, a destination
 * shared with another lead, every debt prescribed; missing template variables, per-lead cap and (for
 * collections) per-destination cap (deferred), send window (deferred). Null: the message would go now.
 */
export function gateSql(ctx: DecisionContext): RawBuilder<string | null> {
  const varsOk = (def: TemplateDef) => varsAvailable(def, ctx.policy);
  const collecting = collectingSql(ctx);
  return sql`
    case when c.status = 'opt_out' then 'opt_out'
         when c.suprimido then 'suprimido'
         when not (c.status = any(${OUTREACH_ELIGIBLE}::text[])) then 'estado_inelegivel'
         when c.canal = 'none' and (c.telefone is not null or c.email is not null) then 'canal_nao_configurado'
         when c.canal = 'none' then 'sem_canal'
         when c.canal = 'whatsapp' and c.registro_fonte is not null then 'registro_nao_perturbe'
         when ${collecting} and ${ctx.policy.credor === null} then 'credor_nao_configurado'
         when ${collecting} and ((c.canal = 'whatsapp' and c.tel_compartilhado)
                                 or (c.canal = 'email' and c.email_compartilhado)) then 'contato_compartilhado'
         when ${collecting} and c.dividas > 0 and c.dividas_prescritas = c.dividas then 'divida_prescrita'
         when c.canal = 'whatsapp' and not (${varsOk(ctx.templates.whatsapp)}) then 'variaveis_ausentes'
         when c.canal = 'email' and not (${varsOk(ctx.templates.email)}) then 'variaveis_ausentes'
         ${windowGateSql(ctx)}
         when c.enviados >= ${ctx.policy.maxPorLead24h} then 'limite_por_destinatario'
         when ${collecting} and (case c.canal when 'whatsapp' then c.enviados_tel else c.enviados_email end)
              >= ${ctx.policy.maxPorLead24h} then 'limite_por_destinatario'
         when ${collecting} and c.lei_fechada then 'fora_do_horario_cobranca'
         when (case when ${collecting} then c.janela_cobranca else c.janela_geral end) is not null then 'fora_da_janela'
    end`;
}

/** Whether row c's message is a collection (its channel's template is one): the law's hours apply. */
export function collectingSql(ctx: DecisionContext): RawBuilder<boolean> {
  return sql<boolean>`((c.canal = 'whatsapp' and ${ctx.collection.whatsapp}) or (c.canal = 'email' and ${ctx.collection.email}))`;
}

// The seed's reasons for the channel, in its words.
export const CHANNEL_REASON = {
  whatsapp: 'Lead possui telefone válido para WhatsApp',
  email: 'Lead não possui telefone válido para WhatsApp, mas possui email válido',
  none: 'Lead não possui telefone nem email válidos',
};

/** Why the channel (motivo) and which template, for row d. */
export function reasonAndTemplateSql(ctx: DecisionContext): RawBuilder<unknown> {
  return sql`
    case d.canal when 'whatsapp' then ${CHANNEL_REASON.whatsapp} when 'email' then ${CHANNEL_REASON.email}
                 else ${CHANNEL_REASON.none} end as motivo,
    case d.canal when 'whatsapp' then ${ctx.templates.whatsapp.id} when 'email' then ${ctx.templates.email.id} end
      as template`;
}

/** The block reason a person reads (razao_bloqueio) and when a deferred message would go (previsto_para). */
export function blockTextSql(ctx: DecisionContext, windows: WindowOpenings): RawBuilder<unknown> {
  const cap = ctx.policy.maxPorLead24h;
  return sql`
    case d.codigo
      when 'opt_out' then 'Lead optou por não receber mensagens (opt-out): nunca mais será contatado'
      when 'suprimido' then 'Documento, telefone ou e-mail do lead está na lista de supressão do tenant'
      when 'estado_inelegivel' then 'Estado do lead não permite disparo: ' || d.status
      when 'sem_canal' then 'Lead não possui telefone nem email válidos'
      when 'canal_nao_configurado' then 'O canal do lead não está configurado neste servidor (mcp.json)'
      when 'contato_compartilhado' then 'O ' || case d.canal when 'whatsapp' then 'telefone' else 'e-mail' end
           || ' do lead também é de outro lead (outro documento): cobrança não vai a ele para não expor a dívida a '
           || 'terceiros (CDC art. 42); confirme o dono com manage_suppression confirm_destination'
      when 'credor_nao_configurado' then 'Credor não configurado (razão social, CNPJ, endereço, contato: '
           || 'set_outreach_policy creditor); toda cobrança deve identificar o credor (CDC art. 42-A)'
      when 'divida_prescrita' then 'Todas as ' || d.dividas || ' dívida(s) do lead venceram há mais de '
           || ${ctx.policy.prescricaoAnos}::int || ' anos (prescritas): não se cobra (STJ REsp 2.088.100/SP)'
      when 'variaveis_ausentes' then 'Faltam dados do lead para o template (ex.: valor e vencimento da dívida, '
           || 'documento para documento_mascarado)'
      when 'limite_por_destinatario' then 'Limite de ' || ${cap}::int || ' mensagem(ns) por lead em 24 h atingido; '
           || 'adiado até ' || to_char((coalesce(d.primeiro, ${ctx.now}::timestamptz) + interval '24 hours')
              at time zone d.timezone, 'DD/MM HH24:MI')
           || ' (' || d.timezone || ')'
      when 'registro_nao_perturbe' then 'Telefone do lead consta no cadastro de bloqueio "' || d.registro_fonte
           || '" (não me ligue) em vigor: nem oferta nem cobrança por telefone/WhatsApp (SP Lei 13.226/2008)'
      ${windowBlockTextSql()}
      when 'fora_do_horario_cobranca' then ${JSON.stringify(windows.collection.why)}::jsonb ->> (d.timezone || '|' || coalesce(d.uf, ''))
      when 'fora_da_janela' then (case when d.cobranca then ${JSON.stringify(windows.collection.why)}::jsonb
                                       else ${JSON.stringify(windows.why)}::jsonb end) ->> (d.timezone || '|' || coalesce(d.uf, ''))
    end as razao_bloqueio,
    case d.codigo when 'limite_por_destinatario' then coalesce(d.primeiro, ${ctx.now}::timestamptz) + interval '24 hours'
                  when 'fora_da_janela' then d.janela_abre
                  when 'fora_do_horario_cobranca' then d.janela_abre end as previsto_para`;
}

/**
 * Whether the lead columns a template needs are there, as a SQL condition on row c. The variables come
 * from leadVariables(): contato always has a fallback; empresa needs a name; documento_mascarado needs a
 * document; the debt variables an open debt with that field; remetente and credor_* the tenant's policy.
 */
function varsAvailable(def: TemplateDef, policy: DecisionContext['policy']): RawBuilder<boolean> {
  const conds = templateVariables(def).map((v) => {
    switch (v) {
      case 'contato':
        return sql`true`;
      case 'empresa':
        return sql`coalesce(c.nome, '') <> ''`;
      case 'documento_mascarado':
        return sql`c.documento is not null`;
      case 'valor_divida':
        return sql`c.divida_centavos is not null`;
      case 'vencimento_divida':
        return sql`c.divida_vencimento is not null`;
      case 'contrato_divida':
        return sql`c.divida_contratos is not null`;
      case 'remetente':
        return policy.remetente.trim() ? sql`true` : sql`false`;
      case 'credor':
      case 'credor_cnpj':
      case 'credor_endereco':
      case 'credor_contato':
        return policy.credor ? sql`true` : sql`false`;
      default:
        return sql`false`;
    }
  });
  return conds.length ? sql<boolean>`(${sql.join(conds, sql` and `)})` : sql<boolean>`true`;
}
