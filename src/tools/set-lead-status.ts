import { z } from 'zod';
import { LEAD_STATUSES } from '../core/leads/query.js';
import { transitionLead } from '../core/leads/transition.js';
import { withTenant } from '../db/tenant.js';
import { defineTool } from './define-tool.js';
import { uuid } from './schemas.js';

export const setLeadStatusTool = defineTool({
  name: 'set_lead_status',
  title: 'Move a lead to another status',
  description:
    'Moves a lead along its state machine with a reason kept in its history; illegal moves are refused with the ' +
    'possible ones. For opt-out use manage_suppression (opt_out_lead).',
  toolset: 'leads',
  access: 'write',
  input: {
    lead_id: uuid(),
    status: z.enum(LEAD_STATUSES.filter((s) => s !== 'opt_out') as [string, ...string[]]),
    motivo: z.string().min(3).max(500).describe('Why (kept in the lead history)'),
  },
  output: { lead_id: z.string(), status_anterior: z.string(), status: z.string() },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handler: async (args, { deps }) => {
    const to = args.status as (typeof LEAD_STATUSES)[number];
    const prev = await withTenant(deps.db.kysely, deps.tenant.tenant_id, (tx) =>
      transitionLead(tx, deps.tenant.tenant_id, args.lead_id, to, {
        reason: args.motivo,
        actor: `tool:${deps.transport}`,
      }),
    );
    return {
      data: { lead_id: args.lead_id, status_anterior: prev, status: to },
      text: `Lead ${args.lead_id}: ${prev} → ${to}.`,
    };
  },
});
