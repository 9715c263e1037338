import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';

export interface CampaignView {
  job_id: string;
  kind: 'dispatch';
  status: string;
  modo: 'real' | 'dry_run';
  counts: Record<string, number>;
  blocked_at_enqueue: Record<string, number>;
  progress_pct: number | null;
  sends_per_second: number | null;
  eta_seconds: number | null;
  dry_run_lote_id: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

const FINAL = ['enviado', 'falhou', 'bloqueado', 'cancelado', 'incerto'];

/** A campaign with its disparos counted by status, the send rate of the last 10 s and an ETA. */
export async function getCampaign(tx: Tx, tenantId: string, id: string, now: Date): Promise<CampaignView | null> {
  const c = await tx
    .selectFrom('campanhas')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('campanha_id', '=', id)
    .executeTakeFirst();
  if (!c) return null;
  const { rows } = await sql<{ status: string; n: number; recent: number }>`
    select status, count(*)::int as n,
           count(*) filter (where status = 'enviado' and enviado_em > ${new Date(now.getTime() - 10_000)})::int as recent
    from disparos where tenant_id = ${tenantId} and campanha_id = ${id} group by status`.execute(tx);
  const counts: Record<string, number> = {
    pendente: 0,
    adiado: 0,
    em_execucao: 0,
    enviado: 0,
    falhou: 0,
    bloqueado: 0,
    cancelado: 0,
    incerto: 0,
  };
  let recent = 0;
  for (const r of rows) {
    counts[r.status] = r.n;
    recent += r.recent;
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const final = FINAL.reduce((a, s) => a + (counts[s] ?? 0), 0);
  const rate = recent / 10;
  const open = total - final;
  // A running campaign with nothing left open is done: derived here, so reading a job never writes.
  const status = c.status === 'executando' && open === 0 && c.modo === 'real' ? 'concluida' : c.status;
  return {
    job_id: c.campanha_id,
    kind: 'dispatch',
    status,
    modo: c.modo,
    counts: { ...counts, total },
    blocked_at_enqueue: ((c.resumo as Record<string, unknown>).bloqueados as Record<string, number>) ?? {},
    progress_pct: total ? Math.round((final / total) * 1000) / 10 : c.modo === 'dry_run' ? 100 : null,
    sends_per_second: Math.round(rate * 10) / 10,
    eta_seconds: open === 0 ? 0 : rate > 0 ? Math.round(open / rate) : null,
    dry_run_lote_id: c.dry_run_lote_id,
    error: c.erro,
    created_at: new Date(c.created_at).toISOString(),
    finished_at: c.concluida_em ? new Date(c.concluida_em).toISOString() : null,
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

/** Pause (rows stay pending), resume, or cancel (every row not yet final ends cancelado). */
export async function controlCampaign(
  tx: Tx,
  tenantId: string,
  id: string,
  action: 'pause' | 'resume' | 'cancel',
): Promise<string> {
  const c = await tx
    .selectFrom('campanhas')
    .select(['status', 'modo'])
    .where('tenant_id', '=', tenantId)
    .where('campanha_id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!c) throw new AppError('not_found', `Campaign ${id} was not found for this tenant.`);
  if (c.status === 'cancelada' || c.status === 'concluida')
    throw new AppError('failed_precondition', `Campaign ${id} is ${c.status}; nothing to ${action}.`);
  if (action === 'pause') {
    // Pending rows move far into the future, keeping their order; resume brings them back.
    await sql`update disparos set status = 'adiado', motivo = 'campanha pausada', proxima_tentativa_em = 'infinity', updated_at = now()
              where tenant_id = ${tenantId} and campanha_id = ${id} and status in ('pendente', 'adiado')`.execute(tx);
    await tx
      .updateTable('campanhas')
      .set({ status: 'pausada', updated_at: new Date() })
      .where('campanha_id', '=', id)
      .execute();
    return 'pausada';
  }
  if (action === 'resume') {
    await sql`update disparos set status = 'pendente', motivo = null, proxima_tentativa_em = now(), updated_at = now()
              where tenant_id = ${tenantId} and campanha_id = ${id} and status = 'adiado' and proxima_tentativa_em = 'infinity'`.execute(
      tx,
    );
    await tx
      .updateTable('campanhas')
      .set({ status: 'executando', updated_at: new Date() })
      .where('campanha_id', '=', id)
      .execute();
    return 'executando';
  }
  await sql`update disparos set status = 'cancelado', motivo = 'campanha cancelada', updated_at = now()
            where tenant_id = ${tenantId} and campanha_id = ${id} and status in ('pendente', 'adiado')`.execute(tx);
  await sql`
    with old as (select distinct l.lead_id from leads l join disparos d on d.lead_id = l.lead_id
                 where d.tenant_id = ${tenantId} and d.campanha_id = ${id} and d.status = 'cancelado' and l.status = 'em_disparo'),
    moved as (update leads l set status = 'novo', updated_at = now() from old where l.lead_id = old.lead_id returning l.lead_id)
    insert into lead_eventos (tenant_id, lead_id, tipo, status_de, status_para, motivo, ator)
    select ${tenantId}, lead_id, 'transicao', 'em_disparo', 'novo', 'campanha cancelada', 'control_dispatch' from moved`.execute(
    tx,
  );
  await tx
    .updateTable('campanhas')
    .set({ status: 'cancelada', concluida_em: new Date(), updated_at: new Date() })
    .where('campanha_id', '=', id)
    .execute();
  return 'cancelada';
}
