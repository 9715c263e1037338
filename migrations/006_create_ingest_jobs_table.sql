-- One row per spreadsheet ingestion: progress, counts and a sample of row-level problems.
CREATE TABLE ingest_jobs (
  job_id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id            uuid NOT NULL,
  tipo                 varchar(10) NOT NULL CHECK (tipo IN ('xlsx', 'csv')),
  arquivo              varchar(1000) NOT NULL,
  source_label         varchar(200),
  status               varchar(20) NOT NULL DEFAULT 'pendente' CHECK (status IN (
                         'pendente', 'processando', 'concluido', 'falhou', 'cancelado')),
  validate_only        boolean NOT NULL DEFAULT false,
  bytes_total          bigint,
  bytes_lidos          bigint NOT NULL DEFAULT 0,
  linhas_lidas         integer NOT NULL DEFAULT 0,
  leads_criados        integer NOT NULL DEFAULT 0,
  leads_atualizados    integer NOT NULL DEFAULT 0,
  duplicados           integer NOT NULL DEFAULT 0,
  linhas_invalidas     integer NOT NULL DEFAULT 0,
  telefones_validos    integer NOT NULL DEFAULT 0,
  telefones_invalidos  integer NOT NULL DEFAULT 0,
  emails_validos       integer NOT NULL DEFAULT 0,
  emails_invalidos     integer NOT NULL DEFAULT 0,
  problemas_total      integer NOT NULL DEFAULT 0,
  erros_amostra        jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(erros_amostra) = 'array'),
  erro                 text,
  iniciado_em          timestamptz,
  concluido_em         timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ingest_jobs_tenant_job_uk UNIQUE (tenant_id, job_id)
);

CREATE INDEX ingest_jobs_tenant_created_idx ON ingest_jobs (tenant_id, created_at DESC);
