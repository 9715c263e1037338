import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { DEFAULT_SEND_WINDOW, parseSendWindow, type SendWindowConfig } from '../policy/index.js';
import type { CreditorForTemplate } from '../templates/index.js';

/** What a tenant's outreach must respect. Stored in tenant_politicas; a missing row means these defaults. */
export interface OutreachPolicy {
  /**
   * The company the messages come from ({{remetente}}): sender_name, else the creditor's razão social,
   * else '' (a template that needs it is then blocked): never the tenant's slug.
   */
  remetente: string;
  /** The creditor collection messages name (CDC art. 42-A); null until configured. */
  credor: CreditorForTemplate | null;
  janela: SendWindowConfig;
  /** At most this many messages to one lead in any 24 hours (collections must not harass). */
  maxPorLead24h: number;
  /** Years after its due date a debt is prescribed and no longer collected (STJ REsp 2.088.100/SP: 5). */
  prescricaoAnos: number;
}

/** The default prescription term in years (Código Civil art. 206 §5º I, as read by STJ REsp 2.088.100/SP). */
export const DEFAULT_PRESCRICAO_ANOS = 5;

/**
 * Today's date in Brasília as YYYY-MM-DD. Made once: an Intl.DateTimeFormat costs ~0.5 ms to build, and
 * decide_channel asks on every call.
 */
const brasiliaDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' });

/**
 * The last due date (ISO) that is prescribed at `now`: today in Brasília minus `anos` years. A debt due
 * on 05/03/2021 is prescribed from 05/03/2026 on (a 29/02 due date counts from 28/02 in common years).
 *
 * @example prescriptionCutoff(new Date('2026-03-05T12:00:00Z'), 5) // '2021-03-05'
 */
export function prescriptionCutoff(now: Date, anos: number): string {
  // Brasília's date changes on a whole minute: computed once per minute and term (an Intl format is
  // ~0.1 ms, and decide_channel asks twice per call).
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute === lastCutoff.minute && anos === lastCutoff.anos) return lastCutoff.value;
  const today = brasiliaDate.format(now);
  const [y, m, d] = today.split('-').map(Number);
  const cut = new Date(Date.UTC(y - anos, m - 1, d));
  if (cut.getUTCMonth() !== m - 1) cut.setUTCDate(0);
  const value = cut.toISOString().slice(0, 10);
  lastCutoff = { minute, anos, value };
  return value;
}
let lastCutoff = { minute: NaN, anos: NaN, value: '' };

export async function loadPolicy(tx: Tx, tenant: { tenant_id: string; nome: string }): Promise<OutreachPolicy> {
  const row = await tx
    .selectFrom('tenant_politicas')
    .selectAll()
    .where('tenant_id', '=', tenant.tenant_id)
    .executeTakeFirst();
  return policyOf(row, tenant);
}

/** The columns of a tenant_politicas row a policy is made of. */
export type PolicyRow = {
  remetente: string | null;
  janela_envio: unknown;
  max_mensagens_lead_24h: number | null;
  credor: unknown;
  prescricao_anos: number | null;
};

/** The policy a tenant_politicas row says (undefined, or a row of nulls: no row, the defaults). */
export function policyOf(row: PolicyRow | undefined, _tenant: { nome: string }): OutreachPolicy {
  const credor = (row?.credor as CreditorForTemplate | null | undefined) ?? null;
  return {
    remetente: row?.remetente ?? credor?.razao_social ?? '',
    credor,
    janela: row?.janela_envio ? parseSendWindow(row.janela_envio) : DEFAULT_SEND_WINDOW,
    maxPorLead24h: row?.max_mensagens_lead_24h ?? 1,
    prescricaoAnos: row?.prescricao_anos ?? DEFAULT_PRESCRICAO_ANOS,
  };
}

export async function savePolicy(
  tx: Tx,
  tenantId: string,
  patch: {
    remetente?: string;
    janela?: unknown;
    maxPorLead24h?: number;
    credor?: CreditorForTemplate;
    prescricaoAnos?: number;
  },
): Promise<void> {
  const janela = patch.janela === undefined ? undefined : JSON.stringify(parseSendWindow(patch.janela));
  await tx
    .insertInto('tenant_politicas')
    .values({
      tenant_id: tenantId,
      remetente: patch.remetente ?? null,
      janela_envio: janela ?? null,
      max_mensagens_lead_24h: patch.maxPorLead24h ?? 1,
      credor: patch.credor ? JSON.stringify(patch.credor) : null,
      prescricao_anos: patch.prescricaoAnos ?? DEFAULT_PRESCRICAO_ANOS,
    })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({
        ...(patch.remetente !== undefined ? { remetente: patch.remetente } : {}),
        ...(janela !== undefined ? { janela_envio: janela } : {}),
        ...(patch.maxPorLead24h !== undefined ? { max_mensagens_lead_24h: patch.maxPorLead24h } : {}),
        ...(patch.credor !== undefined ? { credor: JSON.stringify(patch.credor) } : {}),
        ...(patch.prescricaoAnos !== undefined ? { prescricao_anos: patch.prescricaoAnos } : {}),
        // Bookkeeping only (no rule reads it): the database's clock will do.
        updated_at: sql`now()`,
      }),
    )
    .execute();
}
