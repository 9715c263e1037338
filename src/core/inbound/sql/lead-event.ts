import type { Tx } from '../../../db/tenant.js';
import type { LeadEventType } from '../../model/index.js';

/** One lead_eventos row that records something other than a move (a reply, a delivery status). */
export async function insertLeadEvents(
  tx: Tx,
  tenantId: string,
  rows: Array<{ leadId: string; tipo: LeadEventType; motivo: string; dados: Record<string, unknown> }>,
  actor: string,
): Promise<void> {
  if (!rows.length) return;
  await tx
    .insertInto('lead_eventos')
    .values(
      rows.map((r) => ({
        tenant_id: tenantId,
        lead_id: r.leadId,
        tipo: r.tipo,
        motivo: r.motivo,
        ator: actor,
        dados: JSON.stringify(r.dados),
      })),
    )
    .execute();
}
