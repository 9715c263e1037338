import type { BlockCode } from '../core/model/block-code.js';
import type { ReplyClass } from '../core/model/channel.js';
import type { RefusalReason } from '../core/outreach/channel-port.js';
import { TWILIO_CODES, WHATSAPP_CLOUD_CODES } from '../core/outreach/provider-codes.js';

/**
 * The pt-BR words the campaign App shows for the report's codes (block codes, reply classes, failure
 * codes). Typed by the model's own unions: a new block code or reply class does not compile without its
 * label. Embedded in the App's HTML as JSON; a code the App does not know is shown as it came.
 */
export const BLOCK_LABELS: Record<BlockCode, string> = {
  opt_out: 'Pediu para não receber (opt-out)',
  suprimido: 'Na lista de supressão',
  estado_inelegivel: 'Situação do lead não permite envio',
  sem_canal: 'Sem telefone ou e-mail válido',
  canal_nao_configurado: 'Canal não configurado',
  registro_nao_perturbe: 'Cadastrado no Não Perturbe',
  credor_nao_configurado: 'Credor não configurado',
  contato_compartilhado: 'Contato compartilhado com outro lead',
  divida_prescrita: 'Dívida prescrita',
  variaveis_ausentes: 'Faltam dados para o modelo',
  sem_template_aprovado: 'Sem modelo aprovado (fora da janela de 24 h)',
  template_pausado: 'Modelo pausado pelo WhatsApp',
  template_desativado: 'Modelo desativado pelo WhatsApp',
  marketing_recusado: 'Recusou mensagens de marketing',
  limite_por_destinatario: 'Limite diário por pessoa (adiado)',
  fora_do_horario_cobranca: 'Fora do horário de cobrança (adiado)',
  fora_da_janela: 'Fora da janela de envio (adiado)',
};

export const REPLY_LABELS: Record<ReplyClass, string> = {
  interesse: 'Interesse',
  pergunta: 'Pergunta',
  confirmacao: 'Confirmação',
  recusa: 'Recusa',
  opt_out: 'Opt-out (pediu para sair)',
  outro: 'Outro',
};

const REFUSAL_LABELS: Record<RefusalReason, string> = {
  bad_destination: 'destino inválido',
  not_whatsapp_user: 'número sem WhatsApp',
  template_refused: 'modelo recusado',
  auth: 'credenciais do provedor',
  opted_out: 'pessoa descadastrada',
  refused: 'recusada pela plataforma',
  rate_limited: 'limite de envio da plataforma',
  server_error: 'erro do provedor',
  not_sent: 'não enviada',
};

/** Failure reasons as the report gives them: provider codes (with their meaning) and our own words. */
export function failureLabels(): Record<string, string> {
  const out: Record<string, string> = {
    timeout: 'Sem resposta do provedor (tempo esgotado)',
    '5.1.1': 'E-mail inexistente (5.1.1)',
  };
  for (const [reason, label] of Object.entries(REFUSAL_LABELS)) out[reason] = label[0].toUpperCase() + label.slice(1);
  for (const table of [TWILIO_CODES, WHATSAPP_CLOUD_CODES])
    for (const [code, reason] of Object.entries(table)) out[code] = `${code} · ${REFUSAL_LABELS[reason]}`;
  return out;
}

export const CHANNEL_LABELS: Record<string, string> = { whatsapp: 'WhatsApp', email: 'E-mail' };

/** Everything the App's script reads from its `#rotulos` JSON block. */
export function appLabels(): Record<string, Record<string, string>> {
  return { bloqueio: BLOCK_LABELS, resposta: REPLY_LABELS, falha: failureLabels(), canal: CHANNEL_LABELS };
}
