import type { RowProblem } from '../jobs/job-schema.js';
import type { Clock } from '../ports.js';
import type { LegalBasis } from '../model/index.js';
import { zeroCounts, type Counts } from './counts.js';
import { groupRows } from './group.js';
import { insertProblems, PROBLEM_SAMPLE_SIZE, updateIngestJob } from './job-store.js';
import { mergeChunk, type StagedRow } from './merge.js';
import type { CopyTxRunner } from './ports.js';
import type { PreparedBatch, RowCounts } from './prepare.js';

/** The job a pipeline writes for. */
export interface IngestJobRef {
  jobId: string;
  tenantId: string;
  arquivo: string;
  validateOnly: boolean;
  /** LGPD art. 7 basis the import was made on; null: per row (a debt: X, else IX). */
  baseLegal?: LegalBasis | null;
}

/**
 * Collects prepared rows into chunks and writes each chunk in its own transaction (merge, problems,
 * the job's progress), in order, one chunk behind the reading: at most two chunks wait for the
 * database. The first failure stops the writing; the caller checks `failure`.
 */
export class ChunkWriter {
  readonly counts: Counts = zeroCounts();
  /** The first PROBLEM_SAMPLE_SIZE problems (the job's sample). */
  readonly sample: RowProblem[] = [];
  problemsTotal = 0;
  failure: unknown = null;
  private chunk: StagedRow[] = [];
  private pendingProblems: RowProblem[] = [];
  private bytesRead: number | undefined;
  private seq = 0;
  private inflight: Promise<void> = Promise.resolve();
  /** Chunks handed to the database and not written yet, oldest first. */
  private readonly queued: Array<Promise<void>> = [];

  constructor(
    private readonly store: CopyTxRunner,
    private readonly job: IngestJobRef,
    private readonly chunkSize: number,
    private readonly clock: Clock,
    private readonly onProgress?: (counts: Counts) => void,
  ) {}

  /** A batch's counts, problems and bytes; then its rows, writing every full chunk. */
  async add(batch: PreparedBatch): Promise<void> {
    for (const k of Object.keys(batch.counts) as Array<keyof RowCounts>) this.counts[k] += batch.counts[k];
    for (const p of batch.problems) {
      this.problemsTotal++;
      if (this.sample.length < PROBLEM_SAMPLE_SIZE) this.sample.push(p);
      this.pendingProblems.push(p);
    }
    if (batch.bytesRead !== undefined) this.bytesRead = batch.bytesRead;
    for (const row of batch.rows) {
      const staged = row as StagedRow;
      staged.seq = ++this.seq;
      staged.grupo = 0;
      this.chunk.push(staged);
      if (this.chunk.length >= this.chunkSize) {
        this.flush();
        // Back-pressure: never more than two chunks waiting for the database; preparing goes on while the
        // older one is written, so parsing and normalising overlap the database work.
        if (this.queued.length >= 2) await this.queued[0];
      }
    }
  }

  /** Writes what is left and waits for every chunk; rethrows the first failure. */
  async finish(): Promise<void> {
    this.flush();
    await this.inflight;
    if (this.failure) throw this.failure;
  }

  /** Hands the current chunk (and the problems since the last one) to the database, after the previous. */
  private flush(): void {
    const rows = this.chunk;
    const groups = groupRows(rows);
    rows.forEach((r, i) => (r.grupo = groups[i]));
    const problems = this.pendingProblems;
    this.chunk = [];
    this.pendingProblems = [];
    const bytesRead = this.bytesRead;
    this.inflight = this.inflight.then(async () => {
      try {
        if (this.failure) return;
        await this.write(rows, problems, bytesRead);
        this.onProgress?.({ ...this.counts });
      } catch (err) {
        this.failure ??= err;
      } finally {
        this.queued.shift();
      }
    });
    this.queued.push(this.inflight);
  }

  private async write(rows: StagedRow[], problems: RowProblem[], bytesRead: number | undefined): Promise<void> {
    const { job, counts } = this;
    await this.store.run(async (tx, copy) => {
      if (!job.validateOnly && rows.length) {
        const source = { ...job, actor: `ingest:${job.jobId}`, importedAt: this.clock.now() };
        const m = await mergeChunk(tx, copy, source, rows);
        counts.leads_criados += m.created;
        counts.leads_atualizados += m.updated;
        counts.duplicados += m.duplicates;
      }
      if (problems.length) await insertProblems(tx, job.tenantId, job.jobId, problems);
      await updateIngestJob(tx, job.tenantId, job.jobId, {
        counts: { ...counts },
        sample: this.sample,
        problemsTotal: this.problemsTotal,
        bytesRead,
      });
    });
  }
}
