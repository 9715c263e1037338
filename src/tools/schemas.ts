import { z } from 'zod';

/** Output shapes shared by several tools. */
export const RowProblemSchema = z.object({
  row: z.number().describe('Row number as the spreadsheet shows it'),
  sheet: z.string().optional(),
  column: z.string().optional(),
  value: z.string().optional(),
  reason: z.string(),
});

export const JobSchema = z.object({
  job_id: z.string(),
  kind: z.enum(['ingest', 'dispatch']),
  status: z.string().describe('pendente | processando | concluido | falhou | cancelado'),
  file: z.string().nullable(),
  source_label: z.string().nullable(),
  validate_only: z.boolean(),
  counts: z.record(z.string(), z.number()),
  progress_pct: z.number().nullable(),
  rows_per_second: z.number().nullable(),
  eta_seconds: z.number().nullable(),
  problems_total: z.number(),
  problems_sample: z.array(RowProblemSchema),
  error: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  modo: z.enum(['real', 'dry_run']).optional().describe('Dispatch jobs: real sends or a dry-run campaign'),
  blocked_at_enqueue: z
    .record(z.string(), z.number())
    .optional()
    .describe('Dispatch jobs: leads not queued, by reason'),
  dry_run_lote_id: z.string().nullable().optional(),
});

export { isUuid, isoDateTime, uuid } from '../core/schemas.js';
