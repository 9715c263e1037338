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

export const DecisionSchema = z.object({
  lead_id: z.string(),
  nome: z.string(),
  status: z.string(),
  canal: z.enum(['whatsapp', 'email', 'none']),
  motivo: z.string().describe('Why this channel (pt-BR)'),
  template: z.string().nullable(),
  destino: z.string().nullable().describe('Masked destination'),
  timezone: z.string(),
  seria_enviado_agora: z.boolean(),
  codigo_bloqueio: z
    .string()
    .nullable()
    .describe(
      'opt_out | suprimido | estado_inelegivel | sem_canal | canal_nao_configurado | variaveis_ausentes | limite_por_destinatario | fora_da_janela',
    ),
  razao_bloqueio: z.string().nullable(),
  previsto_para: z.string().nullable().describe('When a deferred send would go (ISO)'),
  mensagem: z.string().nullable().describe('Rendered message (single lead only)'),
  assunto: z.string().nullable(),
});

export { isUuid, isoDateTime, uuid } from '../core/schemas.js';
