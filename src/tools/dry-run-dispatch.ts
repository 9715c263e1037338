import { z } from 'zod';
import { dryRun } from '../app/outreach.js';
import { AppError } from '../core/errors.js';
import { LEAD_STATUSES } from '../core/leads/query.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';
import { uuid } from './schemas.js';

export const dryRunDispatchTool = defineTool({
  name: 'dry_run_dispatch',
  title: 'Rehearse a campaign (dry run)',
  description:
    'Rehearses a send to lead_ids or a filter: decides, gates and renders each lead into dry_run_log; never sends. ' +
    'Returns counts by channel and block reason, and rendered examples.',
  toolset: 'dispatch',
  access: 'write',
  input: {
    lead_ids: z.array(uuid()).min(1).max(1000).optional(),
    filter: z
      .object({
        status: z.array(z.enum(LEAD_STATUSES)).max(11).optional(),
        canal: z.enum(['whatsapp', 'email', 'none']).optional().describe('Only leads decided for this channel'),
        source_job_id: uuid().optional(),
      })
      .optional(),
    limit: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(10_000)
      .describe('With filter: at most this many, oldest first'),
    template_whatsapp: z.string().max(100).optional(),
    template_email: z.string().max(100).optional(),
  },
  output: {
    lote_id: z.string().describe('Batch id in dry_run_log'),
    total: z.number(),
    seriam_enviados_agora: z.number(),
    adiados: z.number(),
    bloqueados: z.number(),
    por_canal: z.record(z.string(), z.number()),
    por_bloqueio: z.record(z.string(), z.number()),
    amostra: z.array(
      z.object({
        lead_id: z.string(),
        nome: z.string(),
        canal: z.string(),
        destino: z.string().nullable(),
        template: z.string().nullable(),
        codigo_bloqueio: z.string().nullable(),
        razao_bloqueio: z.string().nullable(),
        previsto_para: z.string().nullable(),
        assunto: z.string().nullable(),
        mensagem: z.string().nullable(),
      }),
    ),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handler: async (args, { deps }) => {
    if (!!args.lead_ids === !!args.filter)
      throw new AppError('invalid_argument', 'Give exactly one of lead_ids or filter (use filter: {} for all leads).');
    const target = args.lead_ids
      ? { leadIds: [...new Set(args.lead_ids)] }
      : { filter: args.filter!, limit: args.limit };
    const s = await withTenant(deps.db.kysely, deps.tenant.tenant_id, (tx) =>
      dryRun(tx, deps, target, {
        canal: args.filter?.canal,
        templates: { whatsapp: args.template_whatsapp, email: args.template_email },
      }),
    );
    const canais =
      Object.entries(s.por_canal)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none';
    const blocks =
      Object.entries(s.por_bloqueio)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none';
    return {
      data: s,
      text:
        `DRY RUN ${s.lote_id} — nothing was sent. ${s.total} leads: ${s.seriam_enviados_agora} would go now, ${s.adiados} deferred, ` +
        `${s.bloqueados} blocked. Channels: ${canais}. Block reasons: ${blocks}.`,
    };
  },
});
