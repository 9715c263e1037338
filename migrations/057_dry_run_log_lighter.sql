-- Issue 22: the dry run writes one dry_run_log row per lead (100k in one statement), so every index and
-- constraint on the table is paid per row. Two indexes have no reader: no statement looks dry_run_log up
-- by channel alone, or by tenant and creation time (every reader goes by batch: idx_dry_run_lote, and
-- get_report's blocked view by dry_run_log_bloqueados_idx). The foreign key to tenants costs a lookup per
-- row for a fact the row-level security already guarantees: a row can only be written inside its
-- tenant's transaction (WITH CHECK tenant_id = app.tenant_id, migration 017), whose tenant exists.
-- The tenant scoping (policy tenant_isolation) is unchanged.
DROP INDEX IF EXISTS idx_dry_run_tenant;
DROP INDEX IF EXISTS idx_dry_run_canal;
ALTER TABLE dry_run_log DROP CONSTRAINT IF EXISTS dry_run_log_tenant_fk;
