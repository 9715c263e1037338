import { z } from 'zod';
import { loadPolicy, savePolicy } from '../core/outreach/policy.js';
import { saveTemplateOverride } from '../core/outreach/templates.js';
import { setRateLimit } from '../core/dispatch/rate-limit.js';
import { AppError } from '../core/errors.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';

const DayWindow = z
  .object({ inicio: z.string().regex(/^\d\d:\d\d$/), fim: z.string().regex(/^\d\d:\d\d$/) })
  .nullable();

export const setOutreachPolicyTool = defineTool({
  name: 'set_outreach_policy',
  title: 'Outreach policy and templates',
  description:
    "Reads (no arguments) or changes the tenant's rules: sender name, weekly send window (lead's local time), messages " +
    "per lead per 24 h, a channel's pace and 24 h recipient cap, template overrides ({{var}}).",
  toolset: 'dispatch',
  access: 'admin',
  input: {
    remetente: z.string().min(2).max(200).optional(),
    janela_envio: z
      .object({
        dias: z.array(DayWindow).length(7).describe('Index 0 = Sunday; null = closed'),
        respeitar_feriados: z.boolean().default(true),
        feriados_extras: z
          .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))
          .max(100)
          .optional(),
      })
      .optional(),
    max_mensagens_lead_24h: z.number().int().min(1).max(10).optional(),
    ritmo: z
      .object({
        canal: z.enum(['whatsapp', 'email']),
        por_segundo: z.number().min(0.1).max(10_000).describe('Shared by every worker'),
        max_destinatarios_24h: z
          .number()
          .int()
          .min(1)
          .max(10_000_000)
          .optional()
          .describe('Distinct recipients per 24 h (WhatsApp tiers 250/2000/10000/100000)'),
      })
      .optional()
      .describe('Pace of one channel'),
    template: z
      .object({
        id: z
          .string()
          .regex(/^[a-z0-9_]+$/)
          .max(100),
        canal: z.enum(['whatsapp', 'email']),
        descricao: z.string().max(300).default('personalizado'),
        assunto: z.string().max(300).optional(),
        corpo: z.string().min(10).max(4000),
        html: z.string().max(20000).optional(),
      })
      .optional()
      .describe('Add, or override a built-in by id'),
  },
  output: {
    remetente: z.string(),
    janela_envio: z.unknown(),
    max_mensagens_lead_24h: z.number(),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { deps }) => {
    const t = deps.tenant.tenant_id;
    const policy = await withTenant(deps.db.kysely, t, async (tx) => {
      if (
        args.remetente !== undefined ||
        args.janela_envio !== undefined ||
        args.max_mensagens_lead_24h !== undefined
      ) {
        await savePolicy(tx, t, {
          remetente: args.remetente,
          janela: args.janela_envio,
          maxPorLead24h: args.max_mensagens_lead_24h,
        });
      }
      if (args.ritmo)
        await setRateLimit(tx, t, args.ritmo.canal, args.ritmo.por_segundo, args.ritmo.max_destinatarios_24h);
      if (args.template) {
        const problems = await saveTemplateOverride(tx, t, args.template);
        if (problems.length)
          throw new AppError('invalid_argument', `Template ${args.template.id} refused: ${problems.join('; ')}`);
      }
      return loadPolicy(tx, deps.tenant);
    });
    return {
      data: { remetente: policy.remetente, janela_envio: policy.janela, max_mensagens_lead_24h: policy.maxPorLead24h },
      text: `Sender "${policy.remetente}", at most ${policy.maxPorLead24h} message(s) per lead per 24 h${args.template ? `, template ${args.template.id} saved` : ''}.`,
    };
  },
});
