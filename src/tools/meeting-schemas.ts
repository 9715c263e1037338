import { z } from 'zod';

/** Output shapes shared by the meeting tools. */
export const MeetingSchema = z.object({
  agendamento_id: z.string().describe('Empty in a dry run (nothing stored)'),
  lead_id: z.string(),
  status: z.string().describe('pendente | agendado | confirmado | cancelado | realizado | nao_compareceu | falhou | incerto (dry_run when nothing was stored)'),
  inicio: z.string().describe('UTC ISO'),
  fim: z.string(),
  inicio_local: z.string().describe("Start with the lead's offset"),
  rotulo: z.string().describe('pt-BR label for a message, e.g. "terça, 01/12 às 10:00 (horário de Manaus)"'),
  timezone: z.string(),
  titulo: z.string(),
  local: z.string().nullable(),
  organizador: z.string().nullable(),
  evento_id_externo: z.string().nullable(),
  erro: z.string().nullable().describe('What went wrong with the calendar, or what must be done by hand'),
  lembrete_enviado_em: z.string().nullable(),
});

export const MeetingMessageSchema = z.object({
  status: z.enum(['enfileirado', 'adiado', 'dry_run', 'bloqueado', 'duplicado']),
  canal: z.enum(['whatsapp', 'email', 'none']),
  destino: z.string().nullable().describe('Masked destination'),
  template: z.string().nullable(),
  motivo: z.string(),
  mensagem: z.string().nullable(),
  disparo_id: z.string().nullable().describe('The queued send (its outcome: query_leads with the lead)'),
  previsto_para: z.string().nullable().describe('When a deferred message goes out (ISO)'),
});
