import { z } from 'zod';
import { AppError, notFound } from '../errors.js';
import { BLOCK_CODES, DECIDED_CHANNELS } from '../model/index.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { decideTargeted } from './decide-targeted.js';
import type { DecisionRow } from './decide.js';
import { maskDestination, renderDecision, type RenderedPreview } from './preview.js';

/** One lead's decision as callers read it (decide_channel; dry_run_dispatch's sample picks from it). */
export const channelDecision = z.object({
  lead_id: z.string(),
  name: z.string(),
  status: z.string().describe('Lead status'),
  channel: z.enum(DECIDED_CHANNELS),
  reason: z.string().describe('Why this channel (pt-BR)'),
  template: z.string().nullable(),
  destination: z.string().nullable().describe('Masked'),
  timezone: z.string(),
  would_send_now: z.boolean(),
  block_code: z.enum(BLOCK_CODES).nullable(),
  block_reason: z.string().nullable(),
  scheduled_for: z.string().nullable().describe('When a deferred send would go (ISO)'),
  message: z.string().nullable(),
  subject: z.string().nullable(),
});
export type ChannelDecision = z.infer<typeof channelDecision>;

/**
 * A decision in a dry run's sample: what would go, to whom, or why not. The enums are plain strings
 * here: the sample is for reading, and every byte of tools/list counts.
 */
export const decisionSample = channelDecision
  .omit({ status: true, reason: true, timezone: true, would_send_now: true })
  .extend({ channel: z.string(), block_code: z.string().nullable() });
export type DecisionSample = z.infer<typeof decisionSample>;

export const decideChannelInput = {
  lead_id: uuid().optional().describe('One lead, with its rendered message'),
  lead_ids: z.array(uuid()).min(1).max(1000).optional(),
  template_whatsapp: z.string().max(100).optional(),
  template_email: z.string().max(100).optional(),
};
export const decideChannelOutput = { decisions: z.array(channelDecision) };

/**
 * Per lead: the channel by the seed's rule (a valid WhatsApp mobile → e-mail → none), the template and
 * every policy gate, with whether it would go now or when. Reads only. One lead also gets its rendered
 * message. Ids of other tenants or of no lead are left out (one lead_id that is not found is an error).
 */
export async function decideChannel(
  scope: Scope,
  input: Infer<typeof decideChannelInput>,
): Promise<Infer<typeof decideChannelOutput>> {
  const ids = [...new Set(input.lead_id ? [input.lead_id] : (input.lead_ids ?? []))];
  if (!ids.length) throw new AppError('invalid_argument', 'Give lead_id (one lead) or lead_ids (up to 1000).');
  const choice = { whatsapp: input.template_whatsapp, email: input.template_email };
  const { ctx, rows } = await decideTargeted(scope, choice, ids);
  if (input.lead_id && !rows.length) throw notFound('Lead', input.lead_id);
  return { decisions: rows.map((d) => toChannelDecision(d, ids.length === 1 ? renderDecision(d, ctx) : null)) };
}

/** Which form a WhatsApp message takes, and why (core/templates/approved.ts). */
const FORM_REASON = {
  modelo: 'fora da janela de 24 h (a pessoa não escreveu nas últimas 24 h): vai como modelo aprovado',
  texto_livre:
    'dentro da janela de 24 h (a pessoa escreveu há menos de 24 h) ou provedor sem modelos: vai como texto livre',
} as const;

/** A decision row as callers read it: English fields, the destination masked, dates as ISO. */
export function toChannelDecision(d: DecisionRow, preview: RenderedPreview | null): ChannelDecision {
  return {
    lead_id: d.lead_id,
    name: d.nome,
    status: d.status,
    channel: d.canal,
    reason: d.forma ? `${d.motivo}; ${FORM_REASON[d.forma]}` : d.motivo,
    template: d.template,
    destination: maskDestination(d.canal, d),
    timezone: d.timezone,
    would_send_now: d.seria_enviado_agora,
    block_code: d.codigo_bloqueio,
    block_reason: d.razao_bloqueio,
    scheduled_for: d.previsto_para ? new Date(d.previsto_para).toISOString() : null,
    message: preview?.text ?? null,
    subject: preview?.subject ?? null,
  };
}

/** A decision row as a dry run's sample item. */
export function toDecisionSample(d: DecisionRow, preview: RenderedPreview | null): DecisionSample {
  const { status: _s, reason: _r, timezone: _t, would_send_now: _w, ...sample } = toChannelDecision(d, preview);
  return sample;
}
