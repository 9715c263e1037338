-- A campaign: a set-based enqueue of disparos over a filter of leads, executed in the background.
CREATE TABLE campanhas (
  campanha_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL REFERENCES tenants (tenant_id),
  chave            varchar(200) NOT NULL,
  modo             varchar(10) NOT NULL CHECK (modo IN ('real', 'dry_run')),
  status           varchar(20) NOT NULL DEFAULT 'executando' CHECK (status IN ('executando', 'pausada', 'cancelada', 'concluida', 'falhou')),
  template_whatsapp varchar(100) NOT NULL,
  template_email   varchar(100) NOT NULL,
  alvo             jsonb NOT NULL,
  total            integer NOT NULL DEFAULT 0,
  resumo           jsonb NOT NULL DEFAULT '{}'::jsonb,
  dry_run_lote_id  uuid,
  erro             text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  concluida_em     timestamptz,
  CONSTRAINT campanhas_tenant_uk UNIQUE (tenant_id, campanha_id)
);
CREATE INDEX campanhas_tenant_created_idx ON campanhas (tenant_id, created_at DESC);

ALTER TABLE disparos ADD CONSTRAINT disparos_campanha_fk FOREIGN KEY (tenant_id, campanha_id) REFERENCES campanhas (tenant_id, campanha_id);
CREATE INDEX disparos_sent_idx ON disparos (tenant_id, canal, enviado_em) WHERE status = 'enviado';

-- Shared pacing per tenant × channel (GCRA): tat is the next free send slot; every worker reserves
-- slots under this row's lock, so the pace holds whatever the number of workers. max_destinatarios_24h
-- is the rolling cap of distinct recipients (WhatsApp messaging tiers: 250, 2000, 10000, 100000).
CREATE TABLE rate_limits (
  tenant_id              uuid NOT NULL REFERENCES tenants (tenant_id),
  canal                  varchar(20) NOT NULL CHECK (canal IN ('whatsapp', 'email')),
  -- NULL: no pace (only for channels without a provider limit, e.g. the sandbox in benchmarks).
  por_segundo            numeric(10, 3) DEFAULT 20 CHECK (por_segundo IS NULL OR por_segundo > 0),
  max_destinatarios_24h  integer NOT NULL DEFAULT 100000 CHECK (max_destinatarios_24h > 0),
  tat                    timestamptz NOT NULL DEFAULT now(),
  -- Distinct recipients of the last 24 h as last counted, plus every slot reserved since: an upper
  -- bound, recounted at most once a second, so the cap is never exceeded and rarely queried.
  destinatarios_contados integer NOT NULL DEFAULT 0,
  contados_em            timestamptz,
  PRIMARY KEY (tenant_id, canal)
);
