import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import type { AgendamentoStatus, LeadStatus } from '../../model/index.js';

/** What is checked again right before a send: the lead's state and zone, the suppression list, the meeting. */
export interface PreSendFact {
  disparo_id: string;
  status: LeadStatus;
  timezone: string;
  /** The lead's document, or this destination, is on the tenant's suppression list. */
  suprimido: boolean;
  /** A meeting's confirmation or reminder: that meeting's status now (null for outreach). */
  agendamento_status: AgendamentoStatus | null;
}

/** The facts of these claimed rows, read now (a row the tenant scope cannot see has none). */
export async function preSendFacts(tx: Tx, tenantId: string, disparoIds: string[]): Promise<PreSendFact[]> {
  const { rows } = await sql<PreSendFact>`
    select d.disparo_id, l.status, l.timezone, a.status as agendamento_status,
           exists (select 1 from supressoes sp where sp.tenant_id = ${tenantId} and (
             (sp.tipo = 'documento' and l.documento_valido and sp.valor = l.documento)
             or (sp.tipo in ('telefone', 'email') and sp.valor = d.destino))) as suprimido
    from disparos d join leads l on l.lead_id = d.lead_id
    left join agendamentos a on a.agendamento_id = d.agendamento_id
    where d.disparo_id = any(${disparoIds}::uuid[])`.execute(tx);
  return rows;
}
