import { z } from 'zod';
import { AGENDAMENTO_STATUSES, type AgendamentoStatus } from '../model/index.js';
import { localLabel, toZonedIso } from '../time/index.js';

/**
 * A meeting as every meeting tool returns it. The one shape: tools publish it, use cases return
 * z.infer of it.
 */
export const agendamentoOutput = z.object({
  agendamento_id: z.string().describe('Empty in a dry run'),
  lead_id: z.string(),
  status: z.enum([...AGENDAMENTO_STATUSES, 'dry_run']),
  start: z.string(),
  end: z.string(),
  start_local: z.string().describe("In the lead's zone"),
  label: z.string().describe('pt-BR label for messages'),
  timezone: z.string(),
  title: z.string(),
  location: z.string().nullable(),
  organizer: z.string().nullable(),
  calendar_event_id: z.string().nullable(),
  error: z.string().nullable().describe('Calendar problem / what to do by hand'),
  reminder_sent_at: z.string().nullable(),
});
export type AgendamentoOut = z.infer<typeof agendamentoOutput>;

/** An agendamentos row as the meeting use cases read it (status 'dry_run': validated, never stored). */
export interface MeetingRow {
  agendamento_id: string;
  lead_id: string;
  status: AgendamentoStatus | 'dry_run';
  inicio: Date;
  fim: Date;
  timezone: string;
  titulo: string;
  descricao: string | null;
  local: string | null;
  organizador: string | null;
  evento_id_externo: string | null;
  erro: string | null;
  lembrete_enviado_em: Date | null;
}

/** The row as the tools return it: UTC and local times, the pt-BR label. */
export function agendamentoView(r: MeetingRow): AgendamentoOut {
  const start = new Date(r.inicio);
  return {
    agendamento_id: r.agendamento_id,
    lead_id: r.lead_id,
    status: r.status,
    start: start.toISOString(),
    end: new Date(r.fim).toISOString(),
    start_local: toZonedIso(start, r.timezone),
    label: localLabel(start, r.timezone).label,
    timezone: r.timezone,
    title: r.titulo,
    location: r.local,
    organizer: r.organizador,
    calendar_event_id: r.evento_id_externo,
    error: r.erro,
    reminder_sent_at: r.lembrete_enviado_em ? new Date(r.lembrete_enviado_em).toISOString() : null,
  };
}
