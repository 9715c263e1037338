import { z } from 'zod';
import { LEAD_STATUSES, REPLY_CLASSES } from '../model/index.js';
import { AppError } from '../errors.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { LeadSummarySchema, leadSummaryOut } from './lead-schema.js';
import { countLeads, selectLeads } from './sql/select-leads.js';

export const queryLeadsInput = {
  text: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Name, contact, document, phone (any form), e-mail, UF or a sheet value (city)'),
  status: z.array(z.enum(LEAD_STATUSES)).max(11).optional(),
  has_whatsapp: z.boolean().optional(),
  has_email: z.boolean().optional(),
  uf: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'a UF is two letters, e.g. AM')
    .optional(),
  ddd: z
    .string()
    .regex(/^[1-9]\d$/, 'a DDD is two digits, e.g. 92')
    .optional(),
  extra: z
    .record(z.string(), z.string())
    .optional()
    .describe('Sheet column → part of its value, e.g. {"Cidade": "Manaus"}'),
  source_job_id: uuid().optional().describe('Imported by this job'),
  campaign_id: uuid().optional().describe('start_dispatch job_id'),
  reply_class: z.enum(REPLY_CLASSES).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.number().int().min(1).max(100).default(20),
};
export const queryLeadsOutput = {
  leads: z.array(LeadSummarySchema),
  next_cursor: z.string().nullable(),
  totals: z
    .object({
      total: z.number(),
      by_status: z.record(z.string(), z.number()),
      whatsapp: z.number(),
      email: z.number(),
      none: z.number(),
    })
    .nullable()
    .describe('Of all matches; whatsapp/email: reachable by it'),
};

/** A page of the tenant's leads, newest first, and the totals of the whole search; pass next_cursor back. */
export async function queryLeads(
  scope: Scope,
  input: Infer<typeof queryLeadsInput>,
): Promise<Infer<typeof queryLeadsOutput>> {
  const extra = Object.entries(input.extra ?? {});
  if (extra.length > 10 || extra.some(([k, v]) => !k || !v || k.length > 200 || v.length > 200)) {
    throw new AppError(
      'invalid_argument',
      'extra takes at most 10 columns, each a header and a non-empty value (≤200 characters).',
    );
  }
  return scope.tx(async (tx) => {
    const page = await selectLeads(tx, scope.tenant.tenant_id, input);
    const totals = await countLeads(tx, scope.tenant.tenant_id, input);
    return { leads: page.leads.map(leadSummaryOut), next_cursor: page.next_cursor, totals };
  });
}
