import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { OUTREACH_ELIGIBLE, type LeadStatus } from '../model/index.js';
import { reachedAt, reachedSince, recentWindowStart } from '../dispatch/recent-sends.js';
import { checkSendWindow } from '../policy/index.js';
import { templateVariables, type TemplateDef } from '../templates/index.js';
import type { OutreachPolicy } from './policy.js';
import { suppressedLeadsSql } from './suppression.js';

export type Canal = 'whatsapp' | 'email' | 'none';

/** Why a send would not go now. Deferrals (fora_da_janela, limite_por_destinatario) say until when. */
export type BlockCode =
  | 'opt_out'
  | 'suprimido'
  | 'estado_inelegivel'
  | 'sem_canal'
  | 'canal_nao_configurado'
  | 'variaveis_ausentes'
  | 'limite_por_destinatario'
  | 'fora_da_janela';

export interface DecisionContext {
  tenantId: string;
  now: Date;
  policy: OutreachPolicy;
  /** Channels with a working downstream profile. */
  channels: { whatsapp: boolean; email: boolean };
  templates: { whatsapp: TemplateDef; email: TemplateDef };
}

export type Target =
  { leadIds: string[] } | { filter: { status?: LeadStatus[]; source_job_id?: string }; limit: number };

export interface Decision {
  lead_id: string;
  nome: string;
  contato_nome: string | null;
  documento: string | null;
  documento_tipo: 'cpf' | 'cnpj' | null;
  status: string;
  timezone: string;
  telefone: string | null;
  email: string | null;
  canal: Canal;
  motivo: string;
  template: string | null;
  codigo_bloqueio: BlockCode | null;
  razao_bloqueio: string | null;
  seria_enviado_agora: boolean;
  previsto_para: Date | null;
}

// The seed's reasons, in its words.
const MOTIVO = {
  whatsapp: 'Lead possui telefone válido para WhatsApp',
  email: 'Lead não possui telefone válido para WhatsApp, mas possui email válido',
  none: 'Lead não possui telefone nem email válidos',
};

/**
 * The decision for every targeted lead as one SQL query: channel by the seed's rule (a valid WhatsApp
 * mobile → e-mail → none), then the policy gates in order — opt-out, suppression list, lead state,
 * no channel / channel not configured, missing template variables, per-recipient cap (deferred), send
 * window in the lead's time zone (deferred). Set-based: the send window is computed once per time zone
 * in JS and passed in; no query per lead.
 */
export async function decisionsQuery(
  tx: Tx,
  ctx: DecisionContext,
  target: Target,
  canalFilter?: Canal,
): Promise<RawBuilder<Decision>> {
  const t = ctx.tenantId;
  // The send window is computed once per time zone of the targeted leads (a handful of zones).
  const zones = await sql<{ timezone: string }>`
    select distinct timezone from leads where tenant_id = ${t}
    ${'leadIds' in target ? sql`and lead_id = any(${target.leadIds}::uuid[])` : sql``}`.execute(tx);
  const opens: Record<string, string | null> = {};
  const windowWhy: Record<string, string> = {};
  for (const { timezone } of zones.rows) {
    const w = checkSendWindow(ctx.now, timezone, ctx.policy.janela);
    opens[timezone] = w.inside ? null : (w.next?.toISOString() ?? '9999-12-31T00:00:00Z');
    if (!w.inside) windowWhy[timezone] = w.motivo;
  }
  const alvo =
    'leadIds' in target
      ? sql`select unnest(${target.leadIds}::uuid[]) as lead_id`
      : sql`select lead_id from leads where tenant_id = ${t}
              ${target.filter.status?.length ? sql`and status = any(${target.filter.status}::text[])` : sql``}
              ${target.filter.source_job_id ? sql`and origem @> ${JSON.stringify([{ job_id: target.filter.source_job_id }])}::jsonb` : sql``}
              order by created_at, lead_id limit ${target.limit}`;
  const varsOk = (def: TemplateDef) => varsAvailable(def, ctx.policy.remetente);
  const since = recentWindowStart(ctx.now);
  return sql<Decision>`
    with alvo as materialized (${alvo}),
    tel as (
      select distinct on (lt.lead_id) lt.lead_id, lt.numero_e164
      from lead_telefones lt join alvo a on a.lead_id = lt.lead_id
      where lt.tenant_id = ${t} and lt.valido_para_disparo
      order by lt.lead_id, lt.created_at, lt.posicao
    ),
    eml as (
      select distinct on (le.lead_id) le.lead_id, le.email_normalizado
      from lead_emails le join alvo a on a.lead_id = le.lead_id
      where le.tenant_id = ${t} and le.valido_para_disparo
      order by le.lead_id, le.created_at, le.posicao
    ),
    sup as (select distinct lead_id from (${suppressedLeadsSql(t)}) x),
    env as (
      select d.lead_id, count(*)::int as enviados, min(${reachedAt('d')}) as primeiro
      from disparos d join alvo a on a.lead_id = d.lead_id
      where d.tenant_id = ${t} and ${reachedSince('d', since)}
      group by d.lead_id
    ),
    f as (
      select l.lead_id, l.nome, l.contato_nome, l.documento, l.documento_tipo, l.status, l.timezone,
             tel.numero_e164 as telefone, eml.email_normalizado as email,
             sup.lead_id is not null as suprimido,
             coalesce(env.enviados, 0) as enviados, env.primeiro
      from leads l
      join alvo a on a.lead_id = l.lead_id
      left join tel on tel.lead_id = l.lead_id
      left join eml on eml.lead_id = l.lead_id
      left join env on env.lead_id = l.lead_id
      left join sup on sup.lead_id = l.lead_id
      where l.tenant_id = ${t}
    ),
    c as (
      select f.*,
             case when f.telefone is not null and ${ctx.channels.whatsapp} then 'whatsapp'
                  when f.email is not null and ${ctx.channels.email} then 'email'
                  else 'none' end as canal,
             (${JSON.stringify(opens)}::jsonb ->> f.timezone)::timestamptz as janela_abre
      from f
    ),
    d as (
      select c.*,
             case when c.status = 'opt_out' then 'opt_out'
                  when c.suprimido then 'suprimido'
                  when not (c.status = any(${OUTREACH_ELIGIBLE}::text[])) then 'estado_inelegivel'
                  when c.canal = 'none' and (c.telefone is not null or c.email is not null) then 'canal_nao_configurado'
                  when c.canal = 'none' then 'sem_canal'
                  when c.canal = 'whatsapp' and not (${varsOk(ctx.templates.whatsapp)}) then 'variaveis_ausentes'
                  when c.canal = 'email' and not (${varsOk(ctx.templates.email)}) then 'variaveis_ausentes'
                  when c.enviados >= ${ctx.policy.maxPorLead24h} then 'limite_por_destinatario'
                  when c.janela_abre is not null then 'fora_da_janela'
             end as codigo
      from c
    )
    select d.lead_id, d.nome, d.contato_nome, d.documento, d.documento_tipo, d.status, d.timezone, d.telefone, d.email,
           d.canal,
           case d.canal when 'whatsapp' then ${MOTIVO.whatsapp} when 'email' then ${MOTIVO.email} else ${MOTIVO.none} end as motivo,
           case d.canal when 'whatsapp' then ${ctx.templates.whatsapp.id} when 'email' then ${ctx.templates.email.id} end as template,
           d.codigo as codigo_bloqueio,
           case d.codigo
             when 'opt_out' then 'Lead optou por não receber mensagens (opt-out): nunca mais será contatado'
             when 'suprimido' then 'Documento, telefone ou e-mail do lead está na lista de supressão do tenant'
             when 'estado_inelegivel' then 'Estado do lead não permite disparo: ' || d.status
             when 'sem_canal' then 'Lead não possui telefone nem email válidos'
             when 'canal_nao_configurado' then 'O canal do lead não está configurado neste servidor (mcp.json)'
             when 'variaveis_ausentes' then 'Faltam dados do lead para o template (ex.: documento para documento_mascarado)'
             when 'limite_por_destinatario' then 'Limite de ' || ${ctx.policy.maxPorLead24h}::int || ' mensagem(ns) por lead em 24 h atingido; adiado até '
                  || to_char((d.primeiro + interval '24 hours') at time zone d.timezone, 'DD/MM HH24:MI') || ' (' || d.timezone || ')'
             when 'fora_da_janela' then ${JSON.stringify(windowWhy)}::jsonb ->> d.timezone
           end as razao_bloqueio,
           d.codigo is null as seria_enviado_agora,
           case d.codigo when 'limite_por_destinatario' then d.primeiro + interval '24 hours'
                         when 'fora_da_janela' then d.janela_abre end as previsto_para
    from d
    ${canalFilter ? sql`where d.canal = ${canalFilter}` : sql``}`;
}

/** Decisions for a handful of leads (decide_channel, send_message). */
export async function decide(tx: Tx, ctx: DecisionContext, target: Target): Promise<Decision[]> {
  const q = await decisionsQuery(tx, ctx, target);
  return (await q.execute(tx)).rows;
}

/** Writes one dry_run_log row per targeted lead in one statement; returns how many. */
export async function writeDryRunLog(
  tx: Tx,
  ctx: DecisionContext,
  target: Target,
  loteId: string,
  canalFilter?: Canal,
): Promise<number> {
  const q = await decisionsQuery(tx, ctx, target, canalFilter);
  const res = await sql`
    insert into dry_run_log (tenant_id, lead_id, lead_nome, lead_telefone, lead_email, canal_decidido, motivo_decisao,
                             template_selecionado, disparo_seria_executado, razao_bloqueio, lote_id, codigo_bloqueio, disparo_previsto_para)
    select ${ctx.tenantId}, x.lead_id, left(x.nome, 500), x.telefone, left(x.email, 255), x.canal, x.motivo, x.template,
           x.seria_enviado_agora, x.razao_bloqueio, ${loteId}, x.codigo_bloqueio, x.previsto_para
    from (${q}) x`.execute(tx);
  return Number(res.numAffectedRows ?? 0);
}

/**
 * Whether the lead columns a template needs are there, as a SQL condition on the decision row. The
 * variables come from leadVariables(): contato always has a fallback; empresa needs a name;
 * documento_mascarado needs a document; remetente comes from the tenant's policy.
 */
function varsAvailable(def: TemplateDef, remetente: string): RawBuilder<boolean> {
  const conds = templateVariables(def).map((v) => {
    switch (v) {
      case 'contato':
        return sql`true`;
      case 'empresa':
        return sql`coalesce(c.nome, '') <> ''`;
      case 'documento_mascarado':
        return sql`c.documento is not null`;
      case 'remetente':
        return remetente.trim() ? sql`true` : sql`false`;
      default:
        return sql`false`;
    }
  });
  return conds.length ? sql<boolean>`(${sql.join(conds, sql` and `)})` : sql<boolean>`true`;
}
