import { z } from 'zod';
import { briefingMarkdown } from '../core/briefing/build.js';
import { loadBriefing } from '../core/briefing/load.js';
import { AppError } from '../core/errors.js';
import { withTenant } from '../db/tenant.js';
import { uuid } from './schemas.js';
import { defineTool } from './define-tool.js';

const Item = z.object({ em: z.string(), tipo: z.string(), resumo: z.string() });

export const generateBriefingTool = defineTool({
  name: 'generate_briefing',
  title: 'Pre-meeting briefing',
  description:
    "Pre-meeting briefing of a lead (or of a meeting's lead): company, contact, document, channels, timeline, open points " +
    'and a suggested agenda, as pt-BR markdown plus structured data. Without agendamento_id, the next meeting is used.',
  toolset: 'meetings',
  access: 'read',
  input: {
    lead_id: uuid().optional(),
    agendamento_id: uuid().optional(),
  },
  output: {
    lead: z.object({
      lead_id: z.string(),
      empresa: z.string(),
      contato: z.string().nullable(),
      documento: z.string().nullable(),
      documento_tipo: z.string().nullable(),
      documento_valido: z.boolean(),
      status: z.string(),
      timezone: z.string(),
      base_legal: z.string(),
      dados_planilha: z.record(z.string(), z.unknown()),
    }),
    canais: z.object({
      whatsapp: z.string().nullable(),
      email: z.string().nullable(),
      telefones: z.array(
        z.object({ numero: z.string(), tipo: z.string(), valido: z.boolean(), motivo: z.string().nullable() }),
      ),
      emails: z.array(z.object({ email: z.string(), valido: z.boolean(), motivo: z.string().nullable() })),
    }),
    reuniao: z
      .object({
        agendamento_id: z.string(),
        inicio: z.string(),
        fim: z.string(),
        inicio_local: z.string(),
        timezone: z.string(),
        titulo: z.string(),
        local: z.string().nullable(),
        status: z.string(),
      })
      .nullable(),
    linha_do_tempo: z.array(Item),
    pontos_em_aberto: z.array(z.string()),
    pauta_sugerida: z.array(z.string()),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { deps }) => {
    if (!args.lead_id && !args.agendamento_id) {
      throw new AppError('invalid_argument', 'Give lead_id or agendamento_id (find leads with query_leads).');
    }
    const t = deps.tenant.tenant_id;
    const b = await withTenant(deps.db.kysely, t, (tx) =>
      loadBriefing(tx, t, { leadId: args.lead_id, agendamentoId: args.agendamento_id }, deps.clock.now()),
    );
    if (args.lead_id && args.agendamento_id && b.lead.lead_id !== args.lead_id) {
      throw new AppError(
        'invalid_argument',
        `Agendamento ${args.agendamento_id} belongs to another lead; pass only one of lead_id / agendamento_id.`,
      );
    }
    return { data: b, text: briefingMarkdown(b) };
  },
});
