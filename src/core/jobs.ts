import type { Selectable } from 'kysely';
import type { IngestJobsTable } from '../db/schema.js';
import type { Tx } from '../db/tenant.js';
import { getCampaign, listCampaignIds, type CampaignView } from './dispatch/campaigns.js';
import type { Clock } from './ports.js';

export type JobKind = 'ingest' | 'dispatch';

export interface RowProblem {
  row: number;
  sheet?: string;
  column?: string;
  value?: string;
  reason: string;
}

/** One job as callers see it, whatever its kind. */
export interface JobView {
  job_id: string;
  kind: JobKind;
  status: string;
  file: string | null;
  source_label: string | null;
  validate_only: boolean;
  counts: Record<string, number>;
  progress_pct: number | null;
  rows_per_second: number | null;
  eta_seconds: number | null;
  problems_total: number;
  problems_sample: RowProblem[];
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  modo?: 'real' | 'dry_run';
  blocked_at_enqueue?: Record<string, number>;
  dry_run_lote_id?: string | null;
}

const COUNT_COLUMNS = [
  'linhas_lidas',
  'leads_criados',
  'leads_atualizados',
  'duplicados',
  'linhas_invalidas',
  'linhas_sem_canal',
  'telefones_validos',
  'telefones_invalidos',
  'emails_validos',
  'emails_invalidos',
] as const;

/** Output names of count columns that differ from the column (new names are English). */
const COUNT_KEYS: Partial<Record<(typeof COUNT_COLUMNS)[number], string>> = {
  linhas_sem_canal: 'rows_without_channel',
};

/** One job of the tenant, ingest or dispatch (the transaction is already tenant-scoped), or null. */
export async function getJob(tx: Tx, tenantId: string, jobId: string, clock: Clock): Promise<JobView | null> {
  const row = await tx
    .selectFrom('ingest_jobs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  if (row) return ingestJobView(row, clock.now());
  const c = await getCampaign(tx, tenantId, jobId, clock.now());
  return c ? campaignJobView(c) : null;
}

function campaignJobView(c: CampaignView): JobView {
  return {
    job_id: c.job_id,
    kind: 'dispatch',
    status: c.status,
    file: null,
    source_label: null,
    validate_only: false,
    counts: c.counts,
    progress_pct: c.progress_pct,
    rows_per_second: c.sends_per_second,
    eta_seconds: c.eta_seconds,
    problems_total: 0,
    problems_sample: [],
    error: c.error,
    created_at: c.created_at,
    started_at: c.created_at,
    finished_at: c.finished_at,
    modo: c.modo,
    blocked_at_enqueue: c.blocked_at_enqueue,
    dry_run_lote_id: c.dry_run_lote_id,
  };
}

/** The tenant's most recent jobs, newest first. */
export async function listJobs(tx: Tx, tenantId: string, limit: number, clock: Clock): Promise<JobView[]> {
  const rows = await tx
    .selectFrom('ingest_jobs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  const now = clock.now();
  const campaigns = await Promise.all(
    (await listCampaignIds(tx, tenantId, limit)).map((id) => getCampaign(tx, tenantId, id, now)),
  );
  return [
    ...rows.map((r) => ingestJobView(r, now)),
    ...campaigns.filter((c): c is CampaignView => !!c).map(campaignJobView),
  ]
    .sort((a, b) => b.created_at.localeCompare(a.created_at))
    .slice(0, limit);
}

type IngestJobRow = Selectable<IngestJobsTable>;

function ingestJobView(row: IngestJobRow, now: Date): JobView {
  const counts: Record<string, number> = {};
  for (const c of COUNT_COLUMNS) counts[COUNT_KEYS[c] ?? c] = Number(row[c]);
  const started = row.iniciado_em ? new Date(row.iniciado_em) : null;
  const finished = row.concluido_em ? new Date(row.concluido_em) : null;
  const elapsed = started ? ((finished ?? now).getTime() - started.getTime()) / 1000 : 0;
  const done = row.status === 'concluido';
  let fraction: number | null = null;
  if (done) fraction = 1;
  else if (row.bytes_total && Number(row.bytes_total) > 0)
    fraction = Math.min(1, Number(row.bytes_lidos) / Number(row.bytes_total));
  const rowsPerSecond = elapsed > 0 ? counts.linhas_lidas / elapsed : null;
  const eta =
    row.status === 'processando' && fraction && fraction > 0 && elapsed > 0
      ? (elapsed * (1 - fraction)) / fraction
      : done
        ? 0
        : null;
  return {
    job_id: row.job_id,
    kind: 'ingest',
    status: row.status,
    file: row.arquivo,
    source_label: row.source_label,
    validate_only: row.validate_only,
    counts,
    progress_pct: fraction === null ? null : Math.round(fraction * 1000) / 10,
    rows_per_second: rowsPerSecond === null ? null : Math.round(rowsPerSecond),
    eta_seconds: eta === null ? null : Math.round(eta),
    problems_total: Number(row.problemas_total),
    problems_sample: (row.erros_amostra as RowProblem[]).slice(0, 20),
    error: row.erro,
    created_at: new Date(row.created_at).toISOString(),
    started_at: started?.toISOString() ?? null,
    finished_at: finished?.toISOString() ?? null,
  };
}
