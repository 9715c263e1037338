-- One status vocabulary for every job a client polls (src/core/model/job.ts): campaigns used their own
-- words (executando, pausada, cancelada, concluida), imports the job words (processando, concluido, …),
-- so a client waiting for 'concluido' waited forever on a campaign. Campaigns now take the job words.
-- Also: a campaign that ended before this migration with no concluida_em gets the time of its last send.
ALTER TABLE campanhas DROP CONSTRAINT campanhas_status_check;

-- campanhas has FORCE ROW LEVEL SECURITY (017): unless the migrating user is a superuser, the rows are
-- visible only with app.tenant_id set, so the data moves tenant by tenant.
DO $$
DECLARE t uuid;
BEGIN
  FOR t IN SELECT tenant_id FROM tenants LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    UPDATE campanhas SET status = CASE status
      WHEN 'executando' THEN 'processando'
      WHEN 'pausada' THEN 'pausado'
      WHEN 'cancelada' THEN 'cancelado'
      WHEN 'concluida' THEN 'concluido'
      ELSE status END
    WHERE status IN ('executando', 'pausada', 'cancelada', 'concluida');
  END LOOP;
  PERFORM set_config('app.tenant_id', '', true);
END $$;

ALTER TABLE campanhas ALTER COLUMN status SET DEFAULT 'processando';
ALTER TABLE campanhas ADD CONSTRAINT campanhas_status_check CHECK (status IN (
  'processando', 'pausado', 'concluido', 'falhou', 'cancelado'));
