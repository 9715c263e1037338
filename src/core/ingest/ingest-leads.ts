import { z } from 'zod';
import { AppError } from '../errors.js';
import { selectIngestJob } from '../jobs/ingest-job.js';
import { IngestJobSchema } from '../jobs/job-schema.js';
import type { Infer } from '../schemas.js';
import { LEGAL_BASES } from '../model/index.js';
import type { Scope } from '../scope.js';
import type { LeadField } from './column-types.js';
import { createIngestJob } from './job-store.js';
import { runImport } from './run-import.js';

/** column_map's fields (English, as query_leads names them) → the lead fields the mapping fills. */
const COLUMN_FIELDS = {
  name: 'nome',
  contact_name: 'contato_nome',
  document: 'documento',
  phone: 'telefone',
  email: 'email',
  external_id: 'lead_id_externo',
  state: 'uf',
  amount: 'valor',
  due_date: 'vencimento',
  contract: 'contrato',
  description: 'descricao',
} as const satisfies Record<string, LeadField>;

const fieldNames = Object.keys(COLUMN_FIELDS) as Array<keyof typeof COLUMN_FIELDS>;

export const ingestLeadsInput = {
  file_path: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe('Absolute path inside a folder get_status lists (ingest.folders), or an allowed s3:// or https:// URL'),
  content_base64: z.string().max(28_000_000).optional().describe('Or the file, base64 (≤20 MB), with filename'),
  filename: z.string().min(1).max(255).optional().describe('e.g. "leads.xlsx"'),
  sheet: z.string().min(1).max(200).optional().describe('Only this sheet (default: all with lead columns)'),
  column_map: z
    .record(z.string().min(1).max(200), z.enum(fieldNames as [keyof typeof COLUMN_FIELDS]))
    .optional()
    .describe('Header → field, e.g. {"Fone Comercial": "phone"}'),
  validate_only: z.boolean().default(false).describe('Check and report only; write no leads'),
  source_label: z.string().max(200).optional(),
  legal_basis: z
    .enum(LEGAL_BASES)
    .optional()
    .describe('LGPD art. 7; omitted: protecao_credito for rows with a debt, else legitimo_interesse'),
};
export const ingestLeadsOutput = { job: IngestJobSchema };

export interface IngestWait {
  /** How long the call waits for the import before it returns the job still running, in ms. */
  waitMs: number;
  /** Progress while it waits (bytes of the file read, of its size), about once a second. */
  onProgress?(progress: number, total: number | undefined, message: string): Promise<void>;
}

/**
 * Starts an import and waits for it up to `wait.waitMs`: a small file comes back finished, a large one
 * comes back running (poll job_status) and goes on in the background (scope.background). While
 * waiting, progress is reported every second so the client does not time out.
 */
export async function ingestLeads(
  scope: Scope,
  input: Infer<typeof ingestLeadsInput>,
  wait: IngestWait,
): Promise<Infer<typeof ingestLeadsOutput>> {
  if (!scope.spreadsheets || !scope.bulk) throw new Error('ingestLeads needs scope.spreadsheets and scope.bulk');
  const file = await scope.spreadsheets.open(input);
  await scope.assertWritable();
  const tenantId = scope.tenant.tenant_id;
  const jobId = await scope.tx((tx) =>
    createIngestJob(tx, {
      tenantId,
      tipo: file.format,
      arquivo: file.filename,
      sourceLabel: input.source_label ?? null,
      validateOnly: input.validate_only,
      bytesTotal: file.size,
      baseLegal: input.legal_basis ?? null,
    }),
  );
  const progress = { bytes: 0 };
  const columnMap = input.column_map && columnMapOf(input.column_map);
  const run = runImport(scope, scope.bulk, {
    jobId,
    file,
    sheet: input.sheet,
    columnMap,
    validateOnly: input.validate_only,
    baseLegal: input.legal_basis ?? null,
    progress,
  });
  void scope.background.run(run);
  await waitFor(run, wait.waitMs, async () => {
    const pct = file.size ? Math.round((progress.bytes / file.size) * 100) : undefined;
    const message = `importando ${file.filename}${pct !== undefined ? `: ${pct}%` : ''}`;
    await wait.onProgress?.(progress.bytes, file.size || undefined, message).catch(() => {});
  });
  const job = await scope.tx((tx) => selectIngestJob(tx, tenantId, jobId, scope.clock.now()));
  if (!job) throw new AppError('not_found', `Job ${jobId} disappeared while importing.`);
  return { job };
}

function columnMapOf(map: Record<string, keyof typeof COLUMN_FIELDS>): Record<string, LeadField> {
  return Object.fromEntries(Object.entries(map).map(([header, field]) => [header, COLUMN_FIELDS[field]]));
}

/** Waits for `task` up to `ms` (a performance timer: the caller's wall-clock budget), ticking every second. */
async function waitFor(task: Promise<unknown>, ms: number, tick: () => Promise<void>): Promise<void> {
  const deadline = performance.now() + ms;
  let done = false;
  void task.finally(() => (done = true));
  while (!done && performance.now() < deadline) {
    const left = Math.max(0, deadline - performance.now());
    await Promise.race([task, new Promise((r) => setTimeout(r, Math.min(1000, left)))]);
    if (!done) await tick();
  }
}
