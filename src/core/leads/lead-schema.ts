import { z } from 'zod';
import type { LeadDetail, LeadSummary } from './query.js';

/**
 * A lead as tools and resources publish it: English field names (the field-language rule), stored
 * values (statuses, phone types, reasons) as stored. The mappers are the one place a stored lead
 * (query.ts, pt-BR columns) becomes this shape.
 */

export const LeadSummarySchema = z.object({
  lead_id: z.string(),
  name: z.string(),
  contact_name: z.string().nullable(),
  document: z.string().nullable(),
  document_type: z.string().nullable(),
  document_valid: z.boolean(),
  status: z.string(),
  timezone: z.string(),
  whatsapp: z.string().nullable(),
  email: z.string().nullable(),
  created_at: z.string(),
  last_delivery: z.string().nullable(),
});
export type LeadSummaryOut = z.infer<typeof LeadSummarySchema>;

export const LeadSchema = LeadSummarySchema.extend({
  legal_basis: z.string(),
  external_id: z.string().nullable(),
  extra: z.record(z.string(), z.unknown()),
  origin: z.array(z.unknown()).describe('Source rows: file, sheet, row, job_id, imported_at, legal_basis'),
  phones: z.array(
    z.object({
      original: z.string(),
      e164: z.string().nullable(),
      type: z.string(),
      sendable: z.boolean(),
      invalid_reason: z.string().nullable(),
      repaired: z.boolean(),
    }),
  ),
  emails: z.array(
    z.object({
      original: z.string(),
      normalized: z.string().nullable(),
      sendable: z.boolean(),
      invalid_reason: z.string().nullable(),
    }),
  ),
  history: z.array(
    z.object({
      type: z.string(),
      from_status: z.string().nullable(),
      to_status: z.string().nullable(),
      reason: z.string(),
      actor: z.string(),
      at: z.string(),
    }),
  ),
});
export type LeadOut = z.infer<typeof LeadSchema>;

/** What a lead has beyond its summary: query_leads gives the summary in `leads` and this in `lead`. */
export const LeadDetailSchema = LeadSchema.omit(
  Object.fromEntries(Object.keys(LeadSummarySchema.shape).map((k) => [k, true])) as {
    [K in keyof LeadSummaryOut]: true;
  },
);
export type LeadDetailOut = z.infer<typeof LeadDetailSchema>;

/** A full lead split into its summary and the rest. */
export function splitLead(lead: LeadOut): { summary: LeadSummaryOut; detail: LeadDetailOut } {
  const { legal_basis, external_id, extra, origin, phones, emails, history, ...summary } = lead;
  return { summary, detail: { legal_basis, external_id, extra, origin, phones, emails, history } };
}

/** A lead's meetings as lead://{id} lists them (latest start first, at most 20). */
export const LeadAgendamentosSchema = z.array(
  z.object({ agendamento_id: z.string(), status: z.string(), start: z.string(), label: z.string() }),
);

export function leadSummaryOut(l: LeadSummary): LeadSummaryOut {
  return {
    lead_id: l.lead_id,
    name: l.nome,
    contact_name: l.contato_nome,
    document: l.documento,
    document_type: l.documento_tipo,
    document_valid: l.documento_valido,
    status: l.status,
    timezone: l.timezone,
    whatsapp: l.whatsapp,
    email: l.email,
    created_at: l.created_at,
    last_delivery: l.ultima_entrega,
  };
}

export function leadOut(l: LeadDetail): LeadOut {
  return {
    ...leadSummaryOut(l),
    legal_basis: l.base_legal,
    external_id: l.lead_id_externo,
    extra: l.dados_extras,
    origin: l.origem.map(originOut),
    phones: l.telefones.map((t) => ({
      original: t.numero_original,
      e164: t.numero_e164,
      type: t.tipo,
      sendable: t.valido_para_disparo,
      invalid_reason: t.motivo_invalido,
      repaired: t.reparado,
    })),
    emails: l.emails.map((e) => ({
      original: e.email_original,
      normalized: e.email_normalizado,
      sendable: e.valido_para_disparo,
      invalid_reason: e.motivo_invalido,
    })),
    history: l.historico.map((h) => ({
      type: h.tipo,
      from_status: h.status_de,
      to_status: h.status_para,
      reason: h.motivo,
      actor: h.ator,
      at: h.em,
    })),
  };
}

export function agendamentosOut(l: LeadDetail): z.infer<typeof LeadAgendamentosSchema> {
  return l.reunioes.map((r) => ({
    agendamento_id: r.agendamento_id,
    status: r.status,
    start: r.inicio,
    label: r.rotulo,
  }));
}

/** An origem entry (ingest/merge-rows.ts: arquivo, aba, linha, job_id, importado_em) in English. */
function originOut(o: unknown): unknown {
  if (!o || typeof o !== 'object') return o;
  const { arquivo, aba, linha, job_id, importado_em, base_legal, ...rest } = o as Record<string, unknown>;
  const basis = base_legal === undefined ? {} : { legal_basis: base_legal };
  return { file: arquivo, sheet: aba, row: linha, job_id, imported_at: importado_em, ...basis, ...rest };
}
