import { z } from 'zod';

/** Output shapes shared by several tools (a job is core/jobs/job-schema.ts). */
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
      'opt_out | suprimido | estado_inelegivel | sem_canal | canal_nao_configurado | variaveis_ausentes | ' +
        'limite_por_destinatario | fora_da_janela',
    ),
  razao_bloqueio: z.string().nullable(),
  previsto_para: z.string().nullable().describe('When a deferred send would go (ISO)'),
  mensagem: z.string().nullable().describe('Rendered message (single lead only)'),
  assunto: z.string().nullable(),
});

export { isUuid, isoDateTime, uuid } from '../core/schemas.js';
