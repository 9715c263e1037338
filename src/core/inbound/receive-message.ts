import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { transitionLeads } from '../leads/transition.js';
import type { Attribution, InboundProvider, LeadStatus, ReplyClass, SendChannel } from '../model/index.js';
import { addSuppression, optOutLead } from '../outreach/suppression.js';
import { classifyReply, type ReplyClassification } from '../replies/classify.js';
import { confirmNextMeeting } from '../replies/confirm-meeting.js';
import { attribute, type Attributed } from './attribute.js';
import type { InboundMessage } from './parse/index.js';
import { insertLeadEvents } from './sql/lead-event.js';

/** A reply (other than an opt-out) moves a lead from these to respondeu; leads further on stay. */
const REPLIED_FROM: readonly LeadStatus[] = ['novo', 'em_disparo', 'contatado'];

/** How far ahead of our clock a provider's time may be (clock skew) before the message is refused. */
export const FUTURE_SKEW_MS = 5 * 60_000;

export interface ReceiveContext {
  tenantId: string;
  actor: string;
  now: Date;
  provider: InboundProvider;
  eventId: string | null;
}

export interface Received {
  inbound_message_id: string;
  duplicate: boolean;
  lead_id: string | null;
  attribution: Attribution;
  candidate_lead_ids: string[];
  class: ReplyClass;
  confidence: number;
  reason: string;
  suggested_action: string;
  lead_status: LeadStatus | null;
  suppressed: boolean;
  confirmed_agendamento_id: string | null;
}

/**
 * One inbound message, whichever way it came (webhook, polling, pasted): stored once per provider
 * message id (a repeat returns the first outcome), attributed (attribute.ts), classified opt-out first,
 * and acted on inside the caller's transaction:
 * - opt-out: a lead known for certain is opted out on every channel; the sender's destination is
 *   suppressed in every case — for every lead who shares it, since its owner said stop;
 * - anything else moves the lead to respondeu (a confirmation confirms its next meeting) — but only
 *   when the lead is certain: an `ambigua` message is attached to the most likely lead and listed for
 *   a human, nothing moves on a guess.
 * Every message is a `resposta` lead event on the lead it is attached to.
 */
export async function receiveMessage(tx: Tx, ctx: ReceiveContext, m: InboundMessage): Promise<Received> {
  if (m.receivedAt.getTime() > ctx.now.getTime() + FUTURE_SKEW_MS)
    throw new AppError(
      'invalid_argument',
      `received_at ${m.receivedAt.toISOString()} is in the future (now ${ctx.now.toISOString()}): give the time the message was received.`,
    );
  const earlier = await replayed(tx, ctx.tenantId, m.channel, m.providerId);
  if (earlier) return earlier;
  const who = await attribute(tx, ctx.tenantId, m);
  const c = classifyReply(m.text);
  const inserted = await tx
    .insertInto('mensagens_recebidas')
    .values({
      tenant_id: ctx.tenantId,
      lead_id: who.leadId,
      canal: m.channel,
      remetente: m.from.slice(0, 320),
      texto: m.text.slice(0, 65536),
      recebida_em: m.receivedAt,
      message_id_externo: m.providerId.slice(0, 300),
      classe: c.classe,
      confianca: c.confianca,
      provedor: ctx.provider,
      evento_id: ctx.eventId,
      remetente_formas: who.forms,
      responde_a: m.replyTo?.slice(0, 300) ?? null,
      disparo_id: who.disparoId,
      atribuicao: who.attribution,
      leads_candidatos: who.candidates,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'canal', 'message_id_externo']).doNothing())
    .returning('mensagem_id')
    .executeTakeFirst();
  // A concurrent transaction stored the same message first: its outcome is the outcome.
  if (!inserted) return (await replayed(tx, ctx.tenantId, m.channel, m.providerId))!;
  const confirmed = await actOn(tx, ctx, m, c, who);
  if (who.leadId)
    await insertLeadEvents(
      tx,
      ctx.tenantId,
      [
        {
          leadId: who.leadId,
          tipo: 'resposta',
          motivo: `resposta (${c.classe}, ${who.attribution}) por ${m.channel}: "${m.text.slice(0, 80)}"`,
          dados: { mensagem_id: inserted.mensagem_id, atribuicao: who.attribution, candidatos: who.candidates.length },
        },
      ],
      ctx.actor,
    );
  return {
    inbound_message_id: inserted.mensagem_id,
    duplicate: false,
    lead_id: who.leadId,
    attribution: who.attribution,
    candidate_lead_ids: who.candidates,
    class: c.classe,
    confidence: c.confianca,
    reason: c.motivo,
    suggested_action: confirmed
      ? `Reunião ${confirmed} confirmada pelo lead; o lembrete sai com send_reminders perto da data`
      : who.attribution === 'ambigua' && c.classe !== 'opt_out'
        ? `Destino compartilhado por ${who.candidates.length} leads: confirme com quem falou antes de agir (${c.acao_sugerida})`
        : c.acao_sugerida,
    lead_status: who.leadId ? await statusOf(tx, who.leadId) : null,
    suppressed: c.classe === 'opt_out',
    confirmed_agendamento_id: confirmed,
  };
}

/** What the reply does; returns a meeting it confirmed. */
async function actOn(
  tx: Tx,
  ctx: ReceiveContext,
  m: InboundMessage,
  c: ReplyClassification,
  who: Attributed,
): Promise<string | null> {
  const quoted = `"${m.text.slice(0, 80)}"`;
  const certain = who.attribution === 'contexto' || who.attribution === 'destino';
  if (c.classe === 'opt_out') {
    if (certain && who.leadId)
      await optOutLead(tx, ctx.tenantId, who.leadId, `respondeu ${quoted} (${m.channel})`, ctx.actor);
    if (who.canonical)
      await addSuppression(tx, ctx.tenantId, {
        tipo: m.channel === 'whatsapp' ? 'telefone' : 'email',
        valor: who.canonical,
        origem: 'opt_out',
        leadId: certain ? who.leadId : null,
        ator: ctx.actor,
        motivo:
          who.attribution === 'ambigua'
            ? `opt-out de destino compartilhado por ${who.candidates.length} leads: ${quoted}`
            : who.leadId
              ? `opt-out: ${quoted}`
              : `opt-out de remetente desconhecido: ${quoted}`,
      });
    if (who.attribution === 'ambigua')
      await insertLeadEvents(
        tx,
        ctx.tenantId,
        who.candidates.map((leadId) => ({
          leadId,
          tipo: 'nota' as const,
          motivo: `destino ${m.channel} suprimido: quem o usa pediu para sair (${quoted}); destino compartilhado`,
          dados: { destino_suprimido: who.canonical },
        })),
        ctx.actor,
      );
    return null;
  }
  if (!certain || !who.leadId) return null;
  await transitionLeads(tx, ctx.tenantId, [who.leadId], 'respondeu', {
    from: REPLIED_FROM,
    reason: `resposta (${c.classe}): ${quoted}`,
    actor: ctx.actor,
  });
  if (c.classe !== 'confirmacao') return null;
  return confirmNextMeeting(
    tx,
    ctx.tenantId,
    who.leadId,
    { text: m.text, receivedAt: m.receivedAt },
    { actor: ctx.actor, now: ctx.now },
  );
}

/** The first outcome of a message already stored (same channel and provider id), or undefined. */
async function replayed(
  tx: Tx,
  tenantId: string,
  channel: SendChannel,
  providerId: string,
): Promise<Received | undefined> {
  const m = await tx
    .selectFrom('mensagens_recebidas')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('canal', '=', channel)
    .where('message_id_externo', '=', providerId.slice(0, 300))
    .executeTakeFirst();
  if (!m) return undefined;
  const c = classifyReply(m.texto);
  return {
    inbound_message_id: m.mensagem_id,
    duplicate: true,
    lead_id: m.lead_id,
    attribution: m.atribuicao,
    candidate_lead_ids: m.leads_candidatos,
    class: m.classe,
    confidence: Number(m.confianca),
    reason: c.motivo,
    suggested_action: c.acao_sugerida,
    lead_status: m.lead_id ? await statusOf(tx, m.lead_id) : null,
    suppressed: m.classe === 'opt_out',
    confirmed_agendamento_id: null,
  };
}

const statusOf = async (tx: Tx, leadId: string): Promise<LeadStatus | null> =>
  (await tx.selectFrom('leads').select('status').where('lead_id', '=', leadId).executeTakeFirst())?.status ?? null;
