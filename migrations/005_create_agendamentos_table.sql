-- Meetings booked with leads through the calendar channel.
CREATE TABLE agendamentos (
  agendamento_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL,
  lead_id             uuid NOT NULL,
  inicio              timestamptz NOT NULL,
  fim                 timestamptz NOT NULL,
  timezone            varchar(64) NOT NULL,
  titulo              varchar(300) NOT NULL,
  descricao           text,
  local               varchar(500),
  organizador         varchar(320),
  status              varchar(20) NOT NULL DEFAULT 'pendente' CHECK (status IN (
                        'pendente', 'agendado', 'confirmado', 'cancelado', 'realizado', 'nao_compareceu', 'falhou')),
  evento_id_externo   varchar(300),
  erro                text,
  lembrete_enviado_em timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT agendamentos_lead_fk FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, lead_id),
  CONSTRAINT agendamentos_periodo_ck CHECK (fim > inicio)
);

CREATE INDEX agendamentos_tenant_inicio_idx ON agendamentos (tenant_id, inicio);
CREATE INDEX agendamentos_lead_idx ON agendamentos (tenant_id, lead_id);
