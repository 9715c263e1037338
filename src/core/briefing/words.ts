/** How the briefing words things in pt-BR: reply classes, meeting statuses, times, clipped quotes. */
import { localLabel } from '../time/index.js';

export const REPLY_CLASS_PT: Readonly<Record<string, string>> = {
  opt_out: 'pediu para sair',
  confirmacao: 'confirmou',
  interesse: 'demonstrou interesse',
  recusa: 'recusou',
  pergunta: 'fez uma pergunta',
  outro: 'respondeu',
};

/** LGPD art. 7 bases as the briefing names them. */
export const LEGAL_BASIS_PT: Readonly<Record<string, string>> = {
  protecao_credito: 'proteção do crédito (LGPD art. 7º, X)',
  legitimo_interesse: 'legítimo interesse (LGPD art. 7º, IX)',
  execucao_contrato: 'execução de contrato (LGPD art. 7º, V)',
  consentimento: 'consentimento (LGPD art. 7º, I)',
  obrigacao_legal: 'obrigação legal (LGPD art. 7º, II)',
};

export const MEETING_STATUS_PT: Readonly<Record<string, string>> = {
  pendente: 'pendente (criação no calendário não concluída)',
  agendado: 'agendada, aguardando confirmação',
  confirmado: 'confirmada',
  cancelado: 'cancelada',
  realizado: 'realizada',
  nao_compareceu: 'o lead não compareceu',
  falhou: 'falhou no calendário',
  incerto: 'resultado incerto no calendário (verificar se o evento existe)',
};

export const channelPt = (canal: 'whatsapp' | 'email') => (canal === 'whatsapp' ? 'WhatsApp' : 'e-mail');

/** "terça-feira, 01/12/2026 às 10:00 (horário de Manaus)": a meeting's time, with the year. */
export const meetingTime = (at: Date, timeZone: string): string => localLabel(at, timeZone).longLabel;

/** One line, at most `max` characters (an ellipsis marks the cut). */
export function clip(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Quotes are clipped to this length. */
export const TEXT_MAX = 160;
