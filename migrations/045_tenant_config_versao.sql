-- A per-tenant version of what decisions read from configuration (policy, template overrides), so that
-- each server process may keep it in memory (src/core/outreach/tenant-config-cache.ts) and stay correct
-- with several replicas: the version is bumped by triggers in the same transaction as the change, and a
-- decision reads it with its context (one primary-key lookup) before trusting its copy. A tenant
-- without a row has version 0 (nothing changed since this migration; no data migration needed).
--
-- A new table decisions read joins with one line:
--   CREATE TRIGGER nova_tabela_versao AFTER INSERT OR UPDATE OR DELETE ON nova_tabela
--     FOR EACH ROW EXECUTE FUNCTION agente_versionar_config();
CREATE TABLE tenant_config_versao (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  versao    bigint NOT NULL DEFAULT 1
);
SELECT agente_isolar_tenant('tenant_config_versao');

CREATE FUNCTION agente_versionar_config() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN t := OLD.tenant_id; ELSE t := NEW.tenant_id; END IF;
  INSERT INTO tenant_config_versao AS v (tenant_id) VALUES (t)
  ON CONFLICT (tenant_id) DO UPDATE SET versao = v.versao + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER tenant_politicas_versao AFTER INSERT OR UPDATE OR DELETE ON tenant_politicas
  FOR EACH ROW EXECUTE FUNCTION agente_versionar_config();
CREATE TRIGGER templates_tenant_versao AFTER INSERT OR UPDATE OR DELETE ON templates_tenant
  FOR EACH ROW EXECUTE FUNCTION agente_versionar_config();
