import { notFound } from '../errors.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { agendamentosOut, LeadAgendamentosSchema, LeadSchema, leadOut } from './lead-schema.js';
import { getLead } from './query.js';

export const readLeadInput = {
  lead_id: uuid().describe('One lead in full'),
};
export const readLeadOutput = {
  lead: LeadSchema,
  agendamentos: LeadAgendamentosSchema,
};

/**
 * One lead in full — phones and e-mails with why they cannot be used, origin rows, state history — and
 * its meetings (latest first, at most 20). not_found when the tenant has no such lead.
 */
export async function readLead(
  scope: Scope,
  input: Infer<typeof readLeadInput>,
): Promise<Infer<typeof readLeadOutput>> {
  const found = await scope.tx((tx) => getLead(tx, scope.tenant.tenant_id, input.lead_id));
  if (!found) throw notFound('Lead', input.lead_id);
  return { lead: leadOut(found), agendamentos: agendamentosOut(found) };
}
