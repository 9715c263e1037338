import { z } from 'zod';
import { LEAD_STATUSES } from '../model/index.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { transitionLead } from './transition.js';

export const setLeadStatusInput = {
  lead_id: uuid(),
  /** Every status but opt_out, which only manage_suppression records (with the suppression entry). */
  status: z.enum(LEAD_STATUSES).exclude(['opt_out']),
  reason: z.string().min(3).max(500).describe('Why (kept in the lead history)'),
};
export const setLeadStatusOutput = {
  lead_id: z.string(),
  previous_status: z.string(),
  status: z.string(),
};

/**
 * Moves one lead along its state machine (core/model/lead.ts), with the reason and the scope's actor in
 * its history. An illegal move is refused (failed_precondition) naming the moves that are possible.
 */
export async function setLeadStatus(
  scope: Scope,
  input: Infer<typeof setLeadStatusInput>,
): Promise<Infer<typeof setLeadStatusOutput>> {
  const previous = await scope.tx((tx) =>
    transitionLead(tx, scope.tenant.tenant_id, input.lead_id, input.status, {
      reason: input.reason,
      actor: scope.actorLabel,
    }),
  );
  return { lead_id: input.lead_id, previous_status: previous, status: input.status };
}
