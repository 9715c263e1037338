/**
 * A sales / first-contact opener: no debt, no creditor (isCollectionTemplate is false), so it is not
 * held to the collection hours of the lead's state (state-contact-rules.ts) nor needs a creditor
 * configured. For a tenant that prospects rather than collects, and for plumbing checks that must
 * not depend on the clock.
 */
import { emailBodies } from './email-layout.js';
import { OPT_OUT_TEXT } from './opt-out.js';
import type { TemplateDef } from './types.js';

const whatsapp: TemplateDef = {
  id: 'contato_comercial_whatsapp_v1',
  canal: 'whatsapp',
  descricao: 'Contato comercial: apresentação e convite para conversar (WhatsApp).',
  corpo: [
    'Olá, {{contato}}! Aqui é a equipe de {{remetente}}.',
    'Gostaríamos de conversar sobre {{empresa}}. Podemos falar por aqui?',
    OPT_OUT_TEXT,
  ].join('\n\n'),
  whatsapp: {
    nome_aprovado: 'contato_comercial_whatsapp_v1',
    idioma: 'pt_BR',
    parametros: ['contato', 'remetente', 'empresa'],
  },
};

const email: TemplateDef = {
  id: 'contato_comercial_email_v1',
  canal: 'email',
  descricao: 'Contato comercial: apresentação e convite para conversar (e-mail).',
  assunto: '{{remetente}} e {{empresa}}: podemos conversar?',
  ...emailBodies(
    [
      'Olá, {{contato}}, tudo bem?',
      'Aqui é a equipe de {{remetente}}. Gostaríamos de conversar sobre {{empresa}}.',
      'Se fizer sentido, basta responder a este e-mail com o melhor horário para você.',
      'Atenciosamente,\nEquipe {{remetente}}',
    ],
    OPT_OUT_TEXT,
  ),
};

/** Sales contact templates, WhatsApp first. */
export const CONTATO_TEMPLATES: readonly TemplateDef[] = [whatsapp, email];
