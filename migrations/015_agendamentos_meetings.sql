-- Meetings: what scheduling, reminders and their messages need on top of 005.
-- 'incerto': the calendar call's outcome is unknown (timeout, crash): the event may exist, so the
-- slot stays blocked until someone checks the calendar and cancels or reschedules.
ALTER TABLE agendamentos DROP CONSTRAINT agendamentos_status_check;
ALTER TABLE agendamentos ADD CONSTRAINT agendamentos_status_check CHECK (status IN (
  'pendente', 'agendado', 'confirmado', 'cancelado', 'realizado', 'nao_compareceu', 'falhou', 'incerto'));

-- Double-booking checks look up the active meetings of a lead or an organiser around a time.
CREATE INDEX agendamentos_organizador_idx ON agendamentos (tenant_id, organizador, inicio)
  WHERE status IN ('pendente', 'agendado', 'confirmado', 'incerto');
-- send_reminders looks for upcoming meetings still without a reminder.
CREATE INDEX agendamentos_lembrete_idx ON agendamentos (inicio)
  WHERE lembrete_enviado_em IS NULL AND status IN ('agendado', 'confirmado');

-- A confirmation or reminder is a disparo tied to its meeting: the executor lets it reach a lead in a
-- meeting state (agendado/confirmado) and drops it when the meeting was cancelled before it left.
ALTER TABLE disparos ADD COLUMN agendamento_id uuid REFERENCES agendamentos (agendamento_id);
CREATE INDEX disparos_agendamento_idx ON disparos (agendamento_id) WHERE agendamento_id IS NOT NULL;
