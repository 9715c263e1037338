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
