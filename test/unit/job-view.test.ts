import { describe, expect, it } from 'vitest';
import { campaignJob } from '../../src/core/jobs/campaign-job.js';
import { ingestJob } from '../../src/core/jobs/ingest-job.js';
import { CampaignJobSchema, IngestJobSchema } from '../../src/core/jobs/job-schema.js';

/*
 * The job views, directly (core/jobs): an ingest_jobs row and a campaign as the job a client reads —
 * progress from the bytes read, rate and ETA against the caller's `now`, the stored counts under
 * their English names, and every view valid against its own schema.
 */
const row = (o: Record<string, unknown> = {}) =>
  ({
    job_id: 'j1',
    tenant_id: 't1',
    tipo: 'xlsx',
    arquivo: 'leads.xlsx',
    source_label: null,
    status: 'processando',
    validate_only: false,
    bytes_total: 1000,
    bytes_lidos: 250,
    linhas_lidas: 5000,
    leads_criados: 4000,
    leads_atualizados: 10,
    duplicados: 900,
    linhas_invalidas: 100,
    linhas_sem_canal: 7,
    telefones_validos: 3900,
    telefones_invalidos: 200,
    emails_validos: '3000', // numeric columns may come back as strings
    emails_invalidos: 1,
    problemas_total: 1,
    erros_amostra: [{ row: 7, reason: 'número incompleto' }],
    erro: null,
    iniciado_em: new Date('2026-11-24T13:00:00Z'),
    concluido_em: null,
    created_at: new Date('2026-11-24T12:59:59Z'),
    updated_at: new Date('2026-11-24T13:00:10Z'),
    ...o,
  }) as never;

describe('job views', () => {
  const now = new Date('2026-11-24T13:00:10Z');

  it('a running import: progress from bytes, rows per second and ETA against now, counts in English', () => {
    const j = ingestJob(row(), now);
    expect(j).toMatchObject({
      kind: 'ingest',
      status: 'processando',
      progress_pct: 25,
      rows_per_second: 500,
      eta_seconds: 30,
      started_at: '2026-11-24T13:00:00.000Z',
      finished_at: null,
    });
    expect(j.counts).toEqual({
      rows_read: 5000,
      leads_created: 4000,
      leads_updated: 10,
      duplicates: 900,
      invalid_rows: 100,
      rows_without_channel: 7,
      valid_phones: 3900,
      invalid_phones: 200,
      valid_emails: 3000,
      invalid_emails: 1,
    });
    expect(IngestJobSchema.parse(j)).toEqual(j);
  });

  it('a finished import is at 100% with no ETA left, its rate over its own duration; a pending one knows nothing yet', () => {
    const done = ingestJob(row({ status: 'concluido', concluido_em: new Date('2026-11-24T13:00:05Z') }), now);
    expect(done).toMatchObject({ progress_pct: 100, eta_seconds: 0, rows_per_second: 1000 });
    expect(done.finished_at).toBe('2026-11-24T13:00:05.000Z');
    const pending = ingestJob(row({ status: 'pendente', iniciado_em: null, bytes_total: null, linhas_lidas: 0 }), now);
    expect(pending).toMatchObject({ progress_pct: null, rows_per_second: null, eta_seconds: null, started_at: null });
  });

  it('a campaign: its disparos by status (every status present), its mode and batch, started when created', () => {
    const j = campaignJob({
      job_id: 'c1',
      kind: 'dispatch',
      status: 'processando',
      modo: 'real',
      counts: { enviado: 3, pendente: 1, total: 4 },
      blocked_at_enqueue: { opt_out: 2 },
      delivery: { entregue: 2, lido: 1, falhou: 0 },
      progress_pct: 75,
      sends_per_second: 0.3,
      pace: null,
      eta_seconds: 3,
      dry_run_lote_id: null,
      error: null,
      created_at: '2026-11-24T12:00:00.000Z',
      finished_at: null,
    });
    expect(j.counts).toEqual({
      pendente: 1,
      adiado: 0,
      em_execucao: 0,
      enviado: 3,
      falhou: 0,
      bloqueado: 0,
      cancelado: 0,
      incerto: 0,
      total: 4,
    });
    expect(j).toMatchObject({
      mode: 'real',
      sends_per_second: 0.3,
      started_at: '2026-11-24T12:00:00.000Z',
      delivery: { entregue: 2, lido: 1, falhou: 0 },
    });
    expect(CampaignJobSchema.parse(j)).toEqual(j);
  });
});
