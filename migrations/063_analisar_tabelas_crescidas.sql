-- Issue 22 (dispatch): the executor's statements look rows up by the ids of a batch, but right after a
-- bulk write (an import, a campaign's enqueue) the tables have no statistics yet, and autovacuum's analyze
-- comes a minute or more later. The planner then takes a tenant for a handful of rows and reads every lead
-- or disparo of the tenant by its tenant index for each batch (the lead moves, the pre-send facts, the
-- outcome UPDATE), so a campaign's first minute grows quadratically with its size. Measured on the
-- dispatch bench (5,000 sends, 1 worker, PostgreSQL 15): PostgreSQL 0.548 ms CPU per send as it was,
-- 0.316 ms after an ANALYZE of the seeded tables.
--
-- agente_analisar_crescidas(): ANALYZE each of the executor's tables whose file has at least doubled (and
-- is past 256 kB) since its last ANALYZE or VACUUM (pg_class.relpages, the size the planner's statistics were
-- taken at; -1 reltuples: never). pg_relation_size does not wait for the cumulative statistics a writer
-- flushes up to 10 s later. SECURITY DEFINER: the program runs as agente_app, which owns no table and may
-- not analyze; this function analyzes only these tables and takes no argument. One caller at a time (a
-- transaction-level advisory lock; the others skip).
CREATE FUNCTION agente_analisar_crescidas() RETURNS text[] LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE t regclass; feitas text[] := '{}';
BEGIN
  IF NOT pg_try_advisory_xact_lock(7310442063) THEN
    RETURN feitas;
  END IF;
  FOR t IN
    SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r'
      AND c.relname IN ('disparos', 'leads', 'lead_telefones', 'lead_emails')
      AND pg_relation_size(c.oid) >= 262144
      AND (c.reltuples < 0 OR pg_relation_size(c.oid) / current_setting('block_size')::int >= 2 * c.relpages)
    ORDER BY c.relname
  LOOP
    EXECUTE format('ANALYZE %s', t);
    feitas := feitas || t::text;
  END LOOP;
  RETURN feitas;
END $$;
REVOKE ALL ON FUNCTION agente_analisar_crescidas() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_analisar_crescidas() TO agente_app, agente_sistema;
