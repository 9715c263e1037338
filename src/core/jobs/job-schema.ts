import { z } from 'zod';
import {
  CAMPAIGN_MODES,
  CAMPAIGN_STATUSES,
  DISPARO_STATUSES,
  INGEST_JOB_STATUSES,
  type DisparoStatus,
} from '../model/index.js';

/**
 * One job as a client sees it — an import or a campaign — with a schema per kind, so each reports
 * its own counts: an import its rows, leads and contacts; a campaign its disparos by status. The
 * statuses are the model's (core/model/job.ts): a client waits for the same words whatever the kind.
 */

export const RowProblemSchema = z.object({
  row: z.number().describe('Row number as the spreadsheet shows it'),
  sheet: z.string().optional(),
  column: z.string().optional(),
  value: z.string().optional(),
  reason: z.string(),
});
export type RowProblem = z.infer<typeof RowProblemSchema>;

export const IngestCountsSchema = z.object({
  rows_read: z.number(),
  leads_created: z.number(),
  leads_updated: z.number(),
  duplicates: z.number(),
  invalid_rows: z.number(),
  rows_without_channel: z.number().describe('Rows no channel reaches (no WhatsApp mobile, no valid e-mail)'),
  valid_phones: z.number(),
  invalid_phones: z.number(),
  valid_emails: z.number(),
  invalid_emails: z.number(),
});
export type IngestCounts = z.infer<typeof IngestCountsSchema>;

/** Keyed by the stored disparo statuses (pendente, enviado, …), plus their total. */
export const CampaignCountsSchema = z.object({
  ...(Object.fromEntries(DISPARO_STATUSES.map((s) => [s, z.number()])) as Record<DisparoStatus, z.ZodNumber>),
  total: z.number(),
});
export type CampaignCounts = z.infer<typeof CampaignCountsSchema>;

const timing = {
  progress_pct: z.number().nullable(),
  eta_seconds: z.number().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  /** Set when the job ends (concluido, falhou, cancelado). */
  finished_at: z.string().nullable(),
};

export const IngestJobSchema = z.object({
  job_id: z.string(),
  kind: z.literal('ingest'),
  status: z.enum(INGEST_JOB_STATUSES),
  file: z.string(),
  source_label: z.string().nullable(),
  validate_only: z.boolean(),
  counts: IngestCountsSchema,
  rows_per_second: z.number().nullable(),
  problems_total: z.number(),
  problems_sample: z.array(RowProblemSchema),
  ...timing,
});
export type IngestJob = z.infer<typeof IngestJobSchema>;

export const CampaignJobSchema = z.object({
  job_id: z.string(),
  kind: z.literal('dispatch'),
  status: z.enum(CAMPAIGN_STATUSES),
  mode: z.enum(CAMPAIGN_MODES),
  counts: CampaignCountsSchema,
  sends_per_second: z.number().nullable(),
  pace: z.number().nullable(),
  blocked_at_enqueue: z.record(z.string(), z.number()).describe('Leads not queued, by block code'),
  delivery: z.record(z.string(), z.number()).describe('Sent disparos by provider status (entregue, lido, falhou)'),
  dry_run_batch_id: z.string().nullable(),
  ...timing,
});
export type CampaignJob = z.infer<typeof CampaignJobSchema>;

export const JobSchema = z.discriminatedUnion('kind', [IngestJobSchema, CampaignJobSchema]);
export type Job = z.infer<typeof JobSchema>;
