-- WhatsApp as the platform runs it (issue #16): approved templates, the 24-hour window, error actions.
--
-- * modelos_aprovados: per tenant, per our template id and per provider, the identity the provider
--   approved. 'meta' (Cloud API, and the sandbox that speaks like it): the approved name, language,
--   category and status, and which of our variables fills each numbered parameter {{1}}, {{2}}…
--   'twilio': the Content SID (HX…) and the same ordered variables (ContentVariables "1", "2"…).
--   Outside the 24-hour window a WhatsApp message may only be an approved template of this table.
-- * restricoes_marketing: a phone whose person stopped marketing messages from this business (Meta
--   131050): marketing templates never go to it again; utility messages still do.
-- * The window itself is read from mensagens_recebidas (the last WhatsApp message from that phone):
--   a GIN index over remetente_formas finds it per destination.
CREATE TABLE modelos_aprovados (
  tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id),
  template_id  varchar(100) NOT NULL CHECK (template_id ~ '^[a-z0-9_]+$'),
  provedor     varchar(10) NOT NULL CHECK (provedor IN ('meta', 'twilio')),
  nome         varchar(512) CHECK (nome ~ '^[a-z0-9_]+$'),
  idioma       varchar(15) NOT NULL DEFAULT 'pt_BR' CHECK (idioma ~ '^[a-z]{2,3}(_[A-Z]{2})?$'),
  categoria    varchar(20) NOT NULL CHECK (categoria IN ('utility', 'marketing', 'authentication')),
  status       varchar(20) NOT NULL CHECK (status IN ('approved', 'paused', 'rejected', 'disabled')),
  parametros   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(parametros) = 'array'),
  content_sid  varchar(34) CHECK (content_sid ~ '^HX[0-9a-fA-F]{32}$'),
  motivo       varchar(300),
  ator         varchar(200) NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, template_id, provedor),
  CONSTRAINT modelos_aprovados_identidade_ck CHECK (
    (provedor = 'meta' AND nome IS NOT NULL) OR (provedor = 'twilio' AND content_sid IS NOT NULL))
);
SELECT agente_isolar_tenant('modelos_aprovados');

CREATE TABLE restricoes_marketing (
  tenant_id   uuid NOT NULL REFERENCES tenants (tenant_id),
  telefone    varchar(20) NOT NULL,
  motivo      varchar(300) NOT NULL,
  desde       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, telefone)
);
SELECT agente_isolar_tenant('restricoes_marketing');

CREATE INDEX mensagens_recebidas_formas_idx ON mensagens_recebidas USING gin (remetente_formas);
