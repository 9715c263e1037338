import { z } from 'zod';

/** Output shapes shared by the meeting tools. */
export const MeetingSchema = z.object({
  agendamento_id: z.string().describe('Empty in a dry run'),
  lead_id: z.string(),
  status: z.string(),
  inicio: z.string(),
  fim: z.string(),
  inicio_local: z.string(),
  rotulo: z.string().describe('pt-BR label for messages'),
  timezone: z.string(),
  titulo: z.string(),
  local: z.string().nullable(),
  organizador: z.string().nullable(),
  evento_id_externo: z.string().nullable(),
  erro: z.string().nullable().describe('Calendar problem / what to do by hand'),
  lembrete_enviado_em: z.string().nullable(),
});

export const MeetingMessageSchema = z.object({
  status: z.enum(['enfileirado', 'adiado', 'dry_run', 'bloqueado', 'duplicado']),
  canal: z.enum(['whatsapp', 'email', 'none']),
  destino: z.string().nullable(),
  template: z.string().nullable(),
  motivo: z.string(),
  mensagem: z.string().nullable(),
  disparo_id: z.string().nullable(),
  previsto_para: z.string().nullable(),
});
