import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import type { Touched } from '../merge-rows.js';

/**
 * The debts of a chunk's leads (new and existing), one statement. A debt the lead already has (same
 * contrato, vencimento and valor: dividas_chave_uk) is skipped, so re-importing a sheet adds nothing.
 */
export async function insertDebts(tx: Tx, tenantId: string, leads: Iterable<Pick<Touched, 'dividas'>>): Promise<void> {
  const debts = [...leads].flatMap((l) => [...l.dividas.values()]);
  if (!debts.length) return;
  await sql`
    insert into dividas (tenant_id, lead_id, valor_centavos, vencimento, contrato, descricao, job_id, linha)
    select ${tenantId}, d.lead_id, d.valor_centavos, d.vencimento, d.contrato, d.descricao, d.job_id, d.linha
    from jsonb_to_recordset(${JSON.stringify(debts)}::jsonb) as d(lead_id uuid, valor_centavos bigint, vencimento date,
           contrato text, descricao text, job_id uuid, linha int)
    on conflict (tenant_id, lead_id, coalesce(contrato, ''), coalesce(vencimento, 'infinity'::date),
                 coalesce(valor_centavos, -1)) do nothing`.execute(tx);
}
