-- Leads: one row per company/person to contact, per tenant. Dedup relies on the unique index on a
-- valid document; leads without one are matched by name key + phone/e-mail in the ingest merge.
CREATE TABLE leads (
  lead_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL,
  nome             varchar(500) NOT NULL,
  nome_chave       varchar(500) NOT NULL,
  contato_nome     varchar(500),
  documento        varchar(14),
  documento_tipo   varchar(4) CHECK (documento_tipo IN ('cpf', 'cnpj')),
  documento_valido boolean NOT NULL DEFAULT false,
  status           varchar(20) NOT NULL DEFAULT 'novo' CHECK (status IN (
                     'novo', 'em_disparo', 'contatado', 'respondeu', 'agendado', 'confirmado',
                     'realizado', 'sem_canal', 'opt_out', 'perdido', 'erro')),
  timezone         varchar(64) NOT NULL DEFAULT 'America/Sao_Paulo',
  -- LGPD: where the data came from (file, sheet, row, job, date) and on what legal basis we hold it.
  origem           jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(origem) = 'array'),
  base_legal       varchar(30) NOT NULL DEFAULT 'legitimo_interesse' CHECK (base_legal IN (
                     'legitimo_interesse', 'execucao_contrato', 'consentimento', 'protecao_credito',
                     'obrigacao_legal')),
  lead_id_externo  varchar(200),
  dados_extras     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(dados_extras) = 'object'),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT leads_documento_valido_ck CHECK (NOT documento_valido OR (documento IS NOT NULL AND documento_tipo IS NOT NULL)),
  CONSTRAINT leads_tenant_lead_uk UNIQUE (tenant_id, lead_id)
);

-- The same valid document is the same lead (per tenant).
CREATE UNIQUE INDEX leads_tenant_documento_uk ON leads (tenant_id, documento) WHERE documento_valido;
CREATE INDEX leads_tenant_status_idx ON leads (tenant_id, status, lead_id);
CREATE INDEX leads_tenant_nome_chave_idx ON leads (tenant_id, nome_chave);
