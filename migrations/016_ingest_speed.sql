-- Ingest speed (issue 3): every phone, e-mail and event row inserted checked two foreign keys, and
-- the single-column one on tenant_id adds nothing. The composite (tenant_id, lead_id) → leads key
-- already pins the row's tenant to its lead's, and leads.tenant_id references tenants (leads_tenant_fk),
-- so a child row can never name a tenant that does not exist. Measured on PostgreSQL 15: ~0.27 s of
-- server time per 100k rows per table, about 0.8 s per 100k imported leads.
ALTER TABLE lead_telefones DROP CONSTRAINT lead_telefones_tenant_fk;
ALTER TABLE lead_emails DROP CONSTRAINT lead_emails_tenant_fk;
ALTER TABLE lead_eventos DROP CONSTRAINT lead_eventos_tenant_id_fkey;
