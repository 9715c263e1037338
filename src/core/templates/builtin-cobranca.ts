/**
 * The collections templates. Each one states what the law asks of a collection message and nothing
 * more: who the creditor is, with its CNPJ and address (CDC art. 42-A), the amount and the due date
 * (the debt is the subject, so the debtor can check it), and how to pay or talk. The document is
 * masked (LGPD). What keeps a third party from reading it is not vagueness but the gates: a destination
 * shared by leads with different documents is never sent a collection (contato_compartilhado), nor a
 * prescribed debt (divida_prescrita), nor outside the hours of the lead's state. No links: a link in a
 * collections message looks like phishing; the creditor's contact is written out instead.
 */
import { emailBodies } from './email-layout.js';
import { OPT_OUT_TEXT } from './opt-out.js';
import type { TemplateDef } from './types.js';

const whatsapp: TemplateDef = {
  id: 'cobranca_padrao_whatsapp_v2',
  canal: 'whatsapp',
  descricao: 'Cobrança: credor com CNPJ e endereço, valor e vencimento, como pagar ou negociar (WhatsApp).',
  corpo: [
    'Olá, {{contato}}! Tudo bem?',
    'Aqui é a equipe de {{remetente}}, em nome de {{credor}} (CNPJ {{credor_cnpj}}), {{credor_endereco}}.',
    'Consta em aberto, em nome de {{empresa}} (documento {{documento_mascarado}}), o valor de {{valor_divida}}, com vencimento em {{vencimento_divida}}.',
    'Para pagar ou negociar, responda esta mensagem ou fale com {{credor}} em {{credor_contato}}.',
    OPT_OUT_TEXT,
  ].join('\n\n'),
  whatsapp: {
    nome_aprovado: 'cobranca_padrao_whatsapp_v2',
    idioma: 'pt_BR',
    parametros: [
      'contato',
      'remetente',
      'credor',
      'credor_cnpj',
      'credor_endereco',
      'empresa',
      'documento_mascarado',
      'valor_divida',
      'vencimento_divida',
      'credor_contato',
    ],
  },
};

const email: TemplateDef = {
  id: 'cobranca_padrao_email_v2',
  canal: 'email',
  descricao: 'Cobrança: credor com CNPJ e endereço, valor e vencimento, como pagar ou negociar (e-mail).',
  assunto: 'Pendência de {{empresa}} com {{credor}}',
  ...emailBodies(
    [
      'Olá, {{contato}}, tudo bem?',
      'Aqui é a equipe de {{remetente}}, em nome de {{credor}} (CNPJ {{credor_cnpj}}), {{credor_endereco}}.',
      'Consta em aberto, em nome de {{empresa}} (documento {{documento_mascarado}}), o valor de {{valor_divida}}, com vencimento em {{vencimento_divida}}.',
      'Para pagar ou negociar, basta responder a este e-mail ou falar com {{credor}} em {{credor_contato}}.',
      'Atenciosamente,\nEquipe {{remetente}}',
    ],
    OPT_OUT_TEXT,
  ),
};

/** Collections templates, WhatsApp first. */
export const COBRANCA_TEMPLATES: readonly TemplateDef[] = [whatsapp, email];

/** Variables that make a message a collection one: it names a debt or a creditor. */
const COLLECTION_VARIABLES = ['valor_divida', 'vencimento_divida', 'contrato_divida', 'credor', 'credor_cnpj'];

/**
 * Whether a template is a collection message (the creditor must be configured, the destination must be
 * the debtor's alone, the debt not prescribed): a `cobranca_*` id, or a body that names a debt or a
 * creditor.
 *
 * @example isCollectionTemplate({ id: 'cobranca_padrao_email_v2', ... }) // true
 */
export function isCollectionTemplate(def: Pick<TemplateDef, 'id'>, variables: readonly string[]): boolean {
  return def.id.startsWith('cobranca_') || variables.some((v) => COLLECTION_VARIABLES.includes(v));
}
