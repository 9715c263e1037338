import { z } from 'zod';

/** Output shapes shared by several tools. */
export const RowProblemSchema = z.object({
  row: z.number().int().describe('1-based row number in the file, as a spreadsheet shows it'),
  sheet: z.string().optional(),
  column: z.string().optional(),
  value: z.string().optional(),
  reason: z.string(),
});

export const JobSchema = z.object({
  job_id: z.string(),
  kind: z.enum(['ingest']),
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
});
