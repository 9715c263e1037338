import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import type { AgendamentoStatus, LeadStatus, TemplateStatus } from '../../model/index.js';
import { ufOfLeadSql } from '../../outreach/decisions-sql.js';
import { NINE_DIGIT } from '../../outreach/registry-sql.js';

/** What is checked again right before a send: the lead's state and zone, the suppression list, the meeting. */
export interface PreSendFact {
  disparo_id: string;
  status: LeadStatus;
  timezone: string;
  /** The lead's document, or this destination, is on the tenant's suppression list. */
  suprimido: boolean;
  /** A meeting's confirmation or reminder: that meeting's status now (null for outreach). */
  agendamento_status: AgendamentoStatus | null;
  /** That meeting's start (null for outreach). */
  agendamento_inicio?: Date | null;
  /**
   * A collection message: as its decision classed its template (variaveis.__cobranca, isCollectionTemplate);
   * for rows queued before that was stored, a cobranca_* template or variables that name a debt or creditor.
   */
  cobranca?: boolean;
  /** The lead's debts now, and how many are prescribed (due on or before the cutoff). */
  dividas?: number;
  dividas_prescritas?: number;
  /** The lead's UF (the sheet's, else its first valid phone's DDD): its holidays and collection hours apply. */
  uf?: string | null;
  /** The destination is another lead's too (and not confirmed as this lead's). */
  compartilhado?: boolean;
  /** An outreach message to a phone an opt-out registry in force lists: that registry's source. */
  registro?: string | null;
  /**
   * A WhatsApp message carrying an approved template (variaveis.__modelo): that template's registry
   * status now for the provider it was queued for (a Content SID: twilio, else meta). Null: not
   * registered (the sandbox's default for a built-in template).
   */
  modelo_status?: TemplateStatus | null;
  /** That template is registered as marketing and the person stopped marketing from us (131050: restricoes_marketing). */
  marketing_recusado?: boolean;
}

/** The facts of these claimed rows, read now (a row the tenant scope cannot see has none). */
export async function preSendFacts(
  tx: Tx,
  tenantId: string,
  disparoIds: string[],
  prescribedOnOrBefore: string,
  now: Date,
): Promise<PreSendFact[]> {
  const { rows } = await sql<PreSendFact>`
    select d.disparo_id, l.status, l.timezone, a.status as agendamento_status, a.inicio as agendamento_inicio, ${ufOfLeadSql(sql`l.lead_id`)} as uf,
           (d.agendamento_id is null and coalesce((d.variaveis ->> '__cobranca')::boolean, left(d.template, 9) = 'cobranca_'
             or coalesce(d.variaveis ?| array['valor_divida', 'vencimento_divida', 'credor'], false))) as cobranca,
           (select count(*)::int from dividas dv where dv.tenant_id = ${tenantId} and dv.lead_id = l.lead_id) as dividas,
           (select count(*)::int from dividas dv where dv.tenant_id = ${tenantId} and dv.lead_id = l.lead_id
              and dv.vencimento <= ${prescribedOnOrBefore}::date) as dividas_prescritas,
           coalesce((select dc.lead_id <> d.lead_id from destinos_confirmados dc
                     where dc.tenant_id = ${tenantId} and dc.valor = d.destino),
                    exists (select 1 from lead_telefones o where o.tenant_id = ${tenantId} and o.numero_e164 = d.destino
                            and o.lead_id <> d.lead_id)
                    or exists (select 1 from lead_emails o where o.tenant_id = ${tenantId}
                               and o.email_normalizado = d.destino and o.lead_id <> d.lead_id)) as compartilhado,
           case when d.agendamento_id is null and d.canal = 'whatsapp' then
             (select r.fonte from registros_opt_out r where r.tenant_id = ${tenantId}
                and r.numero_e164 = any(array[d.destino, ${NINE_DIGIT(sql`d.destino`)}])
                and r.vigente_desde <= (${now}::timestamptz at time zone l.timezone)::date
              order by r.fonte limit 1) end as registro,
           ma.status as modelo_status,
           coalesce(ma.categoria = 'marketing' and exists (select 1 from restricoes_marketing r
             where r.tenant_id = ${tenantId} and r.telefone = d.destino), false) as marketing_recusado,
           exists (select 1 from supressoes sp where sp.tenant_id = ${tenantId} and (
             (sp.tipo = 'documento' and l.documento_valido and sp.valor = l.documento)
             or (sp.tipo in ('telefone', 'email') and sp.valor = d.destino))) as suprimido
    from disparos d join leads l on l.lead_id = d.lead_id
    left join agendamentos a on a.agendamento_id = d.agendamento_id
    left join lateral (select m.status, m.categoria from modelos_aprovados m
                       where d.canal = 'whatsapp' and d.variaveis ? '__modelo' and m.tenant_id = ${tenantId}
                         and m.template_id = d.template
                         and m.provedor = case when d.variaveis -> '__modelo' ? 'contentSid' then 'twilio' else 'meta' end
                      ) ma on true
    where d.disparo_id = any(${disparoIds}::uuid[])`.execute(tx);
  return rows;
}
