import { z } from 'zod';
import { AppError } from '../errors.js';
import { LEAD_STATUSES } from '../model/index.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { editLead } from './edit-lead.js';
import { transitionLead } from './transition.js';

export const updateLeadInput = {
  lead_id: uuid(),
  /** Every status but opt_out, which only manage_suppression records (with the suppression entry). */
  status: z.enum(LEAD_STATUSES).exclude(['opt_out']).optional(),
  phone: z.string().max(40).optional().describe('Replaces its phones'),
  email: z.string().max(320).optional().describe('Replaces its e-mails'),
  contact_name: z.string().max(200).optional(),
  document: z.string().max(30).optional().describe('CPF/CNPJ, formatted or not'),
  uf: z.string().max(40).optional().describe('Also sets its time zone'),
  reason: z.string().min(3).max(500).describe('Why (kept in its history)'),
};
export const updateLeadOutput = {
  lead_id: z.string(),
  previous_status: z.string(),
  status: z.string(),
  changed: z.array(z.string()).describe('Fields corrected'),
};

/**
 * One lead's correction and/or move, in one transaction: contact data re-normalised, deduplicated and
 * audited (edit-lead.ts), then the status moved along its state machine (core/model/lead.ts) with the
 * reason and the scope's actor in its history; an illegal move is refused naming the possible ones.
 */
export async function updateLead(
  scope: Scope,
  input: Infer<typeof updateLeadInput>,
): Promise<Infer<typeof updateLeadOutput>> {
  const { lead_id, status, reason, ...edit } = input;
  if (status === undefined && !Object.values(edit).some((v) => v !== undefined)) {
    throw new AppError(
      'invalid_argument',
      'nothing to change: give status, or phone, email, contact_name, document or uf.',
    );
  }
  const audit = { reason, actor: scope.actorLabel };
  return scope.tx(async (tx) => {
    const t = scope.tenant.tenant_id;
    // A move alone is one statement (transition.ts), as it was: no lead row lock taken before it.
    const edits = Object.values(edit).some((v) => v !== undefined);
    const changed = edits ? await editLead(tx, t, lead_id, edit, { ...audit, now: scope.clock.now() }) : [];
    if (status === undefined) {
      const row = await tx
        .selectFrom('leads')
        .select('status')
        .where('lead_id', '=', lead_id)
        .executeTakeFirstOrThrow();
      return { lead_id, previous_status: row.status, status: row.status, changed };
    }
    const previous = await transitionLead(tx, t, lead_id, status, audit);
    return { lead_id, previous_status: previous, status, changed };
  });
}
