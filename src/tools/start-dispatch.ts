import { z } from 'zod';
import { startCampaign } from '../app/dispatch.js';
import { AppError } from '../core/errors.js';
import { LEAD_STATUSES } from '../core/leads/query.js';
import { defineTool } from './define-tool.js';
import { uuid } from './schemas.js';

export const startDispatchTool = defineTool({
  name: 'start_dispatch',
  title: 'Start a campaign',
  description:
    'Queues a campaign to lead_ids or a filter, sent in the background within rate limits and send windows; the same ' +
    'campaign_key never messages a lead twice. Returns a job for job_status. A dry-run campaign when sending is off.',
  toolset: 'dispatch',
  access: 'send',
  input: {
    lead_ids: z.array(uuid()).min(1).max(10_000).optional(),
    filter: z
      .object({ status: z.array(z.enum(LEAD_STATUSES)).max(11).optional(), source_job_id: uuid().optional() })
      .optional(),
    limit: z.number().int().min(1).max(1_000_000).default(10_000),
    template_whatsapp: z.string().max(100).optional(),
    template_email: z.string().max(100).optional(),
    campaign_key: z.string().min(3).max(150).optional().describe('Same key again sends nothing twice'),
  },
  output: {
    job_id: z.string(),
    modo: z.enum(['real', 'dry_run']),
    enfileirados: z.number(),
    adiados: z.number(),
    ja_enfileirados: z.number().describe('Already queued under this campaign_key'),
    bloqueados: z.record(z.string(), z.number()),
    dry_run_lote_id: z.string().nullable(),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { deps }) => {
    if (!!args.lead_ids === !!args.filter)
      throw new AppError('invalid_argument', 'Give exactly one of lead_ids or filter (filter: {} for all leads).');
    const target = args.lead_ids
      ? { leadIds: [...new Set(args.lead_ids)] }
      : { filter: args.filter!, limit: args.limit };
    const r = await startCampaign(deps, {
      target,
      templates: { whatsapp: args.template_whatsapp, email: args.template_email },
      campaignKey: args.campaign_key,
    });
    if (r.dry) {
      return {
        data: {
          job_id: r.campaignId,
          modo: 'dry_run' as const,
          enfileirados: 0,
          adiados: r.dry.adiados,
          ja_enfileirados: 0,
          bloqueados: r.dry.por_bloqueio,
          dry_run_lote_id: r.dry.lote_id,
        },
        text: `DRY-RUN campaign ${r.campaignId}: nothing was sent (sending is off). ${r.dry.seriam_enviados_agora} of ${r.dry.total} would go now, ${r.dry.adiados} deferred.`,
      };
    }
    const e = r.enqueue!;
    return {
      data: {
        job_id: r.campaignId,
        modo: 'real' as const,
        enfileirados: e.enqueued,
        adiados: e.deferred,
        ja_enfileirados: e.duplicates,
        bloqueados: e.blocked,
        dry_run_lote_id: null,
      },
      text: `Campaign ${r.campaignId} started: ${e.enqueued} queued (${e.deferred} deferred by the send window or the per-lead daily cap), ${e.duplicates} already queued before, blocked: ${JSON.stringify(e.blocked)}. Poll job_status.`,
    };
  },
});
