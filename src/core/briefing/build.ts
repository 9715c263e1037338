import type { LeadDetail } from '../leads/query.js';
import { formatDocument } from '../normalize/index.js';
import { localLabel } from '../meetings/index.js';

/**
 * A pre-meeting briefing: everything a salesperson or collector needs before talking to a lead,
 * built from the lead's own data and history only (no model in the loop). Pure: the loader in
 * ./load.ts reads the rows, this turns them into structured data plus pt-BR markdown.
 */

export interface BriefingDisparo {
  disparo_id: string;
  canal: 'whatsapp' | 'email';
  template: string;
  status: string;
  motivo: string | null;
  erro: string | null;
  conteudo: string | null;
  enviado_em: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface BriefingResposta {
  canal: 'whatsapp' | 'email';
  texto: string;
  classe: string;
  recebida_em: Date;
}

export interface BriefingReuniao {
  agendamento_id: string;
  inicio: Date;
  fim: Date;
  timezone: string;
  titulo: string;
  local: string | null;
  status: string;
  erro: string | null;
  created_at: Date;
}

export interface BriefingInput {
  lead: LeadDetail;
  disparos: BriefingDisparo[];
  respostas: BriefingResposta[];
  reunioes: BriefingReuniao[];
  /** The meeting the briefing is for, when one was asked for (else the next upcoming one, if any). */
  agendamentoId?: string;
  now: Date;
}

export type TimelineKind = 'importacao' | 'mesclagem' | 'transicao' | 'nota' | 'disparo' | 'resposta' | 'reuniao';

export interface TimelineItem {
  em: string;
  tipo: TimelineKind;
  resumo: string;
}

export interface Briefing {
  lead: {
    lead_id: string;
    empresa: string;
    contato: string | null;
    documento: string | null;
    documento_tipo: string | null;
    documento_valido: boolean;
    status: string;
    timezone: string;
    base_legal: string;
    dados_planilha: Record<string, unknown>;
  };
  canais: {
    whatsapp: string | null;
    email: string | null;
    telefones: Array<{ numero: string; tipo: string; valido: boolean; motivo: string | null }>;
    emails: Array<{ email: string; valido: boolean; motivo: string | null }>;
  };
  reuniao: {
    agendamento_id: string;
    inicio: string;
    fim: string;
    inicio_local: string;
    timezone: string;
    titulo: string;
    local: string | null;
    status: string;
  } | null;
  linha_do_tempo: TimelineItem[];
  pontos_em_aberto: string[];
  pauta_sugerida: string[];
}

/** Money-ish keys of the spreadsheet's extra columns, for a collections or sales conversation. */
const NEGOCIO = /valor|saldo|d[ée]bito|d[íi]vida|parcela|vencimento|fatura|contrato|plano|produto|proposta/i;
const TIMELINE_MAX = 50;
const OPEN_QUESTION = 'Pergunta do lead ainda sem resposta';
const TEXT_MAX = 160;

const CLASSE_PT: Record<string, string> = {
  opt_out: 'pediu para sair',
  confirmacao: 'confirmou',
  interesse: 'demonstrou interesse',
  recusa: 'recusou',
  pergunta: 'fez uma pergunta',
  outro: 'respondeu',
};

const REUNIAO_STATUS_PT: Record<string, string> = {
  pendente: 'pendente (criação no calendário não concluída)',
  agendado: 'agendada, aguardando confirmação',
  confirmado: 'confirmada',
  cancelado: 'cancelada',
  realizado: 'realizada',
  nao_compareceu: 'o lead não compareceu',
  falhou: 'falhou no calendário',
  incerto: 'resultado incerto no calendário (verificar se o evento existe)',
};

export function buildBriefing(input: BriefingInput): Briefing {
  const { lead, now } = input;
  const reuniao = pickMeeting(input);
  const timeline = buildTimeline(input);
  const points = openPoints(input, reuniao, now);
  return {
    lead: {
      lead_id: lead.lead_id,
      empresa: lead.nome,
      contato: lead.contato_nome,
      documento: lead.documento ? formatDocument(lead.documento, lead.documento_tipo as 'cpf' | 'cnpj' | null) : null,
      documento_tipo: lead.documento_tipo,
      documento_valido: lead.documento_valido,
      status: lead.status,
      timezone: lead.timezone,
      base_legal: lead.base_legal,
      dados_planilha: lead.dados_extras,
    },
    canais: {
      whatsapp: lead.whatsapp,
      email: lead.email,
      telefones: lead.telefones.map((t) => ({
        numero: t.numero_e164 ?? t.numero_original,
        tipo: t.tipo,
        valido: t.valido_para_disparo,
        motivo: t.motivo_invalido,
      })),
      emails: lead.emails.map((e) => ({
        email: e.email_normalizado ?? e.email_original,
        valido: e.valido_para_disparo,
        motivo: e.motivo_invalido,
      })),
    },
    reuniao: reuniao && {
      agendamento_id: reuniao.agendamento_id,
      inicio: reuniao.inicio.toISOString(),
      fim: reuniao.fim.toISOString(),
      inicio_local: meetingTime(reuniao.inicio, reuniao.timezone),
      timezone: reuniao.timezone,
      titulo: reuniao.titulo,
      local: reuniao.local,
      status: reuniao.status,
    },
    linha_do_tempo: timeline,
    pontos_em_aberto: points,
    pauta_sugerida: agenda(
      input,
      points.some((p) => p.startsWith(OPEN_QUESTION)),
    ),
  };
}

/** The asked-for meeting, else the next one that is still on, else none. */
function pickMeeting(input: BriefingInput): BriefingReuniao | null {
  if (input.agendamentoId) return input.reunioes.find((r) => r.agendamento_id === input.agendamentoId) ?? null;
  const live = input.reunioes
    .filter((r) => (r.status === 'agendado' || r.status === 'confirmado') && r.fim.getTime() >= input.now.getTime())
    .sort((a, b) => a.inicio.getTime() - b.inicio.getTime());
  return live[0] ?? null;
}

function buildTimeline(input: BriefingInput): TimelineItem[] {
  const items: Array<TimelineItem & { t: number }> = [];
  const push = (at: Date | string, tipo: TimelineKind, resumo: string) => {
    const d = at instanceof Date ? at : new Date(at);
    items.push({ t: d.getTime(), em: d.toISOString(), tipo, resumo });
  };
  for (const h of input.lead.historico) {
    const tipo: TimelineKind =
      h.tipo === 'importacao' || h.tipo === 'mesclagem' || h.tipo === 'nota' ? h.tipo : 'transicao';
    const resumo =
      tipo === 'transicao' && h.status_para ? `status ${h.status_de ?? '—'} → ${h.status_para}: ${h.motivo}` : h.motivo;
    push(h.em, tipo, resumo);
  }
  for (const d of input.disparos) {
    const canal = d.canal === 'whatsapp' ? 'WhatsApp' : 'e-mail';
    const quando = d.enviado_em ?? d.updated_at;
    const detalhe =
      d.status === 'enviado'
        ? 'enviada'
        : `${d.status}${d.motivo || d.erro ? ` (${clip(d.motivo ?? d.erro ?? '', 80)})` : ''}`;
    push(quando, 'disparo', `mensagem ${d.template} por ${canal}: ${detalhe}`);
  }
  for (const r of input.respostas) {
    push(
      r.recebida_em,
      'resposta',
      `lead ${CLASSE_PT[r.classe] ?? 'respondeu'} por ${r.canal === 'whatsapp' ? 'WhatsApp' : 'e-mail'}: «${clip(r.texto, TEXT_MAX)}»`,
    );
  }
  for (const m of input.reunioes) {
    push(
      m.created_at,
      'reuniao',
      `reunião "${m.titulo}" para ${meetingTime(m.inicio, m.timezone)} — ${REUNIAO_STATUS_PT[m.status] ?? m.status}`,
    );
  }
  items.sort((a, b) => a.t - b.t);
  // The newest events matter most before a meeting: keep the last TIMELINE_MAX.
  return items.slice(-TIMELINE_MAX).map(({ t: _t, ...rest }) => rest);
}

function openPoints(input: BriefingInput, reuniao: BriefingReuniao | null, now: Date): string[] {
  const { lead, disparos, respostas } = input;
  const points: string[] = [];
  if (lead.status === 'opt_out')
    points.push('O lead pediu para não ser contatado (opt-out): não enviar mensagens por nenhum canal.');
  if (lead.status === 'perdido') points.push('Lead marcado como perdido.');

  const ultimaResposta = [...respostas].sort((a, b) => b.recebida_em.getTime() - a.recebida_em.getTime())[0];
  if (ultimaResposta) {
    const after = ultimaResposta.recebida_em.getTime();
    // Answered: a message went out after it, or (for "shall we talk?") a meeting was booked after it.
    const depois =
      disparos.some((d) => d.status === 'enviado' && d.enviado_em && d.enviado_em.getTime() > after) ||
      input.reunioes.some((m) => m.created_at.getTime() > after && m.status !== 'falhou');
    if ((ultimaResposta.classe === 'pergunta' || ultimaResposta.texto.includes('?')) && !depois)
      points.push(`${OPEN_QUESTION}: «${clip(ultimaResposta.texto, TEXT_MAX)}»`);
    if (ultimaResposta.classe === 'interesse' && !reuniao)
      points.push('O lead demonstrou interesse e ainda não há reunião marcada: proponha horários (propose_slots).');
    if (ultimaResposta.classe === 'recusa')
      points.push(`O lead recusou: «${clip(ultimaResposta.texto, TEXT_MAX)}». Entender o motivo antes de insistir.`);
  }

  if (reuniao) {
    if (reuniao.status === 'agendado') points.push('Reunião ainda não confirmada pelo lead.');
    if (reuniao.status === 'cancelado' || reuniao.status === 'falhou')
      points.push(`Reunião ${REUNIAO_STATUS_PT[reuniao.status]}: remarcar se fizer sentido.`);
    if (
      reuniao.inicio.getTime() < now.getTime() &&
      (reuniao.status === 'agendado' || reuniao.status === 'confirmado')
    ) {
      points.push('A reunião já começou ou passou: registrar se foi realizada ou se o lead não compareceu.');
    }
  }
  for (const m of input.reunioes) {
    if (m.status === 'incerto')
      points.push(
        `Reunião de ${meetingTime(m.inicio, m.timezone)} com resultado incerto no calendário: verificar se o evento foi criado.`,
      );
    if (m.status === 'falhou' && m.erro && m !== reuniao)
      points.push(`Reunião de ${meetingTime(m.inicio, m.timezone)} falhou no calendário: ${clip(m.erro, 120)}`);
  }

  if (!lead.documento) points.push('Sem CNPJ/CPF na planilha: confirmar o documento na conversa.');
  else if (!lead.documento_valido)
    points.push(
      `Documento ${formatDocument(lead.documento)} com dígitos verificadores inválidos: confirmar na conversa.`,
    );
  if (!lead.whatsapp && !lead.email)
    points.push('Nenhum canal válido (sem celular com WhatsApp nem e-mail válido): pedir um contato atualizado.');
  const invalidPhones = lead.telefones.filter((t) => !t.valido_para_disparo).length;
  if (invalidPhones) points.push(`${invalidPhones} telefone(s) sem WhatsApp ou inválido(s) no cadastro.`);
  if (lead.telefones.some((t) => t.reparado))
    points.push('Telefone antigo de 8 dígitos corrigido com o 9: confirmar o número.');

  for (const d of disparos) {
    if (d.status === 'incerto')
      points.push(
        `Mensagem ${d.template} por ${d.canal} com resultado incerto (${d.updated_at.toISOString().slice(0, 10)}): verificar se chegou antes de reenviar.`,
      );
  }
  const falhas = disparos.filter((d) => d.status === 'falhou');
  if (falhas.length)
    points.push(
      `${falhas.length} mensagem(ns) falharam; última: ${clip(falhas[falhas.length - 1]!.erro ?? falhas[falhas.length - 1]!.motivo ?? 'sem detalhe', 100)}.`,
    );
  return points;
}

function agenda(input: BriefingInput, openQuestion: boolean): string[] {
  const { lead, respostas } = input;
  const items = [`Apresentação e confirmação dos dados de ${lead.contato_nome ?? 'contato'} (${lead.nome}).`];
  const ultima = [...respostas].sort((a, b) => b.recebida_em.getTime() - a.recebida_em.getTime())[0];
  if (ultima) items.push(`Retomar a última mensagem do lead: «${clip(ultima.texto, TEXT_MAX)}».`);
  const negocio = Object.entries(lead.dados_extras).filter(([k, v]) => NEGOCIO.test(k) && v !== null && v !== '');
  if (negocio.length) {
    items.push(`Tratar os dados da planilha: ${negocio.map(([k, v]) => `${k}: ${String(v)}`).join('; ')}.`);
    items.push('Apresentar as condições (valores, prazos, parcelamento) e ouvir a proposta do lead.');
  } else {
    items.push('Entender a necessidade do lead e apresentar a proposta.');
  }
  if (openQuestion) items.push('Responder à pergunta que o lead fez por mensagem e ficou sem resposta.');
  items.push('Combinar os próximos passos, o prazo e o canal preferido para o retorno.');
  return items;
}

/** "terça-feira, 01/12/2026 às 10:00 (horário de Manaus)": the meeting's wording, with the year. */
function meetingTime(at: Date, timeZone: string): string {
  const l = localLabel(at, timeZone);
  return `${l.vars.data_reuniao} às ${l.hora} (${l.vars.fuso})`;
}

function clip(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The briefing as markdown (pt-BR), for a person to read before the call. */
export function briefingMarkdown(b: Briefing): string {
  const l = b.lead;
  const out: string[] = [`# Briefing — ${l.empresa}`, ''];
  if (b.reuniao)
    out.push(
      `**Reunião:** ${b.reuniao.titulo} — ${b.reuniao.inicio_local}${b.reuniao.local ? ` — ${b.reuniao.local}` : ''} (${REUNIAO_STATUS_PT[b.reuniao.status] ?? b.reuniao.status})`,
      '',
    );
  out.push('## Empresa e contato');
  out.push(`- Empresa: ${l.empresa}`);
  out.push(`- Contato: ${l.contato ?? '—'}`);
  out.push(
    `- Documento: ${l.documento ? `${l.documento} (${l.documento_tipo?.toUpperCase() ?? '?'}${l.documento_valido ? '' : ', inválido'})` : '—'}`,
  );
  out.push(`- Situação: ${l.status} · fuso ${l.timezone}`);
  const extras = Object.entries(l.dados_planilha);
  if (extras.length) out.push(`- Dados da planilha: ${extras.map(([k, v]) => `${k}: ${String(v)}`).join('; ')}`);
  out.push('', '## Canais');
  out.push(`- WhatsApp: ${b.canais.whatsapp ?? '—'}`);
  out.push(`- E-mail: ${b.canais.email ?? '—'}`);
  for (const t of b.canais.telefones.filter((x) => !x.valido))
    out.push(`- Telefone ${t.numero} (${t.tipo}): ${t.motivo ?? 'não usado para WhatsApp'}`);
  for (const e of b.canais.emails.filter((x) => !x.valido)) out.push(`- E-mail ${e.email}: ${e.motivo ?? 'inválido'}`);
  out.push('', '## Linha do tempo');
  if (!b.linha_do_tempo.length) out.push('- (sem eventos)');
  for (const i of b.linha_do_tempo) out.push(`- ${i.em.slice(0, 16).replace('T', ' ')} UTC — ${i.resumo}`);
  out.push('', '## Pontos em aberto');
  if (!b.pontos_em_aberto.length) out.push('- Nenhum.');
  for (const p of b.pontos_em_aberto) out.push(`- ${p}`);
  out.push('', '## Pauta sugerida');
  b.pauta_sugerida.forEach((p, i) => out.push(`${i + 1}. ${p}`));
  return out.join('\n') + '\n';
}
