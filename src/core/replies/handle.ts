import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { transitionLead } from '../leads/transition.js';
import { normalizeEmail, normalizePhone, phoneVariants } from '../normalize/index.js';
import { addSuppression, optOutLead } from '../outreach/suppression.js';
import { classifyReply, type ReplyClass } from './classify.js';

export interface InboundReply {
  canal: 'whatsapp' | 'email';
  from: string;
  text: string;
  receivedAt: Date;
  messageId: string;
}

export interface ReplyOutcome {
  mensagem_id: string;
  duplicada: boolean;
  lead_id: string | null;
  classe: ReplyClass;
  confianca: number;
  motivo: string;
  acao_sugerida: string;
  lead_status: string | null;
  suprimido: boolean;
  /** The meeting this reply confirmed (the lead's next agendado meeting), if any. */
  reuniao_confirmada: string | null;
}

/**
 * One inbound reply: stored once per downstream message id (a repeat returns the first outcome),
 * matched to its lead (a WhatsApp number in either the 8- or 9-digit form, or the wa_id we kept; an
 * e-mail address), classified with opt-out first, and acted on: an opt-out suppresses the person on
 * every channel at once (even when the sender matches no lead); any other answer moves the lead to
 * `respondeu`. Unknown senders are recorded, never dropped.
 */
export async function handleReply(tx: Tx, tenantId: string, r: InboundReply, actor: string): Promise<ReplyOutcome> {
  const existing = await tx
    .selectFrom('mensagens_recebidas')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('canal', '=', r.canal)
    .where('message_id_externo', '=', r.messageId)
    .executeTakeFirst();
  if (existing) {
    const c = classifyReply(existing.texto);
    const lead = existing.lead_id
      ? await tx.selectFrom('leads').select('status').where('lead_id', '=', existing.lead_id).executeTakeFirst()
      : undefined;
    return {
      mensagem_id: existing.mensagem_id,
      duplicada: true,
      lead_id: existing.lead_id,
      classe: existing.classe as ReplyClass,
      confianca: Number(existing.confianca),
      motivo: c.motivo,
      acao_sugerida: c.acao_sugerida,
      lead_status: lead?.status ?? null,
      suprimido: existing.classe === 'opt_out',
      reuniao_confirmada: null,
    };
  }
  const c = classifyReply(r.text);
  const { leadId, canonical } = await findLead(tx, tenantId, r);
  const inserted = await tx
    .insertInto('mensagens_recebidas')
    .values({
      tenant_id: tenantId,
      lead_id: leadId,
      canal: r.canal,
      remetente: r.from.slice(0, 320),
      texto: r.text,
      recebida_em: r.receivedAt,
      message_id_externo: r.messageId,
      classe: c.classe,
      confianca: c.confianca,
    })
    .returning('mensagem_id')
    .executeTakeFirstOrThrow();
  let suprimido = false;
  let reuniaoConfirmada: string | null = null;
  if (c.classe === 'opt_out') {
    suprimido = true;
    if (leadId) {
      await optOutLead(tx, tenantId, leadId, `respondeu "${r.text.slice(0, 80)}" (${r.canal})`, actor);
    } else if (canonical) {
      await addSuppression(tx, tenantId, {
        tipo: r.canal === 'whatsapp' ? 'telefone' : 'email',
        valor: canonical,
        origem: 'opt_out',
        ator: actor,
        motivo: `opt-out de remetente desconhecido: "${r.text.slice(0, 80)}"`,
      });
    }
  } else if (leadId) {
    const cur = await tx.selectFrom('leads').select('status').where('lead_id', '=', leadId).executeTakeFirstOrThrow();
    if (['novo', 'em_disparo', 'contatado'].includes(cur.status)) {
      await transitionLead(tx, tenantId, leadId, 'respondeu', {
        reason: `resposta (${c.classe}): "${r.text.slice(0, 80)}"`,
        actor,
      });
    }
    if (c.classe === 'confirmacao') reuniaoConfirmada = await confirmNextMeeting(tx, tenantId, leadId, r, actor);
  }
  const status = leadId
    ? (await tx.selectFrom('leads').select('status').where('lead_id', '=', leadId).executeTakeFirstOrThrow()).status
    : null;
  return {
    mensagem_id: inserted.mensagem_id,
    duplicada: false,
    lead_id: leadId,
    classe: c.classe,
    confianca: c.confianca,
    motivo: c.motivo,
    suprimido,
    lead_status: status,
    reuniao_confirmada: reuniaoConfirmada,
    acao_sugerida: reuniaoConfirmada
      ? `Reunião ${reuniaoConfirmada} confirmada pelo lead; o lembrete sai com send_reminders perto da data`
      : c.acao_sugerida,
  };
}

/**
 * A "confirmado" from a lead confirms their next meeting still waiting for it (agendado, starting after
 * the reply): the meeting and the lead move to confirmado. Only our records change; the calendar event
 * stays as it is. Returns the meeting's id, or null when there is none to confirm.
 */
async function confirmNextMeeting(
  tx: Tx,
  tenantId: string,
  leadId: string,
  r: InboundReply,
  actor: string,
): Promise<string | null> {
  const next = await tx
    .selectFrom('agendamentos')
    .select('agendamento_id')
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .where('status', '=', 'agendado')
    .where('inicio', '>', r.receivedAt)
    .orderBy('inicio')
    .limit(1)
    .executeTakeFirst();
  if (!next) return null;
  const done = await tx
    .updateTable('agendamentos')
    .set({ status: 'confirmado', updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('agendamento_id', '=', next.agendamento_id)
    .where('status', '=', 'agendado')
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) return null;
  const lead = await tx
    .selectFrom('leads')
    .select('status')
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .executeTakeFirstOrThrow();
  if (lead.status === 'agendado') {
    await transitionLead(tx, tenantId, leadId, 'confirmado', {
      from: ['agendado'],
      actor,
      reason: `reunião ${next.agendamento_id} confirmada pela resposta: "${r.text.slice(0, 80)}"`,
    });
  }
  return next.agendamento_id;
}

async function findLead(
  tx: Tx,
  tenantId: string,
  r: InboundReply,
): Promise<{ leadId: string | null; canonical: string | null }> {
  if (r.canal === 'whatsapp') {
    // "5531987654321", "+55 31 8765-4321", "553187654321@s.whatsapp.net": every form a reply arrives in.
    const digits = r.from.replace(/@.*$/, '').replace(/\D/g, '');
    if (!digits) throw new AppError('invalid_argument', `"${r.from}" is not a phone number or WhatsApp id.`);
    const p = normalizePhone(digits.startsWith('55') && digits.length >= 12 ? `+${digits}` : r.from);
    const variants = p.numero_e164 ? phoneVariants(p.numero_e164) : [];
    const { rows } = await sql<{ lead_id: string }>`
      select lt.lead_id from lead_telefones lt
      left join lateral (select max(d.enviado_em) as ultimo from disparos d where d.lead_id = lt.lead_id and d.status = 'enviado') u on true
      where lt.tenant_id = ${tenantId} and (lt.numero_e164 = any(${variants}::text[]) or lt.wa_id = ${digits})
      order by u.ultimo desc nulls last, lt.created_at
      limit 1`.execute(tx);
    return { leadId: rows[0]?.lead_id ?? null, canonical: p.numero_e164 };
  }
  const e = normalizeEmail(r.from);
  if (!e.email_normalizado) throw new AppError('invalid_argument', `"${r.from}" is not an e-mail address.`);
  const { rows } = await sql<{ lead_id: string }>`
    select le.lead_id from lead_emails le
    left join lateral (select max(d.enviado_em) as ultimo from disparos d where d.lead_id = le.lead_id and d.status = 'enviado') u on true
    where le.tenant_id = ${tenantId} and le.email_normalizado = ${e.email_normalizado}
    order by u.ultimo desc nulls last, le.created_at
    limit 1`.execute(tx);
  return { leadId: rows[0]?.lead_id ?? null, canonical: e.email_normalizado };
}
