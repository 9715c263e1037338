-- E-mails of a lead, as found and as normalised (trimmed, lower case).
CREATE TABLE lead_emails (
  email_id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL,
  lead_id             uuid NOT NULL,
  email_original      varchar(500) NOT NULL,
  email_normalizado   varchar(320),
  valido_para_disparo boolean NOT NULL DEFAULT false,
  motivo_invalido     text,
  posicao             integer NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT lead_emails_lead_fk FOREIGN KEY (tenant_id, lead_id)
    REFERENCES leads (tenant_id, lead_id) ON DELETE CASCADE,
  CONSTRAINT lead_emails_motivo_ck CHECK (valido_para_disparo OR motivo_invalido IS NOT NULL),
  CONSTRAINT lead_emails_valido_ck CHECK (NOT valido_para_disparo OR email_normalizado IS NOT NULL)
);

CREATE UNIQUE INDEX lead_emails_lead_email_uk
  ON lead_emails (lead_id, (coalesce(email_normalizado, email_original)));
CREATE INDEX lead_emails_tenant_email_idx ON lead_emails (tenant_id, email_normalizado);
