/** What a briefing reads: the lead (or a meeting's lead) with its messages, replies and meetings. */
import type { Tx } from '../../db/tenant.js';
import { notFound } from '../errors.js';
import { getLead, type LeadDetail } from '../leads/query.js';
import type { BriefingInput, BriefingLead } from './build.js';

/** How much history a briefing reads: enough for a conversation, bounded for a lead messaged for years. */
const HISTORY_LIMIT = 200;

/** The lead's record as the briefing reads it: the one place that knows LeadDetail's field names. */
export function briefingLead(d: LeadDetail): BriefingLead {
  return {
    lead_id: d.lead_id,
    name: d.nome,
    contact_name: d.contato_nome,
    document: d.documento,
    document_type: d.documento_tipo as BriefingLead['document_type'],
    document_valid: d.documento_valido,
    status: d.status as BriefingLead['status'],
    timezone: d.timezone,
    legal_basis: d.base_legal,
    extra: d.dados_extras,
    whatsapp: d.whatsapp,
    email: d.email,
    phones: d.telefones.map((p) => ({
      e164: p.numero_e164,
      original: p.numero_original,
      type: p.tipo,
      sendable: p.valido_para_disparo,
      invalid_reason: p.motivo_invalido,
      repaired: p.reparado,
    })),
    emails: d.emails.map((e) => ({
      normalized: e.email_normalizado,
      original: e.email_original,
      sendable: e.valido_para_disparo,
      invalid_reason: e.motivo_invalido,
    })),
    history: d.historico.map((h) => ({
      type: h.tipo,
      from_status: h.status_de,
      to_status: h.status_para,
      reason: h.motivo,
      at: h.em,
    })),
  };
}

/** The lead a briefing is about: the one given, or the meeting's. */
async function targetLead(tx: Tx, tenantId: string, t: { leadId?: string; agendamentoId?: string }) {
  if (!t.agendamentoId) return t.leadId;
  const ag = await tx
    .selectFrom('agendamentos')
    .select('lead_id')
    .where('tenant_id', '=', tenantId)
    .where('agendamento_id', '=', t.agendamentoId)
    .executeTakeFirst();
  if (!ag) throw notFound('Agendamento', t.agendamentoId);
  return ag.lead_id;
}

/** Reads everything the briefing of a lead (or of a meeting's lead) is built from. */
export async function loadBriefingInput(
  tx: Tx,
  tenantId: string,
  target: { leadId?: string; agendamentoId?: string },
  now: Date,
): Promise<BriefingInput> {
  const leadId = await targetLead(tx, tenantId, target);
  if (!leadId) throw notFound('Lead', '(none given)');
  const lead = await getLead(tx, tenantId, leadId);
  if (!lead) throw notFound('Lead', leadId);
  const [disparos, replies, meetings] = await Promise.all([
    tx
      .selectFrom('disparos')
      .select(['disparo_id', 'canal', 'template', 'status', 'motivo', 'erro', 'conteudo', 'enviado_em'])
      .select(['created_at', 'updated_at'])
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', leadId)
      .orderBy('created_at', 'desc')
      .limit(HISTORY_LIMIT)
      .execute(),
    tx
      .selectFrom('mensagens_recebidas')
      .select(['canal', 'texto', 'classe', 'recebida_em'])
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', leadId)
      .orderBy('recebida_em', 'desc')
      .limit(HISTORY_LIMIT)
      .execute(),
    tx
      .selectFrom('agendamentos')
      .select(['agendamento_id', 'inicio', 'fim', 'timezone', 'titulo', 'local', 'status', 'erro', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', leadId)
      .orderBy('inicio', 'desc')
      .limit(HISTORY_LIMIT)
      .execute(),
  ]);
  const d = (v: Date | string) => (v instanceof Date ? v : new Date(v));
  return {
    lead: briefingLead(lead),
    disparos: disparos.map((r) => ({
      ...r,
      enviado_em: r.enviado_em ? d(r.enviado_em) : null,
      created_at: d(r.created_at),
      updated_at: d(r.updated_at),
    })),
    replies: replies.map((r) => ({ ...r, recebida_em: d(r.recebida_em) })),
    meetings: meetings.map((r) => ({ ...r, inicio: d(r.inicio), fim: d(r.fim), created_at: d(r.created_at) })),
    agendamentoId: target.agendamentoId,
    now,
  };
}
