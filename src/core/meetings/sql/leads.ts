/** What the meeting use cases read of a lead. */
import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import { bestEmail, bestPhone } from '../../leads/query.js';
import type { LeadStatus } from '../../model/index.js';
import { suppressedLeadsSql } from '../../outreach/suppression.js';

/** A lead with its first valid phone and e-mail, and whether it is suppressed. */
export interface LeadContact {
  nome: string;
  contato_nome: string | null;
  documento: string | null;
  documento_tipo: 'cpf' | 'cnpj' | null;
  status: LeadStatus;
  timezone: string;
  telefone: string | null;
  email: string | null;
  suprimido: boolean;
}

export async function leadContact(tx: Tx, tenantId: string, leadId: string): Promise<LeadContact | undefined> {
  const { rows } = await sql<LeadContact>`
    with alvo as (select ${leadId}::uuid as lead_id)
    select l.nome, l.contato_nome, l.documento, l.documento_tipo, l.status, l.timezone,
      ${bestPhone} as telefone, ${bestEmail} as email,
      exists (select 1 from (${suppressedLeadsSql(tenantId)}) s) as suprimido
    from leads l where l.tenant_id = ${tenantId} and l.lead_id = ${leadId}`.execute(tx);
  return rows[0];
}

export async function leadStatusOf(tx: Tx, tenantId: string, leadId: string): Promise<LeadStatus> {
  const r = await tx
    .selectFrom('leads')
    .select('status')
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .executeTakeFirstOrThrow();
  return r.status;
}

/**
 * Where a lead goes when it is left without a standing meeting (cancelled, no-show): back to where it was
 * before the meeting was booked — a lead booked before any reply (by phone, say) does not become
 * respondeu. From a status it cannot go back to (em_disparo, realizado, …): respondeu when it replied,
 * else contatado when a message went, else novo.
 */
export async function statusBeforeMeeting(tx: Tx, tenantId: string, leadId: string): Promise<LeadStatus> {
  const { rows } = await sql<{ status: LeadStatus }>`
    select case
      when antes in ('novo', 'contatado', 'respondeu') then antes
      when exists (select 1 from mensagens_recebidas m where m.tenant_id = ${tenantId} and m.lead_id = ${leadId})
        then 'respondeu'
      when exists (select 1 from disparos d where d.tenant_id = ${tenantId} and d.lead_id = ${leadId}
                   and d.status = 'enviado') then 'contatado'
      else 'novo' end as status
    from (select (select e.status_de from lead_eventos e
                  where e.tenant_id = ${tenantId} and e.lead_id = ${leadId} and e.tipo = 'transicao'
                    and e.status_para = 'agendado' and e.status_de not in ('agendado', 'confirmado')
                  order by e.evento_id desc limit 1) as antes) x`.execute(tx);
  return rows[0].status;
}
