import { z } from 'zod';
import { AppError } from '../errors.js';
import { AGENDAMENTO_STATUSES, LEAD_STATUSES } from '../model/index.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { buildBriefing } from './build.js';
import { loadBriefingInput } from './load.js';

export const generateBriefingInput = {
  lead_id: uuid().optional(),
  agendamento_id: uuid().optional(),
};

const channelState = { sendable: z.boolean(), invalid_reason: z.string().nullable() };
export const generateBriefingOutput = {
  lead: z.object({
    lead_id: z.string(),
    company: z.string(),
    contact: z.string().nullable(),
    document: z.string().nullable(),
    document_type: z.enum(['cpf', 'cnpj']).nullable(),
    document_valid: z.boolean(),
    status: z.enum(LEAD_STATUSES),
    timezone: z.string(),
    legal_basis: z.string(),
    sheet_data: z.record(z.string(), z.unknown()),
  }),
  channels: z.object({
    whatsapp: z.string().nullable(),
    email: z.string().nullable(),
    phones: z.array(z.object({ number: z.string(), type: z.string(), ...channelState })),
    emails: z.array(z.object({ email: z.string(), ...channelState })),
  }),
  agendamento: z
    .object({
      agendamento_id: z.string(),
      start: z.string(),
      end: z.string(),
      label: z.string(),
      timezone: z.string(),
      title: z.string(),
      location: z.string().nullable(),
      status: z.enum(AGENDAMENTO_STATUSES),
    })
    .nullable(),
  timeline: z.array(
    z.object({
      at: z.string(),
      type: z.enum(['importacao', 'mesclagem', 'transicao', 'nota', 'disparo', 'resposta', 'reuniao']),
      summary: z.string(),
    }),
  ),
  open_points: z.array(z.string()),
  suggested_agenda: z.array(z.string()),
};
export type Briefing = Infer<typeof generateBriefingOutput>;

/**
 * The briefing of a lead, or of a meeting's lead (then about that meeting): company, contact, document,
 * channels, timeline, open points and a suggested agenda. Read-only; markdown.ts writes it for a person.
 */
export async function generateBriefing(scope: Scope, input: Infer<typeof generateBriefingInput>): Promise<Briefing> {
  if (!input.lead_id && !input.agendamento_id) {
    throw new AppError('invalid_argument', 'Give lead_id or agendamento_id (find leads with query_leads).');
  }
  const t = scope.tenant.tenant_id;
  const now = scope.clock.now();
  const target = { leadId: input.lead_id, agendamentoId: input.agendamento_id };
  const b = buildBriefing(await scope.tx((tx) => loadBriefingInput(tx, t, target, now)));
  if (input.lead_id && input.agendamento_id && b.lead.lead_id !== input.lead_id) {
    throw new AppError(
      'invalid_argument',
      `Agendamento ${input.agendamento_id} belongs to another lead; pass only one of lead_id / agendamento_id.`,
    );
  }
  return b;
}
