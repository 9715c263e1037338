/** What is still open with the lead, and the agenda the briefing suggests. */
import { formatDocument } from '../normalize/index.js';
import type { BriefingInput, BriefingMeeting } from './build.js';
import { clip, meetingTime, MEETING_STATUS_PT, TEXT_MAX } from './words.js';

/** How an unanswered question starts, so the agenda can add its item. */
export const OPEN_QUESTION = 'Pergunta do lead ainda sem resposta';

/** Money-ish keys of the spreadsheet's extra columns, for a collections or sales conversation. */
const BUSINESS = /valor|saldo|d[ée]bito|d[íi]vida|parcela|vencimento|fatura|contrato|plano|produto|proposta/i;

const latestReply = (input: BriefingInput) =>
  [...input.replies].sort((a, b) => b.recebida_em.getTime() - a.recebida_em.getTime())[0];

export function openPoints(input: BriefingInput, meeting: BriefingMeeting | null): string[] {
  const { lead } = input;
  const points: string[] = [];
  if (lead.status === 'opt_out')
    points.push('O lead pediu para não ser contatado (opt-out): não enviar mensagens por nenhum canal.');
  if (lead.status === 'perdido') points.push('Lead marcado como perdido.');
  points.push(...replyPoints(input, meeting), ...meetingPoints(input, meeting));
  if (!lead.document) points.push('Sem CNPJ/CPF na planilha: confirmar o documento na conversa.');
  else if (!lead.document_valid)
    points.push(
      `Documento ${formatDocument(lead.document)} com dígitos verificadores inválidos: confirmar na conversa.`,
    );
  if (!lead.whatsapp && !lead.email)
    points.push('Nenhum canal válido (sem celular com WhatsApp nem e-mail válido): pedir um contato atualizado.');
  const invalidPhones = lead.phones.filter((t) => !t.sendable).length;
  if (invalidPhones) points.push(`${invalidPhones} telefone(s) sem WhatsApp ou inválido(s) no cadastro.`);
  if (lead.phones.some((t) => t.repaired))
    points.push('Telefone antigo de 8 dígitos corrigido com o 9: confirmar o número.');
  for (const d of input.disparos) {
    if (d.status === 'incerto')
      points.push(
        `Mensagem ${d.template} por ${d.canal} com resultado incerto (${d.updated_at.toISOString().slice(0, 10)}): ` +
          'verificar se chegou antes de reenviar.',
      );
  }
  const failed = input.disparos.filter((d) => d.status === 'falhou');
  const last = failed[failed.length - 1];
  if (last)
    points.push(
      `${failed.length} mensagem(ns) falharam; última: ${clip(last.erro ?? last.motivo ?? 'sem detalhe', 100)}.`,
    );
  return points;
}

/** The lead's last reply: an open question, interest without a meeting, a refusal. */
function replyPoints(input: BriefingInput, meeting: BriefingMeeting | null): string[] {
  const last = latestReply(input);
  if (!last) return [];
  const points: string[] = [];
  const after = last.recebida_em.getTime();
  // Answered: a message went out after it, or (for "shall we talk?") a meeting was booked after it.
  const answered =
    input.disparos.some((d) => d.status === 'enviado' && d.enviado_em && d.enviado_em.getTime() > after) ||
    input.meetings.some((m) => m.created_at.getTime() > after && m.status !== 'falhou');
  if ((last.classe === 'pergunta' || last.texto.includes('?')) && !answered)
    points.push(`${OPEN_QUESTION}: «${clip(last.texto, TEXT_MAX)}»`);
  if (last.classe === 'interesse' && !meeting)
    points.push('O lead demonstrou interesse e ainda não há reunião marcada: proponha horários (propose_slots).');
  if (last.classe === 'recusa')
    points.push(`O lead recusou: «${clip(last.texto, TEXT_MAX)}». Entender o motivo antes de insistir.`);
  return points;
}

/** The meeting briefed (unconfirmed, cancelled, already past) and the other meetings' calendar problems. */
function meetingPoints(input: BriefingInput, meeting: BriefingMeeting | null): string[] {
  const points: string[] = [];
  if (meeting) {
    if (meeting.status === 'agendado') points.push('Reunião ainda não confirmada pelo lead.');
    if (meeting.status === 'cancelado' || meeting.status === 'falhou')
      points.push(`Reunião ${MEETING_STATUS_PT[meeting.status]}: remarcar se fizer sentido.`);
    const standing = meeting.status === 'agendado' || meeting.status === 'confirmado';
    if (meeting.inicio.getTime() < input.now.getTime() && standing)
      points.push('A reunião já começou ou passou: registrar se foi realizada ou se o lead não compareceu.');
  }
  for (const m of input.meetings) {
    const when = meetingTime(m.inicio, m.timezone);
    if (m.status === 'incerto')
      points.push(`Reunião de ${when} com resultado incerto no calendário: verificar se o evento foi criado.`);
    if (m.status === 'falhou' && m.erro && m !== meeting)
      points.push(`Reunião de ${when} falhou no calendário: ${clip(m.erro, 120)}`);
  }
  return points;
}

export function agenda(input: BriefingInput, openQuestion: boolean): string[] {
  const { lead } = input;
  const items = [`Apresentação e confirmação dos dados de ${lead.contact_name ?? 'contato'} (${lead.name}).`];
  const last = latestReply(input);
  if (last) items.push(`Retomar a última mensagem do lead: «${clip(last.texto, TEXT_MAX)}».`);
  const business = Object.entries(lead.extra).filter(([k, v]) => BUSINESS.test(k) && v !== null && v !== '');
  if (business.length) {
    items.push(`Tratar os dados da planilha: ${business.map(([k, v]) => `${k}: ${String(v)}`).join('; ')}.`);
    items.push('Apresentar as condições (valores, prazos, parcelamento) e ouvir a proposta do lead.');
  } else {
    items.push('Entender a necessidade do lead e apresentar a proposta.');
  }
  if (openQuestion) items.push('Responder à pergunta que o lead fez por mensagem e ficou sem resposta.');
  items.push('Combinar os próximos passos, o prazo e o canal preferido para o retorno.');
  return items;
}
