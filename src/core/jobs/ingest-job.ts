import type { Selectable } from 'kysely';
import type { IngestJobsTable } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import { countsOf } from '../ingest/counts.js';
import type { IngestJob, RowProblem } from './job-schema.js';

type IngestJobRow = Selectable<IngestJobsTable>;

/** One import job of the tenant (the transaction is tenant-scoped), or null. */
export async function selectIngestJob(tx: Tx, tenantId: string, jobId: string, now: Date): Promise<IngestJob | null> {
  const row = await tx
    .selectFrom('ingest_jobs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  return row ? ingestJob(row, now) : null;
}

/** The tenant's most recent import jobs, newest first. */
export async function selectRecentIngestJobs(tx: Tx, tenantId: string, limit: number, now: Date): Promise<IngestJob[]> {
  const rows = await tx
    .selectFrom('ingest_jobs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ingestJob(r, now));
}

/**
 * An ingest_jobs row as the job a client reads: progress from the bytes read, the rate of rows since it
 * started, and an ETA while it runs (all against `now`, the scope's clock).
 */
export function ingestJob(row: IngestJobRow, now: Date): IngestJob {
  const counts = countsOf(row);
  const started = row.iniciado_em ? new Date(row.iniciado_em) : null;
  const finished = row.concluido_em ? new Date(row.concluido_em) : null;
  const elapsed = started ? ((finished ?? now).getTime() - started.getTime()) / 1000 : 0;
  const done = row.status === 'concluido';
  let fraction: number | null = null;
  if (done) fraction = 1;
  else if (row.bytes_total && Number(row.bytes_total) > 0)
    fraction = Math.min(1, Number(row.bytes_lidos) / Number(row.bytes_total));
  const rowsPerSecond = elapsed > 0 ? counts.rows_read / elapsed : null;
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
    rows_per_second: rowsPerSecond === null ? null : Math.round(rowsPerSecond),
    problems_total: Number(row.problemas_total),
    problems_sample: (row.erros_amostra as RowProblem[]).slice(0, 20),
    progress_pct: fraction === null ? null : Math.round(fraction * 1000) / 10,
    eta_seconds: eta === null ? null : Math.round(eta),
    error: row.erro,
    created_at: new Date(row.created_at).toISOString(),
    started_at: started?.toISOString() ?? null,
    finished_at: finished?.toISOString() ?? null,
  };
}
