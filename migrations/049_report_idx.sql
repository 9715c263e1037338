-- Reports (issue 19 step 2): the funnel is counted from the outbox (eventos_saida, migration 038).
-- * Per campaign / template: the campaign's disparos (disparos_campanha_idx), its leads and their meetings
--   are known first; their events are then found by subject (assunto = disparo, lead or meeting id).
-- * Per period (no campaign or template): the tenant's events in a time range, by type.
-- * A dry run's blocked leads, a page at a time, by block code.
CREATE INDEX eventos_saida_assunto_idx ON eventos_saida (tenant_id, assunto);
CREATE INDEX eventos_saida_tempo_idx ON eventos_saida (tenant_id, ocorrido_em);
CREATE INDEX dry_run_log_bloqueados_idx ON dry_run_log (lote_id, codigo_bloqueio, log_id) WHERE codigo_bloqueio IS NOT NULL;
