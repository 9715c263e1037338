import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { addSuppression, listSuppressions, optOutLead, removeSuppression } from '../core/outreach/suppression.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';
import { uuid } from './schemas.js';

export const manageSuppressionTool = defineTool({
  name: 'manage_suppression',
  title: 'Suppression list and opt-out',
  description:
    "The tenant-wide do-not-contact list, checked on every channel before each send. opt_out_lead: suppress a lead's " +
    'document, phones and e-mails (terminal). add/remove one value; list recent entries.',
  toolset: 'dispatch',
  access: 'write',
  input: {
    action: z.enum(['opt_out_lead', 'add', 'remove', 'list']),
    lead_id: uuid().optional().describe('For opt_out_lead'),
    tipo: z.enum(['documento', 'telefone', 'email']).optional().describe('For add/remove'),
    valor: z
      .string()
      .min(3)
      .max(320)
      .optional()
      .describe('For add/remove: the CPF/CNPJ, phone or e-mail in any format'),
    motivo: z.string().min(3).max(500).default('pedido do titular').describe('Why (kept with the entry)'),
    limit: z.number().int().min(1).max(500).default(50),
  },
  output: {
    action: z.string(),
    changed: z.number().describe('Entries added or removed'),
    entries: z.array(
      z.object({
        tipo: z.string(),
        valor: z.string(),
        motivo: z.string(),
        origem: z.string(),
        lead_id: z.string().nullable(),
        created_at: z.string(),
      }),
    ),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { deps }) => {
    const t = deps.tenant.tenant_id;
    const ator = `tool:${deps.transport}`;
    return withTenant(deps.db.kysely, t, async (tx) => {
      if (args.action === 'list') {
        const entries = await listSuppressions(tx, t, args.limit);
        return { data: { action: 'list', changed: 0, entries }, text: `${entries.length} suppression entries.` };
      }
      if (args.action === 'opt_out_lead') {
        if (!args.lead_id) throw new AppError('invalid_argument', 'opt_out_lead needs lead_id.');
        const r = await optOutLead(tx, t, args.lead_id, args.motivo, ator);
        return {
          data: { action: 'opt_out_lead', changed: r.added, entries: [] },
          text: `Lead ${args.lead_id} opted out (${r.previous ?? 'already opt_out'} → opt_out); ${r.added} value(s) added to the suppression list.`,
        };
      }
      if (!args.tipo || !args.valor) throw new AppError('invalid_argument', `${args.action} needs tipo and valor.`);
      const changed =
        args.action === 'add'
          ? await addSuppression(tx, t, { tipo: args.tipo, valor: args.valor, motivo: args.motivo, ator })
          : await removeSuppression(tx, t, args.tipo, args.valor);
      return {
        data: { action: args.action, changed: changed ? 1 : 0, entries: [] },
        text: changed
          ? `${args.action === 'add' ? 'Added' : 'Removed'} ${args.tipo}.`
          : `Nothing changed (${args.action === 'add' ? 'already listed' : 'not listed'}).`,
      };
    });
  },
});
