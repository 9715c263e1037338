-- Tenants and the bearer tokens that bind an HTTP caller to one tenant. Tokens are stored as
-- SHA-256 hashes; the clear token is shown once, when created.
CREATE TABLE tenants (
  tenant_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug       varchar(63) NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  nome       varchar(200) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  token_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  nome         varchar(200),
  prefixo      varchar(16) NOT NULL,
  token_hash   char(64) NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  escopos      text[] NOT NULL DEFAULT ARRAY['read', 'dispatch']::text[]
                 CHECK (escopos <@ ARRAY['read', 'dispatch', 'admin']::text[] AND cardinality(escopos) > 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_tenant_idx ON api_tokens (tenant_id);

ALTER TABLE leads ADD CONSTRAINT leads_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id);
ALTER TABLE lead_telefones ADD CONSTRAINT lead_telefones_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id);
ALTER TABLE lead_emails ADD CONSTRAINT lead_emails_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id);
ALTER TABLE disparos ADD CONSTRAINT disparos_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id);
ALTER TABLE agendamentos ADD CONSTRAINT agendamentos_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id);
ALTER TABLE ingest_jobs ADD CONSTRAINT ingest_jobs_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id);
ALTER TABLE dry_run_log ADD CONSTRAINT dry_run_log_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id);
