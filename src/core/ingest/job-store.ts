import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { withSystem, withTenant, type Tx } from '../../db/tenant.js';
import type { RowProblem } from '../jobs.js';

export const PROBLEM_SAMPLE_SIZE = 20;

export interface NewIngestJob {
  tenantId: string;
  tipo: 'xlsx' | 'csv';
  arquivo: string;
  sourceLabel: string | null;
  validateOnly: boolean;
  bytesTotal: number | null;
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
    })
    .returning('job_id')
    .executeTakeFirstOrThrow();
  return row.job_id;
}

export type CountColumn =
  | 'linhas_lidas'
  | 'leads_criados'
  | 'leads_atualizados'
  | 'duplicados'
  | 'linhas_invalidas'
  | 'linhas_sem_canal'
  | 'telefones_validos'
  | 'telefones_invalidos'
  | 'emails_validos'
  | 'emails_invalidos';

export type Counts = Record<CountColumn, number>;

export const zeroCounts = (): Counts => ({
  linhas_lidas: 0,
  leads_criados: 0,
  leads_atualizados: 0,
  duplicados: 0,
  linhas_invalidas: 0,
  linhas_sem_canal: 0,
  telefones_validos: 0,
  telefones_invalidos: 0,
  emails_validos: 0,
  emails_invalidos: 0,
});

export interface JobUpdate {
  status?: 'processando' | 'concluido' | 'falhou' | 'cancelado';
  counts?: Counts;
  bytesRead?: number;
  problems?: RowProblem[];
  sample?: RowProblem[];
  problemsTotal?: number;
  error?: string | null;
  started?: boolean;
  finished?: boolean;
}

/** Writes the job's progress; new problems are appended to ingest_problemas (all of them). */
export async function updateIngestJob(tx: Tx, tenantId: string, jobId: string, u: JobUpdate): Promise<void> {
  if (u.problems?.length) {
    for (let i = 0; i < u.problems.length; i += 1000) {
      await tx
        .insertInto('ingest_problemas')
        .values(
          u.problems.slice(i, i + 1000).map((p) => ({
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
  await tx
    .updateTable('ingest_jobs')
    .set({
      ...(u.status ? { status: u.status } : {}),
      ...(u.counts ?? {}),
      ...(u.bytesRead !== undefined ? { bytes_lidos: u.bytesRead } : {}),
      ...(u.sample ? { erros_amostra: JSON.stringify(u.sample) } : {}),
      ...(u.problemsTotal !== undefined ? { problemas_total: u.problemsTotal } : {}),
      ...(u.error !== undefined ? { erro: u.error } : {}),
      ...(u.started ? { iniciado_em: sql<Date>`now()` as never } : {}),
      ...(u.finished ? { concluido_em: sql<Date>`now()` as never } : {}),
      updated_at: sql<Date>`now()` as never,
    })
    .where('tenant_id', '=', tenantId)
    .where('job_id', '=', jobId)
    .execute();
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
 * job_status never shows a job running forever.
 */
export async function failOrphanedJobs(db: Kysely<Database>, olderThan: Date): Promise<number> {
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
          concluido_em: new Date(),
        })
        .where('status', 'in', ['pendente', 'processando'])
        .where('updated_at', '<', olderThan)
        .executeTakeFirst(),
    );
    n += Number(res.numUpdatedRows);
  }
  return n;
}
