import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { transitionLeads } from '../leads/transition.js';
import {
  CAMPAIGN_TRANSITIONS,
  DISPARO_FINAL,
  DISPARO_OPEN,
  DISPARO_STATUSES,
  type CampaignMode,
  type CampaignStatus,
  type DisparoStatus,
} from '../model/index.js';

export interface CampaignView {
  job_id: string;
  kind: 'dispatch';
  status: CampaignStatus;
  modo: CampaignMode;
  counts: Record<string, number>;
  blocked_at_enqueue: Record<string, number>;
  /** Disparos by the delivery status their provider reported after accepting them (webhooks, polling). */
  delivery: Record<string, number>;
  progress_pct: number | null;
  sends_per_second: number | null;
  /** The campaign's own pace (start_dispatch `pace`); null: its channel's. */
  pace: number | null;
  eta_seconds: number | null;
  dry_run_lote_id: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** A campaign with its disparos counted by status, the send rate of the last 10 s and an ETA. */
export async function getCampaign(tx: Tx, tenantId: string, id: string, now: Date): Promise<CampaignView | null> {
  const c = await tx
    .selectFrom('campanhas')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('campanha_id', '=', id)
    .executeTakeFirst();
  if (!c) return null;
  const tenSecondsAgo = new Date(now.getTime() - 10_000);
  const { rows } = await sql<{
    status: DisparoStatus;
    n: number;
    recent: number;
    last: Date | null;
    entregue: number;
    lido: number;
    falhou: number;
  }>`
    select status, count(*)::int as n,
           count(*) filter (where status = 'enviado' and enviado_em > ${tenSecondsAgo})::int as recent,
           max(updated_at) as last,
           count(*) filter (where entrega = 'entregue')::int as entregue,
           count(*) filter (where entrega = 'lido')::int as lido,
           count(*) filter (where entrega = 'falhou')::int as falhou
    from disparos where tenant_id = ${tenantId} and campanha_id = ${id} group by status`.execute(tx);
  const delivery = { entregue: 0, lido: 0, falhou: 0 };
  for (const r of rows) for (const k of ['entregue', 'lido', 'falhou'] as const) delivery[k] += r[k];
  const counts = Object.fromEntries(DISPARO_STATUSES.map((s) => [s, 0])) as Record<DisparoStatus, number>;
  let recent = 0;
  let last = 0;
  for (const r of rows) {
    counts[r.status] = r.n;
    recent += r.recent;
    if (r.last) last = Math.max(last, new Date(r.last).getTime());
  }
  const total = rows.reduce((a, r) => a + r.n, 0);
  const final = DISPARO_FINAL.reduce((a, s) => a + counts[s], 0);
  const open = DISPARO_OPEN.reduce((a, s) => a + counts[s], 0);
  const rate = recent / 10;
  // The executor marks a campaign concluido once nothing is left open (completeCampaigns); until its
  // next round a reader already sees the truth, with the time of the last change as finished_at.
  const done = c.status === 'processando' && c.modo === 'real' && open === 0;
  const finishedAt = c.concluida_em ? new Date(c.concluida_em) : done ? new Date(last || c.updated_at) : null;
  return {
    job_id: c.campanha_id,
    kind: 'dispatch',
    status: done ? 'concluido' : c.status,
    modo: c.modo,
    counts: { ...counts, total },
    delivery,
    blocked_at_enqueue: ((c.resumo as Record<string, unknown>).bloqueados as Record<string, number>) ?? {},
    progress_pct: total ? Math.round((final / total) * 1000) / 10 : c.modo === 'dry_run' ? 100 : null,
    sends_per_second: Math.round(rate * 10) / 10,
    pace: c.ritmo_por_segundo === null ? null : Number(c.ritmo_por_segundo),
    eta_seconds: open === 0 ? 0 : rate > 0 ? Math.round(open / rate) : null,
    dry_run_lote_id: c.dry_run_lote_id,
    error: c.erro,
    created_at: new Date(c.created_at).toISOString(),
    finished_at: finishedAt?.toISOString() ?? null,
  };
}

export async function listCampaignIds(tx: Tx, tenantId: string, limit: number): Promise<string[]> {
  const rows = await tx
    .selectFrom('campanhas')
    .select('campanha_id')
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.campanha_id);
}

/**
 * Marks concluido every running campaign of these (all of the tenant's when omitted) with no disparo
 * left open, with the time of its last change. Run by the executor after it records outcomes and
 * once a second (two executors finishing a campaign's last rows at once may each still see the
 * other's rows open).
 */
export async function completeCampaigns(
  tx: Tx,
  tenantId: string,
  campaignIds: readonly string[] | undefined,
  now: Date,
): Promise<string[]> {
  const { rows } = await sql<{ campanha_id: string }>`
    update campanhas c set status = 'concluido', updated_at = ${now},
      concluida_em = coalesce((select max(d.updated_at) from disparos d
                               where d.tenant_id = c.tenant_id and d.campanha_id = c.campanha_id), ${now})
    where c.tenant_id = ${tenantId} and c.status = 'processando' and c.modo = 'real'
      ${campaignIds ? sql`and c.campanha_id = any(${campaignIds}::uuid[])` : sql``}
      and not exists (select 1 from disparos d where d.tenant_id = c.tenant_id and d.campanha_id = c.campanha_id
                      and d.status = any(${DISPARO_OPEN}::text[]))
    returning c.campanha_id`.execute(tx);
  return rows.map((r) => r.campanha_id);
}

const ACTION_TARGET = { pause: 'pausado', resume: 'processando', cancel: 'cancelado' } as const;

/** Pause (rows stay queued), resume, or cancel (every row not yet final ends cancelado). */
export async function controlCampaign(
  tx: Tx,
  tenantId: string,
  id: string,
  action: 'pause' | 'resume' | 'cancel',
  actor: string,
  now: Date,
): Promise<CampaignStatus> {
  const c = await tx
    .selectFrom('campanhas')
    .select(['status', 'modo'])
    .where('tenant_id', '=', tenantId)
    .where('campanha_id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!c) throw new AppError('not_found', `Campaign ${id} was not found for this tenant.`);
  const to = ACTION_TARGET[action];
  if (!CAMPAIGN_TRANSITIONS[c.status].includes(to)) {
    throw new AppError(
      'failed_precondition',
      `Campaign ${id} is ${c.status}; it cannot ${action}` +
        (CAMPAIGN_TRANSITIONS[c.status].length
          ? ` (from ${c.status} it can go to: ${CAMPAIGN_TRANSITIONS[c.status].join(', ')}).`
          : ' (it has ended).'),
    );
  }
  if (action === 'pause') {
    // Queued rows move far into the future, keeping their order; resume brings them back.
    await sql`
      update disparos set status = 'adiado', motivo = 'campanha pausada', proxima_tentativa_em = 'infinity',
        updated_at = ${now}
      where tenant_id = ${tenantId} and campanha_id = ${id} and status in ('pendente', 'adiado')`.execute(tx);
  } else if (action === 'resume') {
    await sql`
      update disparos set status = 'pendente', motivo = null, proxima_tentativa_em = ${now}, updated_at = ${now}
      where tenant_id = ${tenantId} and campanha_id = ${id} and status = 'adiado'
        and proxima_tentativa_em = 'infinity'`.execute(tx);
  } else {
    const cancelled = await sql<{ lead_id: string }>`
      update disparos set status = 'cancelado', motivo = 'campanha cancelada', updated_at = ${now}
      where tenant_id = ${tenantId} and campanha_id = ${id} and status in ('pendente', 'adiado')
      returning lead_id`.execute(tx);
    // Leads queued by this campaign that it will now never message go back to novo.
    await transitionLeads(
      tx,
      tenantId,
      cancelled.rows.map((r) => r.lead_id),
      'novo',
      { reason: 'campanha cancelada', actor, from: ['em_disparo'] },
    );
  }
  await tx
    .updateTable('campanhas')
    .set({ status: to, updated_at: now, ...(action === 'cancel' ? { concluida_em: now } : {}) })
    .where('campanha_id', '=', id)
    .execute();
  return to;
}
