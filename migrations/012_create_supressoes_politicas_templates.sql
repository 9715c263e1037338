-- Suppression list: tenant-wide, cross-channel. A lead whose document, phone or e-mail is here is never
-- contacted, whatever status or however it was (re-)imported. Phones are stored in E.164 with the
-- ninth digit; checks compare both the 8- and 9-digit WhatsApp forms.
CREATE TABLE supressoes (
  supressao_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id),
  tipo         varchar(10) NOT NULL CHECK (tipo IN ('documento', 'telefone', 'email')),
  valor        varchar(320) NOT NULL CHECK (valor <> ''),
  motivo       text NOT NULL,
  origem       varchar(20) NOT NULL DEFAULT 'manual' CHECK (origem IN ('manual', 'opt_out', 'importacao', 'bounce')),
  lead_id      uuid,
  ator         varchar(200) NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT supressoes_valor_uk UNIQUE (tenant_id, tipo, valor)
);

-- Outreach policy per tenant; a missing row means the defaults (DESIGN.md §5).
CREATE TABLE tenant_politicas (
  tenant_id                 uuid PRIMARY KEY REFERENCES tenants (tenant_id),
  remetente                 varchar(200),
  janela_envio              jsonb,
  max_mensagens_lead_24h    integer NOT NULL DEFAULT 1 CHECK (max_mensagens_lead_24h BETWEEN 1 AND 10),
  updated_at                timestamptz NOT NULL DEFAULT now()
);

-- Per-tenant template overrides (same id as a built-in replaces it; a new id adds one).
CREATE TABLE templates_tenant (
  tenant_id   uuid NOT NULL REFERENCES tenants (tenant_id),
  template_id varchar(100) NOT NULL CHECK (template_id ~ '^[a-z0-9_]+$'),
  definicao   jsonb NOT NULL CHECK (jsonb_typeof(definicao) = 'object'),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, template_id)
);
