-- The audit trail of a lead: every state transition (from, to, why, who, when) and notable events
-- (import, merge). Written in the same transaction as the change it records.
CREATE TABLE lead_eventos (
  evento_id   bigserial PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (tenant_id),
  lead_id     uuid NOT NULL,
  tipo        varchar(20) NOT NULL CHECK (tipo IN ('transicao', 'importacao', 'mesclagem', 'nota')),
  status_de   varchar(20),
  status_para varchar(20),
  motivo      text NOT NULL,
  ator        varchar(200) NOT NULL,
  dados       jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT lead_eventos_lead_fk FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, lead_id) ON DELETE CASCADE,
  CONSTRAINT lead_eventos_transicao_ck CHECK (tipo <> 'transicao' OR status_para IS NOT NULL)
);
CREATE INDEX lead_eventos_lead_idx ON lead_eventos (tenant_id, lead_id, evento_id);
