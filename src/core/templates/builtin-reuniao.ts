/**
 * Meeting confirmation and reminder templates. `fuso` is spelled out ("horário de Brasília",
 * "horário de Manaus") because the lead may be in another zone than the sender. The texts read
 * well with `data_reuniao` like "terça-feira, 10/03/2026" and `hora_reuniao` like "14:00".
 * `link_ou_local` stays plain text in the HTML: it may be an address, not a URL.
 */
import { emailBodies } from './email-layout.js';
import { OPT_OUT_TEXT } from './opt-out.js';
import type { TemplateDef } from './types.js';

const WHATSAPP_PARAMS = ['contato', 'remetente', 'empresa', 'data_reuniao', 'hora_reuniao', 'fuso', 'link_ou_local'];

// One block for the details, shared by both e-mails so they format a meeting the same way.
const DETALHES_EMAIL = 'Data: {{data_reuniao}}\nHorário: {{hora_reuniao}} ({{fuso}})\nLocal ou link: {{link_ou_local}}';
const ASSINATURA_EMAIL = 'Até breve,\nEquipe {{remetente}}';

const whatsappSpec = (nome: string) => ({ nome_aprovado: nome, idioma: 'pt_BR' as const, parametros: WHATSAPP_PARAMS });

const confirmacaoWhatsapp: TemplateDef = {
  id: 'confirmacao_reuniao_whatsapp_v1',
  canal: 'whatsapp',
  descricao: 'Confirmação de reunião agendada, por WhatsApp.',
  corpo: [
    'Olá, {{contato}}! Aqui é a equipe de {{remetente}}.',
    'Confirmamos nossa reunião com {{empresa}} para {{data_reuniao}}, às {{hora_reuniao}} ({{fuso}}).\nLocal ou link de acesso: {{link_ou_local}}',
    'Se precisar remarcar, é só responder a esta mensagem.',
    OPT_OUT_TEXT,
  ].join('\n\n'),
  whatsapp: whatsappSpec('confirmacao_reuniao_whatsapp_v1'),
};

const lembreteWhatsapp: TemplateDef = {
  id: 'lembrete_reuniao_whatsapp_v1',
  canal: 'whatsapp',
  descricao: 'Lembrete de reunião agendada, por WhatsApp.',
  corpo: [
    'Olá, {{contato}}! Aqui é a equipe de {{remetente}}, passando para lembrar que nossa reunião com {{empresa}} está marcada para {{data_reuniao}}, às {{hora_reuniao}} ({{fuso}}).\nLocal ou link de acesso: {{link_ou_local}}',
    'Caso não possa comparecer, responda a esta mensagem para combinarmos outro horário.',
    OPT_OUT_TEXT,
  ].join('\n\n'),
  whatsapp: whatsappSpec('lembrete_reuniao_whatsapp_v1'),
};

const confirmacaoEmail: TemplateDef = {
  id: 'confirmacao_reuniao_email_v1',
  canal: 'email',
  descricao: 'Confirmação de reunião agendada, por e-mail.',
  assunto: 'Reunião confirmada com {{remetente}}: {{data_reuniao}}, às {{hora_reuniao}}',
  ...emailBodies(
    [
      'Olá, {{contato}},',
      'Confirmamos a reunião entre {{remetente}} e {{empresa}}:',
      DETALHES_EMAIL,
      'Se precisar remarcar ou tiver alguma dúvida, basta responder a este e-mail.',
      ASSINATURA_EMAIL,
    ],
    OPT_OUT_TEXT,
  ),
};

const lembreteEmail: TemplateDef = {
  id: 'lembrete_reuniao_email_v1',
  canal: 'email',
  descricao: 'Lembrete de reunião agendada, por e-mail.',
  assunto: 'Lembrete: reunião com {{remetente}} — {{data_reuniao}}, às {{hora_reuniao}}',
  ...emailBodies(
    [
      'Olá, {{contato}},',
      'Este é um lembrete da reunião entre {{remetente}} e {{empresa}}:',
      DETALHES_EMAIL,
      'Caso não possa comparecer, responda a este e-mail para combinarmos uma nova data.',
      ASSINATURA_EMAIL,
    ],
    OPT_OUT_TEXT,
  ),
};

/** Meeting templates: confirmation and reminder, WhatsApp and e-mail. */
export const REUNIAO_TEMPLATES: readonly TemplateDef[] = [
  confirmacaoWhatsapp,
  confirmacaoEmail,
  lembreteWhatsapp,
  lembreteEmail,
];
