-- Row-level security: a query that forgets its tenant filter still cannot cross tenants.
--
-- * agente_app: the role every application connection switches to (SET ROLE, src/db/connect.ts). It
--   is not the owner of any table and not a superuser, so the policies below always apply to it. It
--   sees only rows whose tenant_id is app.tenant_id, set per transaction by withTenant (SET LOCAL);
--   with no tenant set it sees and writes nothing.
-- * agente_sistema: taken per transaction (SET LOCAL ROLE) by the few paths that must look across
--   tenants (bearer-token lookup, tenant creation, the executor finding which tenants have due or
--   expired sends, the start-up sweep of orphaned imports). It may only READ those few tables (and
--   create tenants); every write to tenant data still runs as agente_app inside withTenant.
-- * Both roles are NOLOGIN and granted to the migrating user, so SET ROLE works for a DATABASE_URL
--   user that is not a superuser. Roles are cluster-wide: creating one that exists is not an error.
-- * Migrations run as the owner. FORCE makes the policies apply to the owner too (unless it is a
--   superuser): a later data migration must set app.tenant_id or run per tenant.
DO $$
BEGIN
  CREATE ROLE agente_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$
BEGIN
  CREATE ROLE agente_sistema NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$
BEGIN
  EXECUTE format('GRANT agente_app, agente_sistema TO %I', current_user);
EXCEPTION WHEN duplicate_object OR unique_violation OR invalid_grant_operation THEN NULL;
END $$;

GRANT USAGE ON SCHEMA public TO agente_app, agente_sistema;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO agente_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO agente_app;
REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM agente_app;
-- Tables created by later migrations (run by this same user) get the same grants; their isolation is
-- agente_isolar_tenant() below, and test/db/row-level-security.test.ts fails for a table without it.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO agente_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO agente_app;

-- Isolates one table by its tenant_id column. Later migrations call it for every new tenant table:
--   SELECT agente_isolar_tenant('nova_tabela');
CREATE FUNCTION agente_isolar_tenant(tabela regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tabela);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tabela);
  IF NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = tabela AND polname = 'tenant_isolation') THEN
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %s USING (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid) '
      'WITH CHECK (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid)', tabela);
  END IF;
END $$;

-- Every table of this schema with a tenant_id column, including those of migrations numbered before
-- this one that landed after it was written.
DO $$
DECLARE t regclass;
BEGIN
  FOR t IN
    SELECT c.oid::regclass FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
  LOOP
    PERFORM agente_isolar_tenant(t);
  END LOOP;
END $$;

-- The cross-tenant reads of agente_sistema (see above), nothing more. The check on current_user (not
-- only TO agente_sistema) keeps members of the role (the migrating user is one) from inheriting them.
GRANT SELECT, INSERT ON tenants TO agente_sistema;
GRANT SELECT ON api_tokens, disparos, ingest_jobs TO agente_sistema;
CREATE POLICY sistema_le ON tenants FOR SELECT TO agente_sistema USING (current_user = 'agente_sistema');
CREATE POLICY sistema_cria ON tenants FOR INSERT TO agente_sistema WITH CHECK (current_user = 'agente_sistema');
CREATE POLICY sistema_le ON api_tokens FOR SELECT TO agente_sistema USING (current_user = 'agente_sistema');
CREATE POLICY sistema_le ON disparos FOR SELECT TO agente_sistema USING (current_user = 'agente_sistema');
CREATE POLICY sistema_le ON ingest_jobs FOR SELECT TO agente_sistema USING (current_user = 'agente_sistema');
