import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { decisionContext, maskDestination, renderDecision } from '../app/outreach.js';
import { sendOne } from '../app/dispatch.js';
import { AppError, notFound } from '../core/errors.js';
import { decide, writeDryRunLog } from '../core/outreach/decide.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';
import { uuid } from './schemas.js';

export const sendMessageTool = defineTool({
  name: 'send_message',
  title: 'Send one message to a lead',
  description:
    'One template message to one lead on its decided channel, after every gate. Sends only when get_status says ' +
    'sending is on; otherwise records a dry run and says so.',
  toolset: 'dispatch',
  access: 'send',
  input: {
    lead_id: uuid(),
    template: z.string().max(100).optional().describe("Template id (default: the channel's collections template)"),
    idempotency_key: z.string().min(8).max(200).optional().describe('Same key → never sent twice'),
  },
  output: {
    enviado: z.boolean().describe('true only if a message really left through the channel'),
    modo: z.enum(['dry_run', 'real']),
    lead_id: z.string(),
    canal: z.enum(['whatsapp', 'email', 'none']),
    destino: z.string().nullable(),
    template: z.string().nullable(),
    status: z.string().describe('dry_run | bloqueado | adiado | enviado | falhou | incerto | pendente'),
    motivo: z.string(),
    mensagem: z.string().nullable(),
    dry_run_lote_id: z.string().nullable(),
    disparo_id: z.string().nullable(),
    message_id: z.string().nullable(),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { deps }) => {
    if (deps.config.dispatchEnabled) {
      if (!deps.channelClient)
        throw new AppError(
          'unavailable',
          'Sending is on but no channel layer is running in this process (check get_status channels).',
        );
      const r = await sendOne(deps, args.lead_id, { template: args.template, idempotencyKey: args.idempotency_key });
      const enviado = r.status === 'enviado';
      return {
        data: {
          enviado,
          modo: 'real' as const,
          lead_id: args.lead_id,
          canal: r.canal,
          destino: r.destino ? maskDestination(r.canal, { telefone: r.destino, email: r.destino }) : null,
          template: r.template,
          status: r.status,
          motivo: r.motivo ?? (enviado ? 'enviado' : r.status),
          mensagem: r.conteudo,
          dry_run_lote_id: null,
          disparo_id: r.disparo_id,
          message_id: r.message_id,
        },
        text: enviado
          ? `SENT via ${r.canal} (message id ${r.message_id ?? 'n/a'}).`
          : `Not sent: ${r.status}${r.motivo ? ` — ${r.motivo}` : ''}.`,
      };
    }
    // Flag off: the dry-run pipeline. No channel client is touched on this path.
    const flag = deps.config.dispatchFlagRaw === undefined ? 'unset' : JSON.stringify(deps.config.dispatchFlagRaw);
    const out = await withTenant(deps.db.kysely, deps.tenant.tenant_id, async (tx) => {
      const ctx = await decisionContext(
        tx,
        deps,
        args.template ? { whatsapp: args.template, email: args.template } : {},
      );
      const [d] = await decide(tx, ctx, { leadIds: [args.lead_id] });
      if (!d) throw notFound('Lead', args.lead_id);
      const lote = randomUUID();
      await writeDryRunLog(tx, ctx, { leadIds: [args.lead_id] }, lote);
      return { d, lote, preview: renderDecision(d, ctx) };
    });
    const { d, lote, preview } = out;
    const status = d.seria_enviado_agora ? 'dry_run' : d.previsto_para ? 'adiado' : 'bloqueado';
    const why = d.seria_enviado_agora
      ? `Dry run: would send now via ${d.canal}. Nothing was sent because MICRO_AGENT_DISPARO_ENABLED is ${flag}, not "true".`
      : `Dry run: would not send now — ${d.codigo_bloqueio}: ${d.razao_bloqueio}. Nothing was sent (MICRO_AGENT_DISPARO_ENABLED is ${flag}).`;
    return {
      data: {
        enviado: false,
        modo: 'dry_run' as const,
        lead_id: d.lead_id,
        canal: d.canal,
        destino: maskDestination(d.canal, d),
        template: d.template,
        status,
        motivo: why,
        mensagem: preview.texto,
        dry_run_lote_id: lote,
        disparo_id: null,
        message_id: null,
      },
      text: `NOT SENT. ${why}`,
    };
  },
});
