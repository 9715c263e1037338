/**
 * The seed's collections templates: a polite first contact about a pending matter. Discreet on
 * purpose — no amounts and no "dívida" — because the message may be read by someone other than
 * the debtor (CDC art. 42: collection must not expose the consumer), and no links, since a link
 * in a first collections contact looks like phishing.
 */
import { emailBodies } from './email-layout.js';
import { OPT_OUT_TEXT } from './opt-out.js';
import type { TemplateDef } from './types.js';

const whatsapp: TemplateDef = {
  id: 'cobranca_padrao_whatsapp_v1',
  canal: 'whatsapp',
  descricao: 'Cobrança: primeiro contato cordial por WhatsApp, propondo negociação de uma pendência.',
  corpo: [
    'Olá, {{contato}}! Tudo bem?',
    'Aqui é a equipe de {{remetente}}. Estamos entrando em contato a respeito de uma pendência em nome de {{empresa}} (documento {{documento_mascarado}}) e gostaríamos de apresentar as condições de negociação disponíveis.',
    'Podemos conversar por aqui? Se preferir, é só dizer o melhor dia e horário para falarmos.',
    OPT_OUT_TEXT,
  ].join('\n\n'),
  whatsapp: {
    nome_aprovado: 'cobranca_padrao_whatsapp_v1',
    idioma: 'pt_BR',
    parametros: ['contato', 'remetente', 'empresa', 'documento_mascarado'],
  },
};

const email: TemplateDef = {
  id: 'cobranca_padrao_email_v1',
  canal: 'email',
  descricao: 'Cobrança: primeiro contato cordial por e-mail, propondo negociação de uma pendência.',
  assunto: 'Proposta de negociação para {{empresa}}',
  ...emailBodies(
    [
      'Olá, {{contato}}, tudo bem?',
      'Aqui é a equipe de {{remetente}}. Escrevemos a respeito de uma pendência em nome de {{empresa}} (documento {{documento_mascarado}}) e gostaríamos de apresentar as condições de negociação disponíveis, para encontrarmos juntos a melhor forma de resolver.',
      'Para conversar, basta responder a este e-mail. Se preferir falar por telefone, informe um número e o melhor horário para entrarmos em contato.',
      'Atenciosamente,\nEquipe {{remetente}}',
    ],
    OPT_OUT_TEXT,
  ),
};

/** Collections templates, WhatsApp first. */
export const COBRANCA_TEMPLATES: readonly TemplateDef[] = [whatsapp, email];
