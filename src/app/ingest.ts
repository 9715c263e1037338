import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from '../core/errors.js';
import { createIngestJob, updateIngestJob } from '../core/ingest/job-store.js';
import type { LeadField } from '../core/ingest/columns.js';
import { ingestPrepared, NoHeaderError } from '../core/ingest/pipeline.js';
import { prepareRows, type PreparedBatch } from '../core/ingest/prepare.js';
import { getJob, type JobView } from '../core/jobs.js';
import { createCopyTx } from '../db/copy-tx.js';
import { assertFreeSpace } from '../db/disk-space.js';
import { withTenant } from '../db/tenant.js';
import type { ServerDeps } from '../deps.js';
import { ingestFolders, resolveAllowedFile } from '../files/allowed-path.js';
import { detectFormat, readRows, SpreadsheetError, type SpreadsheetSource } from '../files/spreadsheet.js';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const MAX_FILE_BYTES = 1024 * 1024 * 1024;

export interface IngestRequest {
  file_path?: string;
  content_base64?: string;
  filename?: string;
  sheet?: string;
  column_map?: Record<string, LeadField>;
  validate_only?: boolean;
  source_label?: string;
}

export type Progress = (progress: number, total: number | undefined, message: string) => Promise<void>;

/**
 * Starts an import and waits for it up to waitMs: a small file comes back finished, a large one comes
 * back running (poll job_status) and goes on in the background. While waiting, progress is reported
 * every second so the client does not time out.
 */
export async function ingestLeads(
  deps: ServerDeps,
  req: IngestRequest,
  progress: Progress,
  waitMs: number,
): Promise<JobView> {
  const source = await resolveSource(deps, req);
  const { tenant } = deps;
  let format: 'xlsx' | 'csv';
  try {
    format = await detectFormat(source);
  } catch (err) {
    if (err instanceof SpreadsheetError) throw new AppError('unsupported_format', err.message, { cause: err });
    throw err;
  }
  const size = source.buffer ? source.buffer.length : (await stat(source.path!)).size;
  const diskGuard = deps.db.kind === 'pglite' ? () => assertFreeSpace(deps.config.dataDir) : null;
  await diskGuard?.();
  const jobId = await withTenant(deps.db.kysely, tenant.tenant_id, (tx) =>
    createIngestJob(tx, {
      tenantId: tenant.tenant_id,
      tipo: format,
      arquivo: source.filename,
      sourceLabel: req.source_label ?? null,
      validateOnly: !!req.validate_only,
      bytesTotal: size,
    }),
  );
  const log = deps.logger.child({ job_id: jobId });
  let bytes = 0;
  const run = (async () => {
    await withTenant(deps.db.kysely, tenant.tenant_id, (tx) =>
      updateIngestJob(tx, tenant.tenant_id, jobId, { status: 'processando', started: true }),
    );
    try {
      const rows = readRows(source, { sheet: req.sheet, onBytes: (n) => (bytes = n) });
      const batches = prepareRows(rows, { columnMap: req.column_map, bytesRead: () => bytes });
      const result = await ingestPrepared(
        { store: createCopyTx(deps.db), logger: log },
        { jobId, tenantId: tenant.tenant_id, arquivo: source.filename, validateOnly: !!req.validate_only },
        guarded(batches, diskGuard),
      );
      await withTenant(deps.db.kysely, tenant.tenant_id, (tx) =>
        updateIngestJob(tx, tenant.tenant_id, jobId, {
          status: 'concluido',
          counts: result.counts,
          bytesRead: size,
          finished: true,
        }),
      );
      log.info({ counts: result.counts, problems: result.problemsTotal }, 'ingest finished');
    } catch (err) {
      const message = errorMessage(err);
      log.warn({ err: { name: (err as Error).name, message } }, 'ingest failed');
      await withTenant(deps.db.kysely, tenant.tenant_id, (tx) =>
        updateIngestJob(tx, tenant.tenant_id, jobId, { status: 'falhou', error: message, finished: true }),
      );
    }
  })();
  deps.tasks.run(run);

  const deadline = Date.now() + waitMs;
  let done = false;
  run.finally(() => (done = true));
  while (!done && Date.now() < deadline) {
    await Promise.race([run, new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))))]);
    if (!done) {
      const pct = size ? Math.round((bytes / size) * 100) : undefined;
      await progress(
        bytes,
        size || undefined,
        `importando ${source.filename}${pct !== undefined ? `: ${pct}%` : ''}`,
      ).catch(() => {});
    }
  }
  const job = await withTenant(deps.db.kysely, tenant.tenant_id, (tx) =>
    getJob(tx, tenant.tenant_id, jobId, deps.clock),
  );
  return job!;
}

/** Batches as they come, with the disk checked every GUARD_EVERY rows (before the chunk they fill is written). */
async function* guarded(
  batches: AsyncIterable<PreparedBatch>,
  check: (() => Promise<void>) | null,
): AsyncGenerator<PreparedBatch> {
  let n = 0;
  for await (const batch of batches) {
    n += batch.counts.linhas_lidas;
    if (check && n >= GUARD_EVERY) {
      n = 0;
      await check();
    }
    yield batch;
  }
}
const GUARD_EVERY = 1000;

function errorMessage(err: unknown): string {
  if (err instanceof SpreadsheetError || err instanceof NoHeaderError || err instanceof AppError) return err.message;
  return `internal error while importing: ${(err as Error).message ?? String(err)}`;
}

/** Where the bytes come from: an allowed server-side path, or content sent in the call. */
async function resolveSource(deps: ServerDeps, req: IngestRequest): Promise<SpreadsheetSource> {
  if (!!req.file_path === !!req.content_base64) {
    throw new AppError(
      'invalid_argument',
      'Give exactly one of file_path (a file on the server) or content_base64 + filename.',
    );
  }
  if (req.content_base64) {
    if (!req.filename)
      throw new AppError(
        'invalid_argument',
        'content_base64 needs filename (e.g. "leads.xlsx") to name the job and tell the format.',
      );
    if (req.content_base64.length > Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 4) {
      throw new AppError(
        'invalid_argument',
        `content_base64 is over ${MAX_UPLOAD_BYTES / 1024 / 1024} MB; put the file on the server and use file_path instead.`,
      );
    }
    const buffer = Buffer.from(req.content_base64, 'base64');
    return { buffer, filename: basename(req.filename) };
  }
  const real = await resolveAllowedFile(req.file_path!, ingestFolders(deps.config, deps.transport, deps.tenant.slug));
  const st = await stat(real);
  if (st.size > MAX_FILE_BYTES) throw new AppError('invalid_argument', `${req.file_path} is over 1 GB; split it.`);
  return { path: real, filename: basename(real) };
}
