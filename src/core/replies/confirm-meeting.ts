import type { Tx } from '../../db/tenant.js';
import { transitionLeads } from '../leads/transition.js';

/**
 * A "confirmado" from a lead confirms their next meeting still waiting for it (agendado, starting after
 * the reply): the meeting and the lead move to confirmado. Only our records change; the calendar event
 * stays as it is. Returns the meeting's id, or null when there is none to confirm.
 */
export async function confirmNextMeeting(
  tx: Tx,
  tenantId: string,
  leadId: string,
  reply: { text: string; receivedAt: Date },
  opts: { actor: string; now: Date },
): Promise<string | null> {
  const next = await tx
    .selectFrom('agendamentos')
    .select('agendamento_id')
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .where('status', '=', 'agendado')
    .where('inicio', '>', reply.receivedAt)
    .orderBy('inicio')
    .limit(1)
    .executeTakeFirst();
  if (!next) return null;
  const done = await tx
    .updateTable('agendamentos')
    .set({ status: 'confirmado', updated_at: opts.now })
    .where('tenant_id', '=', tenantId)
    .where('agendamento_id', '=', next.agendamento_id)
    .where('status', '=', 'agendado')
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) return null;
  await transitionLeads(tx, tenantId, [leadId], 'confirmado', {
    from: ['agendado'],
    actor: opts.actor,
    reason: `reunião ${next.agendamento_id} confirmada pela resposta: "${reply.text.slice(0, 80)}"`,
  });
  return next.agendamento_id;
}
