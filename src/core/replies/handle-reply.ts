import { z } from 'zod';
import type { Tx } from '../../db/tenant.js';
import { transitionLeads } from '../leads/transition.js';
import { REPLY_CLASSES, SEND_CHANNELS, type LeadStatus, type ReplyClass } from '../model/index.js';
import { addSuppression, optOutLead } from '../outreach/suppression.js';
import { isoDateTime, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { classifyReply, type ReplyClassification } from './classify.js';
import { confirmNextMeeting } from './confirm-meeting.js';
import { findLead } from './find-lead.js';

export const handleReplyInput = {
  channel: z.enum(SEND_CHANNELS),
  from: z.string().min(3).max(320).describe('Sender phone/WhatsApp id or e-mail'),
  text: z.string().max(4096),
  received_at: isoDateTime(),
  message_id: z.string().min(1).max(300).describe('Downstream message id'),
};

export const handleReplyOutput = {
  inbound_message_id: z.string(),
  duplicate: z.boolean(),
  lead_id: z.string().nullable().describe('null: unknown sender (recorded anyway)'),
  class: z.enum(REPLY_CLASSES),
  confidence: z.number(),
  reason: z.string(),
  suggested_action: z.string(),
  lead_status: z.string().nullable(),
  suppressed: z.boolean().describe('true: the sender is on the suppression list now'),
  confirmed_agendamento_id: z.string().nullable().describe("The lead's next meeting, confirmed by this reply"),
};
type HandleReplyInput = Infer<typeof handleReplyInput>;
type HandleReplyOutput = Infer<typeof handleReplyOutput>;

/** A reply (other than an opt-out) moves a lead from these to respondeu; leads further on stay. */
const REPLIED_FROM: readonly LeadStatus[] = ['novo', 'em_disparo', 'contatado'];

/**
 * One inbound reply: stored once per downstream message id (a repeat returns the first outcome),
 * matched to its lead, classified with opt-out first, and acted on: an opt-out suppresses the person on
 * every channel at once (even when the sender matches no lead); any other answer moves the lead to
 * respondeu, and a confirmation confirms the lead's next meeting. Unknown senders are recorded, never
 * dropped.
 */
export async function handleReply(scope: Scope, input: HandleReplyInput): Promise<HandleReplyOutput> {
  const t = scope.tenant.tenant_id;
  return scope.tx(async (tx) => {
    const earlier = await replayed(tx, t, input);
    if (earlier) return earlier;
    const c = classifyReply(input.text);
    const { leadId, canonical } = await findLead(tx, t, input.channel, input.from);
    const inserted = await tx
      .insertInto('mensagens_recebidas')
      .values({
        tenant_id: t,
        lead_id: leadId,
        canal: input.channel,
        remetente: input.from.slice(0, 320),
        texto: input.text,
        recebida_em: new Date(input.received_at),
        message_id_externo: input.message_id,
        classe: c.classe,
        confianca: c.confianca,
      })
      .returning('mensagem_id')
      .executeTakeFirstOrThrow();
    const confirmed = await actOn(tx, scope, input, c, leadId, canonical);
    return {
      inbound_message_id: inserted.mensagem_id,
      duplicate: false,
      lead_id: leadId,
      ...classification(c),
      lead_status: leadId ? await statusOf(tx, leadId) : null,
      suppressed: c.classe === 'opt_out',
      confirmed_agendamento_id: confirmed,
      suggested_action: confirmed
        ? `Reunião ${confirmed} confirmada pelo lead; o lembrete sai com send_reminders perto da data`
        : c.acao_sugerida,
    };
  });
}

/** What the reply does: an opt-out suppresses; another answer moves the lead on. Returns a confirmed meeting. */
async function actOn(
  tx: Tx,
  scope: Scope,
  input: HandleReplyInput,
  c: ReplyClassification,
  leadId: string | null,
  canonical: string | null,
): Promise<string | null> {
  const t = scope.tenant.tenant_id;
  const actor = scope.actorLabel;
  const quoted = `"${input.text.slice(0, 80)}"`;
  if (c.classe === 'opt_out') {
    if (leadId) await optOutLead(tx, t, leadId, `respondeu ${quoted} (${input.channel})`, actor);
    else if (canonical)
      await addSuppression(tx, t, {
        tipo: input.channel === 'whatsapp' ? 'telefone' : 'email',
        valor: canonical,
        origem: 'opt_out',
        ator: actor,
        motivo: `opt-out de remetente desconhecido: ${quoted}`,
      });
    return null;
  }
  if (!leadId) return null;
  await transitionLeads(tx, t, [leadId], 'respondeu', {
    from: REPLIED_FROM,
    reason: `resposta (${c.classe}): ${quoted}`,
    actor,
  });
  if (c.classe !== 'confirmacao') return null;
  return confirmNextMeeting(
    tx,
    t,
    leadId,
    { text: input.text, receivedAt: new Date(input.received_at) },
    { actor, now: scope.clock.now() },
  );
}

/** The first outcome of a message already handled (same channel and downstream id), or undefined. */
async function replayed(tx: Tx, tenantId: string, input: HandleReplyInput): Promise<HandleReplyOutput | undefined> {
  const m = await tx
    .selectFrom('mensagens_recebidas')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('canal', '=', input.channel)
    .where('message_id_externo', '=', input.message_id)
    .executeTakeFirst();
  if (!m) return undefined;
  const c = classifyReply(m.texto);
  return {
    inbound_message_id: m.mensagem_id,
    duplicate: true,
    lead_id: m.lead_id,
    ...classification(c),
    class: m.classe as ReplyClass,
    confidence: Number(m.confianca),
    lead_status: m.lead_id ? await statusOf(tx, m.lead_id) : null,
    suppressed: m.classe === 'opt_out',
    confirmed_agendamento_id: null,
  };
}

const classification = (c: ReplyClassification) => ({
  class: c.classe,
  confidence: c.confianca,
  reason: c.motivo,
  suggested_action: c.acao_sugerida,
});

const statusOf = async (tx: Tx, leadId: string): Promise<LeadStatus | null> =>
  (await tx.selectFrom('leads').select('status').where('lead_id', '=', leadId).executeTakeFirst())?.status ?? null;
