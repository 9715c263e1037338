/**
 * A job: work that runs in the background and that a client polls with job_status — an import
 * (ingest_jobs) or a campaign (campanhas). One status vocabulary for both, so a client waits for the
 * same words whatever the kind (migration 019 moved the campaigns' own words onto it).
 */
export const JOB_KINDS = ['ingest', 'dispatch'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_STATUSES = ['pendente', 'processando', 'pausado', 'concluido', 'falhou', 'cancelado'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job in one of these will not change any more: finished_at is set. */
export const JOB_FINAL: readonly JobStatus[] = ['concluido', 'falhou', 'cancelado'];

/** The statuses an import job may take (it is never paused). */
export const INGEST_JOB_STATUSES = ['pendente', 'processando', 'concluido', 'falhou', 'cancelado'] as const;
export type IngestJobStatus = (typeof INGEST_JOB_STATUSES)[number];

/** The statuses a campaign may take (created running; pause/resume/cancel by control_dispatch). */
export const CAMPAIGN_STATUSES = ['processando', 'pausado', 'concluido', 'falhou', 'cancelado'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Imports: created pendente, run, and end; one that never started may be failed or cancelled. */
export const INGEST_JOB_TRANSITIONS: Readonly<Record<IngestJobStatus, readonly IngestJobStatus[]>> = {
  pendente: ['processando', 'falhou', 'cancelado'],
  processando: ['concluido', 'falhou', 'cancelado'],
  concluido: [],
  falhou: [],
  cancelado: [],
};

export const INGEST_JOB_INITIAL: readonly IngestJobStatus[] = ['pendente'];

/**
 * Campaigns: a real one is created processando and ends concluido when no disparo is left open; a dry
 * run is created concluido. control_dispatch pauses, resumes and cancels.
 */
export const CAMPAIGN_TRANSITIONS: Readonly<Record<CampaignStatus, readonly CampaignStatus[]>> = {
  processando: ['pausado', 'concluido', 'falhou', 'cancelado'],
  pausado: ['processando', 'cancelado'],
  concluido: [],
  falhou: [],
  cancelado: [],
};

/** A real campaign starts processando; a dry run is recorded concluido at once. */
export const CAMPAIGN_INITIAL: readonly CampaignStatus[] = ['processando', 'concluido'];

export const CAMPAIGN_MODES = ['real', 'dry_run'] as const;
export type CampaignMode = (typeof CAMPAIGN_MODES)[number];

export const SPREADSHEET_FORMATS = ['xlsx', 'csv'] as const;
export type SpreadsheetFormat = (typeof SPREADSHEET_FORMATS)[number];
