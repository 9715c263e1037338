import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { withSystem, withTenant, type Tx } from '../../db/tenant.js';
import type { RowProblem } from '../jobs/job-schema.js';
import type { IngestJobStatus, LegalBasis, SpreadsheetFormat } from '../model/index.js';
import type { Counts } from './counts.js';

/**
 * The ingest_jobs and ingest_problemas statements, one per function. Times come from the caller's clock
 * (started, finished: job_status computes rate and ETA against the same clock); updated_at stays the
 * database's: it is the heartbeat failOrphanedJobs compares with the wall clock at start-up.
 */

export { zeroCounts, type Counts, type CountColumn } from './counts.js';

export const PROBLEM_SAMPLE_SIZE = 20;

export interface NewIngestJob {
  tenantId: string;
  tipo: SpreadsheetFormat;
  arquivo: string;
  sourceLabel: string | null;
  validateOnly: boolean;
  bytesTotal: number | null;
  /** LGPD art. 7; null: not given (per row: X with a debt, IX otherwise), base_legal_informada false. */
  baseLegal?: LegalBasis | null;
}

export async function createIngestJob(tx: Tx, j: NewIngestJob): Promise<string> {
  const row = await tx
    .insertInto('ingest_jobs')
    .values({
      tenant_id: j.tenantId,
      tipo: j.tipo,
      arquivo: j.arquivo,
      source_label: j.sourceLabel,
      validate_only: j.validateOnly,
      bytes_total: j.bytesTotal,
      status: 'pendente',
      base_legal: j.baseLegal ?? null,
      base_legal_informada: !!j.baseLegal,
    })
    .returning('job_id')
    .executeTakeFirstOrThrow();
  return row.job_id;
}

export interface JobUpdate {
  status?: Exclude<IngestJobStatus, 'pendente'>;
  counts?: Counts;
  bytesRead?: number;
  sample?: RowProblem[];
  problemsTotal?: number;
  error?: string | null;
  /** Sets started_at (iniciado_em) to this time. */
  startedAt?: Date;
  /** Sets finished_at (concluido_em) to this time: give it with every final status. */
  finishedAt?: Date;
}

/** Writes the job's status and progress. */
export async function updateIngestJob(tx: Tx, tenantId: string, jobId: string, u: JobUpdate): Promise<void> {
  await tx
    .updateTable('ingest_jobs')
    .set({
      ...(u.status ? { status: u.status } : {}),
      ...(u.counts ?? {}),
      ...(u.bytesRead !== undefined ? { bytes_lidos: u.bytesRead } : {}),
      ...(u.sample ? { erros_amostra: JSON.stringify(u.sample) } : {}),
      ...(u.problemsTotal !== undefined ? { problemas_total: u.problemsTotal } : {}),
      ...(u.error !== undefined ? { erro: u.error } : {}),
      ...(u.startedAt ? { iniciado_em: u.startedAt } : {}),
      ...(u.finishedAt ? { concluido_em: u.finishedAt } : {}),
      updated_at: sql<Date>`now()` as never,
    })
    .where('tenant_id', '=', tenantId)
    .where('job_id', '=', jobId)
    .execute();
}

/** Appends problems to ingest_problemas (all of them; the job keeps a sample), 1,000 rows a statement. */
export async function insertProblems(tx: Tx, tenantId: string, jobId: string, problems: RowProblem[]): Promise<void> {
  for (let i = 0; i < problems.length; i += 1000) {
    await tx
      .insertInto('ingest_problemas')
      .values(
        problems.slice(i, i + 1000).map((p) => ({
          job_id: jobId,
          tenant_id: tenantId,
          linha: p.row,
          aba: p.sheet?.slice(0, 200) ?? null,
          coluna: p.column?.slice(0, 200) ?? null,
          valor: p.value?.slice(0, 500) ?? null,
          motivo: p.reason,
        })),
      )
      .execute();
  }
}

/** Every problem of a job, in row order (for the CSV export and the problems resource). */
export async function listProblems(tx: Tx, tenantId: string, jobId: string, limit = 100_000): Promise<RowProblem[]> {
  const { rows } = await sql<{
    linha: number;
    aba: string | null;
    coluna: string | null;
    valor: string | null;
    motivo: string;
  }>`
    select linha, aba, coluna, valor, motivo from ingest_problemas
    where tenant_id = ${tenantId} and job_id = ${jobId} order by linha, problema_id limit ${limit}`.execute(tx);
  return rows.map((r) => ({
    row: r.linha,
    ...(r.aba ? { sheet: r.aba } : {}),
    ...(r.coluna ? { column: r.coluna } : {}),
    ...(r.valor !== null ? { value: r.valor } : {}),
    reason: r.motivo,
  }));
}

/**
 * Jobs left 'processando' by a process that died cannot finish: mark them failed at start-up so
 * job_status never shows a job running forever. Run by the serve command before it takes calls;
 * `now` is when they are found dead (the database's time when not given).
 */
export async function failOrphanedJobs(db: Kysely<Database>, olderThan: Date, now?: Date): Promise<number> {
  // Found across tenants by the system role (read only), failed inside each job's tenant.
  const orphans = await withSystem(db, (tx) =>
    tx
      .selectFrom('ingest_jobs')
      .select(['tenant_id'])
      .distinct()
      .where('status', 'in', ['pendente', 'processando'])
      .where('updated_at', '<', olderThan)
      .execute(),
  );
  let n = 0;
  for (const { tenant_id } of orphans) {
    const res = await withTenant(db, tenant_id, (tx) =>
      tx
        .updateTable('ingest_jobs')
        .set({
          status: 'falhou',
          erro: 'interrompido: o processo que importava terminou antes do fim; importe o arquivo de novo (nada será duplicado)',
          concluido_em: now ?? (sql<Date>`now()` as never),
        })
        .where('status', 'in', ['pendente', 'processando'])
        .where('updated_at', '<', olderThan)
        .executeTakeFirst(),
    );
    n += Number(res.numUpdatedRows);
  }
  return n;
}
