import type { IngestCounts } from '../jobs/job-schema.js';

/**
 * An import's counts: each is a column of ingest_jobs (pt-BR, as stored) and a field of the job a
 * client reads (English, core/jobs/job-schema.ts). This table is the one place they meet.
 */
export const COUNT_COLUMNS = {
  rows_read: 'linhas_lidas',
  leads_created: 'leads_criados',
  leads_updated: 'leads_atualizados',
  duplicates: 'duplicados',
  invalid_rows: 'linhas_invalidas',
  rows_without_channel: 'linhas_sem_canal',
  valid_phones: 'telefones_validos',
  invalid_phones: 'telefones_invalidos',
  valid_emails: 'emails_validos',
  invalid_emails: 'emails_invalidos',
} as const satisfies Record<keyof IngestCounts, string>;

export type CountColumn = (typeof COUNT_COLUMNS)[keyof IngestCounts];

/** The counts as the pipeline keeps them: keyed by their ingest_jobs column. */
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

/** Stored counts (columns; numbers or numeric strings) → the job's counts. */
export function countsOf(row: Record<CountColumn, number | string | bigint>): IngestCounts {
  const out = {} as IngestCounts;
  for (const [field, column] of Object.entries(COUNT_COLUMNS) as Array<[keyof IngestCounts, CountColumn]>) {
    out[field] = Number(row[column]);
  }
  return out;
}
