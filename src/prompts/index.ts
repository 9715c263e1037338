import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { generateBriefing } from '../core/briefing/generate-briefing.js';
import { briefingMarkdown } from '../core/briefing/markdown.js';
import { REPLY_FILTERS } from '../core/inbound/list-replies.js';
import { uuid } from '../core/schemas.js';
import type { ServerDeps } from '../deps.js';
import { createScope } from '../scope.js';
import { withPlainIssues } from '../tools/plain-validation.js';

/**
 * The server's `instructions` (initialize, server/discover): the workflow in a few lines, naming the
 * tools, for clients that defer tool schemas (tool search) and choose by names and these words alone.
 */
export const SERVER_INSTRUCTIONS = [
  'Outreach and scheduling for Brazilian leads (pt-BR users). Workflow:',
  '1. get_status first: is real sending on? (off = everything is a dry run).',
  '2. Import: ingest_leads (.xlsx/.csv) → job_status until it ends; find leads with query_leads, fix one with update_lead.',
  '3. Decide: decide_channel (per lead: WhatsApp → e-mail → none, and why); rules in set_outreach_policy.',
  '4. Dry run: dry_run_dispatch (counts, blocked by reason, rendered messages) — nothing is sent.',
  '5. Campaign: start_dispatch (campaign_key, pace) → job_status; control_dispatch pauses/cancels.',
  '6. Replies: list_replies → handle_reply (pasted reply; opt-out wins); manage_suppression for opt-outs.',
  '7. Meetings: propose_slots → schedule_meeting → update_meeting; send_reminders; generate_briefing before it.',
  'Show users data as tables, in pt-BR. Prompts: planejar_campanha, revisar_respostas, preparar_reuniao.',
].join('\n');

/** A user message in pt-BR. */
const say = (text: string) => ({ messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] });

/** The pt-BR prompts for the flows a person starts: plan a campaign, review replies, prepare a meeting. */
export function registerPrompts(server: McpServer, deps: ServerDeps): void {
  server.registerPrompt(
    'planejar_campanha',
    {
      title: 'Planejar uma campanha',
      description:
        'Importa uma planilha de leads (opcional), decide os canais e ensaia a campanha (dry run) antes de qualquer envio.',
      argsSchema: withPlainIssues(
        z.object({
          file_path: z
            .string()
            .max(4096)
            .optional()
            .describe('Planilha (.xlsx ou .csv) no servidor; vazio: leads já importados'),
          objetivo: z.string().max(500).optional().describe('O que a campanha quer (ex.: cobrar faturas de novembro)'),
        }),
      ),
    },
    ({ file_path, objetivo }) =>
      say(
        `Quero planejar uma campanha${objetivo ? ` para: ${objetivo}` : ''}. Responda em português, com tabelas curtas.\n` +
          '1. Chame get_status e diga se o envio real está ligado.\n' +
          (file_path
            ? `2. Importe ${file_path} com ingest_leads; se o job seguir "processando", consulte job_status até terminar. ` +
              'Resuma: leads criados, duplicados unidos, linhas com problema (com os números das linhas).\n'
            : '2. Use os leads já importados: mostre os totais por status e canal com query_leads.\n') +
          '3. Mostre a política (set_outreach_policy sem argumentos): remetente, credor, janela de envio, limite por lead.\n' +
          '4. Ensaie com dry_run_dispatch e mostre quantos iriam agora, adiados e bloqueados, por canal e por motivo, ' +
          'com um exemplo de mensagem de cada canal.\n' +
          '5. Proponha um campaign_key e um ritmo (pace) e pergunte se pode iniciar com start_dispatch.\n' +
          'Não envie nada real sem a minha confirmação explícita (o servidor também me pergunta antes de um envio real, ' +
          'quando este cliente sabe perguntar).',
      ),
  );
  server.registerPrompt(
    'revisar_respostas',
    {
      title: 'Revisar respostas dos leads',
      description:
        'Lista as respostas recebidas que pedem atenção (perguntas sem resposta, remetentes ambíguos) ' +
        'e propõe o que fazer com cada uma.',
      argsSchema: withPlainIssues(
        z.object({
          filter: z
            .enum(REPLY_FILTERS)
            .optional()
            .describe('pendentes (padrão), perguntas, ambiguas, opt_outs ou todas'),
        }),
      ),
    },
    ({ filter }) =>
      say(
        'Quero revisar as respostas dos leads. Responda em português.\n' +
          `1. Chame list_replies com filter "${filter ?? 'pendentes'}" e mostre uma tabela: quando, lead, classe, texto.\n` +
          '2. Para cada resposta, proponha a ação:\n' +
          '   - pergunta: um rascunho de resposta curta e educada (não envie; eu reviso);\n' +
          '   - confirmação ou interesse: horários livres com propose_slots e, se eu aprovar, schedule_meeting;\n' +
          '   - remetente ambíguo: ache o lead com query_leads pelo telefone ou e-mail e confirme o destino com ' +
          'manage_suppression {action: "confirm_destination"};\n' +
          '   - opt-out: confira que o lead está suprimido (manage_suppression {action: "list"}); nunca mais o contate.\n' +
          '3. Uma resposta colada por mim entra com handle_reply (ela classifica e age; opt-out vale em todos os canais).\n' +
          'Nada é enviado sem a minha confirmação.',
      ),
  );
  server.registerPrompt(
    'preparar_reuniao',
    {
      title: 'Preparar uma reunião com um lead',
      description:
        'Traz o briefing do lead (generate_briefing) e pede uma preparação curta: o que confirmar, o que propor, o que evitar.',
      argsSchema: withPlainIssues(z.object({ lead_id: uuid().describe('O lead (UUID, de query_leads)') })),
    },
    async ({ lead_id }) => {
      const b = await generateBriefing(createScope(deps), { lead_id });
      return {
        description: `Briefing de ${b.lead.company}`,
        ...say(
          'Vou conversar com este lead. Com base no briefing abaixo, prepare em português, em até 10 tópicos: ' +
            'o que confirmar, o que propor, como responder às dúvidas em aberto e o que evitar ' +
            '(nunca contatar quem pediu opt-out).\n\n' +
            briefingMarkdown(b),
        ),
      };
    },
  );
}
