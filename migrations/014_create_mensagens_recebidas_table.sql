-- Inbound replies (WhatsApp, e-mail): stored once per downstream message id, classified, linked to the
-- lead when the sender is known. Unknown senders are kept too (lead_id null), never dropped.
CREATE TABLE mensagens_recebidas (
  mensagem_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenants (tenant_id),
  lead_id            uuid,
  canal              varchar(20) NOT NULL CHECK (canal IN ('whatsapp', 'email')),
  remetente          varchar(320) NOT NULL,
  texto              text NOT NULL,
  recebida_em        timestamptz NOT NULL,
  message_id_externo varchar(300) NOT NULL,
  classe             varchar(20) NOT NULL CHECK (classe IN ('opt_out', 'confirmacao', 'interesse', 'recusa', 'pergunta', 'outro')),
  confianca          real NOT NULL CHECK (confianca BETWEEN 0 AND 1),
  created_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT mensagens_recebidas_lead_fk FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, lead_id),
  CONSTRAINT mensagens_recebidas_uk UNIQUE (tenant_id, canal, message_id_externo)
);
CREATE INDEX mensagens_recebidas_lead_idx ON mensagens_recebidas (tenant_id, lead_id, recebida_em);
CREATE INDEX lead_telefones_wa_id_idx ON lead_telefones (tenant_id, wa_id) WHERE wa_id IS NOT NULL;
