import { z } from 'zod';
import { decide } from '../core/outreach/decide.js';
import { AppError, notFound } from '../core/errors.js';
import { decisionContext, maskDestination, renderDecision } from '../app/outreach.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';
import { DecisionSchema, uuid } from './schemas.js';

export const decideChannelTool = defineTool({
  name: 'decide_channel',
  title: 'Decide the channel for leads',
  description:
    'Per lead: WhatsApp (valid mobile) → e-mail → none, with the reason, template and policy gates (opt-out, state, ' +
    'send window, daily cap); whether it would go now or when. Reads only.',
  toolset: 'dispatch',
  access: 'read',
  input: {
    lead_id: uuid().optional().describe('One lead, with message preview'),
    lead_ids: z.array(uuid()).min(1).max(1000).optional(),
    template_whatsapp: z.string().max(100).optional(),
    template_email: z.string().max(100).optional(),
  },
  output: { decisions: z.array(DecisionSchema) },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { deps }) => {
    const ids = args.lead_id ? [args.lead_id] : (args.lead_ids ?? []);
    if (!ids.length) throw new AppError('invalid_argument', 'Give lead_id (one lead) or lead_ids (up to 1000).');
    const decisions = await withTenant(deps.db.kysely, deps.tenant.tenant_id, async (tx) => {
      const ctx = await decisionContext(tx, deps, { whatsapp: args.template_whatsapp, email: args.template_email });
      const ds = await decide(tx, ctx, { leadIds: [...new Set(ids)] });
      if (args.lead_id && !ds.length) throw notFound('Lead', args.lead_id);
      return ds.map((d) => {
        const preview = ids.length === 1 ? renderDecision(d, ctx) : null;
        return {
          lead_id: d.lead_id,
          nome: d.nome,
          status: d.status,
          canal: d.canal,
          motivo: d.motivo,
          template: d.template,
          destino: maskDestination(d.canal, d),
          timezone: d.timezone,
          seria_enviado_agora: d.seria_enviado_agora,
          codigo_bloqueio: d.codigo_bloqueio,
          razao_bloqueio: d.razao_bloqueio,
          previsto_para: d.previsto_para ? new Date(d.previsto_para).toISOString() : null,
          mensagem: preview?.texto ?? null,
          assunto: preview?.assunto ?? null,
        };
      });
    });
    const missing = ids.length - decisions.length;
    return {
      data: { decisions },
      text:
        decisions
          .slice(0, 20)
          .map(
            (d) =>
              `${d.lead_id} ${d.nome}: ${d.canal} — ${d.seria_enviado_agora ? 'would send now' : `${d.codigo_bloqueio}: ${d.razao_bloqueio}`}`,
          )
          .join('\n') +
        (decisions.length > 20 ? `\n… ${decisions.length - 20} more` : '') +
        (missing ? `\n${missing} id(s) not found for this tenant.` : ''),
    };
  },
});
