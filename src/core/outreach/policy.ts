import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { DEFAULT_SEND_WINDOW, parseSendWindow, type SendWindowConfig } from '../policy/index.js';

/** What a tenant's outreach must respect. Stored in tenant_politicas; a missing row means these defaults. */
export interface OutreachPolicy {
  /** The company the messages come from ({{remetente}}). */
  remetente: string;
  janela: SendWindowConfig;
  /** At most this many messages to one lead in any 24 hours (collections must not harass). */
  maxPorLead24h: number;
}

export async function loadPolicy(tx: Tx, tenant: { tenant_id: string; nome: string }): Promise<OutreachPolicy> {
  const row = await tx
    .selectFrom('tenant_politicas')
    .selectAll()
    .where('tenant_id', '=', tenant.tenant_id)
    .executeTakeFirst();
  return policyOf(row, tenant);
}

/** The columns of a tenant_politicas row a policy is made of. */
export type PolicyRow = { remetente: string | null; janela_envio: unknown; max_mensagens_lead_24h: number | null };

/** The policy a tenant_politicas row says (undefined, or a row of nulls: no row, the defaults). */
export function policyOf(row: PolicyRow | undefined, tenant: { nome: string }): OutreachPolicy {
  return {
    remetente: row?.remetente ?? tenant.nome,
    janela: row?.janela_envio ? parseSendWindow(row.janela_envio) : DEFAULT_SEND_WINDOW,
    maxPorLead24h: row?.max_mensagens_lead_24h ?? 1,
  };
}

export async function savePolicy(
  tx: Tx,
  tenantId: string,
  patch: { remetente?: string; janela?: unknown; maxPorLead24h?: number },
): Promise<void> {
  const janela = patch.janela === undefined ? undefined : JSON.stringify(parseSendWindow(patch.janela));
  await tx
    .insertInto('tenant_politicas')
    .values({
      tenant_id: tenantId,
      remetente: patch.remetente ?? null,
      janela_envio: janela ?? null,
      max_mensagens_lead_24h: patch.maxPorLead24h ?? 1,
    })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({
        ...(patch.remetente !== undefined ? { remetente: patch.remetente } : {}),
        ...(janela !== undefined ? { janela_envio: janela } : {}),
        ...(patch.maxPorLead24h !== undefined ? { max_mensagens_lead_24h: patch.maxPorLead24h } : {}),
        // Bookkeeping only (no rule reads it): the database's clock will do.
        updated_at: sql`now()`,
      }),
    )
    .execute();
}
