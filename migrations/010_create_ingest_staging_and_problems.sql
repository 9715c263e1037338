-- Ingestion writes normalised rows here in bulk (COPY or multi-row INSERT), then merges each chunk into
-- leads / lead_telefones / lead_emails with set-based SQL. UNLOGGED: it is scratch space; rows are
-- deleted once merged.
CREATE UNLOGGED TABLE ingest_linhas (
  job_id           uuid NOT NULL,
  tenant_id        uuid NOT NULL,
  seq              integer NOT NULL,
  linha            integer NOT NULL,
  aba              varchar(200),
  nome             varchar(500) NOT NULL,
  nome_chave       varchar(500) NOT NULL,
  contato_nome     varchar(500),
  documento        varchar(14),
  documento_tipo   varchar(4),
  documento_valido boolean NOT NULL DEFAULT false,
  timezone         varchar(64) NOT NULL,
  lead_id_externo  varchar(200),
  dados_extras     jsonb NOT NULL DEFAULT '{}'::jsonb,
  telefones        jsonb NOT NULL DEFAULT '[]'::jsonb,
  emails           jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- Filled by the merge: the group of rows that are one lead (see core/ingest/merge.ts), the lead the
  -- row ends up in, whether that lead existed before this chunk, and whether this row created it.
  grupo            bigint,
  lead_id          uuid,
  lead_existente   boolean NOT NULL DEFAULT false,
  cria_lead        boolean NOT NULL DEFAULT false,
  PRIMARY KEY (job_id, seq)
);

-- Every row-level problem of a job (ingest_jobs.erros_amostra keeps the first few).
CREATE TABLE ingest_problemas (
  problema_id bigserial PRIMARY KEY,
  job_id      uuid NOT NULL,
  tenant_id   uuid NOT NULL,
  linha       integer NOT NULL,
  aba         varchar(200),
  coluna      varchar(200),
  valor       varchar(500),
  motivo      text NOT NULL,
  CONSTRAINT ingest_problemas_job_fk FOREIGN KEY (tenant_id, job_id) REFERENCES ingest_jobs (tenant_id, job_id) ON DELETE CASCADE
);
CREATE INDEX ingest_problemas_job_idx ON ingest_problemas (job_id, linha);
