-- Phones of a lead, as found and as normalised (E.164). WhatsApp goes only to valid mobiles.
CREATE TABLE lead_telefones (
  telefone_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL,
  lead_id             uuid NOT NULL,
  numero_original     varchar(100) NOT NULL,
  numero_e164         varchar(20),
  tipo                varchar(20) NOT NULL CHECK (tipo IN (
                        'movel', 'fixo', 'toll_free', 'tarifado', 'desconhecido', 'invalido')),
  valido_para_disparo boolean NOT NULL DEFAULT false,
  motivo_invalido     text,
  reparado            boolean NOT NULL DEFAULT false,
  -- WhatsApp id reported by the downstream server (may keep the old 8-digit form).
  wa_id               varchar(40),
  posicao             integer NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT lead_telefones_lead_fk FOREIGN KEY (tenant_id, lead_id)
    REFERENCES leads (tenant_id, lead_id) ON DELETE CASCADE,
  CONSTRAINT lead_telefones_motivo_ck CHECK (valido_para_disparo OR motivo_invalido IS NOT NULL),
  CONSTRAINT lead_telefones_valido_ck CHECK (NOT valido_para_disparo OR (numero_e164 IS NOT NULL AND tipo = 'movel'))
);

CREATE UNIQUE INDEX lead_telefones_lead_numero_uk
  ON lead_telefones (lead_id, (coalesce(numero_e164, numero_original)));
CREATE INDEX lead_telefones_tenant_e164_idx ON lead_telefones (tenant_id, numero_e164);
