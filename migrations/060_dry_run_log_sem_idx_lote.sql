-- Issue 22: idx_dry_run_lote (lote_id, from the seed's DDL) has no reader. Every statement that looks
-- dry_run_log up by batch is get_report's blocked view (core/reports/blocked.ts), and both of its statements
-- ask for codigo_bloqueio IS NOT NULL: dry_run_log_bloqueados_idx (lote_id, codigo_bloqueio, log_id), partial
-- on that condition, serves them. A dry run of 100k leads paid this index on every row: measured on
-- PostgreSQL 15 (the bench's floor INSERT … SELECT of 100k rows, rollback after each, four pairs):
-- 598–636 ms with it, 453–523 ms without. Migration 057 dropped the two other indexes nothing read.
DROP INDEX IF EXISTS idx_dry_run_lote;
