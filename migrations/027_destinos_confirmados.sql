-- A destination (phone in E.164 or e-mail) shared by leads with different documents is never sent a
-- collection message (contato_compartilhado: telling a third party about a debt is what CDC art. 42
-- forbids) until someone confirms whose it is (manage_suppression confirm_destination). One owner per
-- destination; the confirmation names who made it (audited, also in the lead's history).
CREATE TABLE destinos_confirmados (
  tenant_id  uuid NOT NULL,
  tipo       varchar(10) NOT NULL CHECK (tipo IN ('telefone', 'email')),
  valor      varchar(320) NOT NULL CHECK (valor <> ''),
  lead_id    uuid NOT NULL,
  motivo     text NOT NULL,
  ator       varchar(200) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, tipo, valor),
  CONSTRAINT destinos_confirmados_lead_fk FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, lead_id) ON DELETE CASCADE
);
SELECT agente_isolar_tenant('destinos_confirmados');
