import { z } from 'zod';
import { LEAD_STATUSES } from '../model/index.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { LeadSummarySchema, leadSummaryOut } from './lead-schema.js';
import { selectLeads } from './sql/select-leads.js';

export const queryLeadsInput = {
  status: z.array(z.enum(LEAD_STATUSES)).max(11).optional(),
  has_whatsapp: z.boolean().optional(),
  has_email: z.boolean().optional(),
  text: z.string().min(1).max(200).optional().describe('Part of name, contact or document'),
  source_job_id: uuid().optional().describe('Imported by this job'),
  cursor: z.string().max(500).optional(),
  limit: z.number().int().min(1).max(100).default(20),
};
export const queryLeadsOutput = {
  leads: z.array(LeadSummarySchema),
  next_cursor: z.string().nullable(),
};

/** A page of the tenant's leads, newest first; pass next_cursor back for the next page. */
export async function queryLeads(
  scope: Scope,
  input: Infer<typeof queryLeadsInput>,
): Promise<Infer<typeof queryLeadsOutput>> {
  const page = await scope.tx((tx) => selectLeads(tx, scope.tenant.tenant_id, input));
  return { leads: page.leads.map(leadSummaryOut), next_cursor: page.next_cursor };
}
