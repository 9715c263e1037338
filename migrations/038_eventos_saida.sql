-- Events out to the orchestrator (issue #18, step 1): a transactional outbox of CloudEvents.
--
-- * eventos_saida: one row per thing that happened (README "Events" has the catalogue). The rows are
--   written by the statement-level triggers below, in the same statement (so the same transaction) as
--   the change itself: every code path that changes a lead's status, a disparo, a meeting, a campaign,
--   an import, a suppression or stores a reply writes its event, and a bulk change (a campaign enqueueing
--   10k disparos, a batch of outcomes) writes its events with one insert … select over the transition
--   table, not a loop. A change that is rolled back rolls its events back with it. data holds ids and
--   codes only (no names, phones, e-mails or message text).
-- * seq: per tenant, strictly increasing IN COMMIT ORDER. It is assigned at commit time by a deferred
--   trigger that locks the tenant's counter row (eventos_contador) and numbers the transaction's events;
--   the lock is held only from that moment to the end of the commit, so two transactions of one tenant
--   serialise only their last instant. A transaction that numbers after another waited for it to commit,
--   so when a reader sees seq N every event with a lower seq of that tenant is already visible: a reader
--   that keeps "the last seq I read" as its cursor never skips an event that commits later. (Gaps: none
--   in practice, but a reader must not rely on that.)
CREATE TABLE eventos_saida (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  evento_id   uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  tenant_id   uuid NOT NULL,
  seq         bigint,
  tipo        varchar(80) NOT NULL CHECK (tipo LIKE 'br.com.alquimista.%'),
  assunto     uuid NOT NULL,
  dados       jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(dados) = 'object'),
  ocorrido_em timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT eventos_saida_seq_uk UNIQUE (tenant_id, seq)
);
CREATE INDEX eventos_saida_sem_seq_idx ON eventos_saida (tenant_id, id) WHERE seq IS NULL;
SELECT agente_isolar_tenant('eventos_saida');

CREATE TABLE eventos_contador (
  tenant_id uuid PRIMARY KEY,
  ultimo    bigint NOT NULL DEFAULT 0
);
SELECT agente_isolar_tenant('eventos_contador');

-- Numbers the transaction's events of NEW's tenant (first firing does them all; later ones see seq set).
CREATE FUNCTION agente_numerar_eventos() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint; k bigint;
BEGIN
  IF (SELECT seq FROM eventos_saida WHERE id = NEW.id) IS NOT NULL THEN RETURN NULL; END IF;
  INSERT INTO eventos_contador (tenant_id) VALUES (NEW.tenant_id) ON CONFLICT (tenant_id) DO NOTHING;
  SELECT ultimo INTO n FROM eventos_contador WHERE tenant_id = NEW.tenant_id FOR UPDATE;
  WITH p AS (
    SELECT id, row_number() OVER (ORDER BY id) AS rn FROM eventos_saida WHERE tenant_id = NEW.tenant_id AND seq IS NULL
  )
  UPDATE eventos_saida e SET seq = n + p.rn FROM p WHERE e.id = p.id;
  GET DIAGNOSTICS k = ROW_COUNT;
  UPDATE eventos_contador SET ultimo = n + k WHERE tenant_id = NEW.tenant_id;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER eventos_saida_numerar AFTER INSERT ON eventos_saida
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION agente_numerar_eventos();

-- Leads: a status change (any path: transitionLeads, imports, merges).
CREATE FUNCTION agente_eventos_leads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_saida (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.lead.status_changed', n.lead_id,
         jsonb_build_object('lead_id', n.lead_id, 'de', o.status, 'para', n.status)
  FROM novo n JOIN velho o ON o.lead_id = n.lead_id
  WHERE o.status IS DISTINCT FROM n.status
  ORDER BY n.lead_id;
  RETURN NULL;
END $$;
CREATE TRIGGER leads_eventos AFTER UPDATE ON leads REFERENCING OLD TABLE AS velho NEW TABLE AS novo
  FOR EACH STATEMENT EXECUTE FUNCTION agente_eventos_leads();

-- Disparos: queued (inserted pendente/adiado), blocked/cancelled/sent/failed/uncertain (status), and the
-- delivery statuses reported afterwards (entrega: entregue → delivered, lido → read, falhou → failed).
CREATE FUNCTION agente_evento_disparo(n disparos, status_de text, entrega_de text) RETURNS TABLE (tipo text, dados jsonb)
LANGUAGE sql IMMUTABLE AS $$
  SELECT 'br.com.alquimista.disparo.' || t,
         jsonb_strip_nulls(jsonb_build_object('disparo_id', n.disparo_id, 'lead_id', n.lead_id, 'campanha_id', n.campanha_id,
           'agendamento_id', n.agendamento_id, 'canal', n.canal, 'status', n.status, 'fase', fase,
           'erro_classe', CASE WHEN t = 'failed' AND fase = 'envio' THEN n.erro_classe END,
           'codigo', CASE WHEN fase = 'entrega' THEN n.entrega_codigo END))
  FROM (VALUES
    (CASE WHEN status_de IS NULL AND n.status IN ('pendente', 'adiado') THEN 'queued'
          WHEN n.status IS DISTINCT FROM status_de THEN CASE n.status
            WHEN 'enviado' THEN 'sent' WHEN 'falhou' THEN 'failed' WHEN 'incerto' THEN 'uncertain'
            WHEN 'bloqueado' THEN 'blocked' WHEN 'cancelado' THEN 'cancelled' END END, 'envio'),
    (CASE WHEN n.entrega IS DISTINCT FROM entrega_de THEN CASE n.entrega
            WHEN 'entregue' THEN 'delivered' WHEN 'lido' THEN 'read' WHEN 'falhou' THEN 'failed' END END, 'entrega')
  ) AS v (t, fase)
  WHERE t IS NOT NULL
$$;
CREATE FUNCTION agente_eventos_disparos() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO eventos_saida (tenant_id, tipo, assunto, dados)
    SELECT n.tenant_id, e.tipo, n.disparo_id, e.dados
    FROM novo n CROSS JOIN LATERAL agente_evento_disparo(n, NULL, NULL) e ORDER BY n.disparo_id, e.tipo;
  ELSE
    INSERT INTO eventos_saida (tenant_id, tipo, assunto, dados)
    SELECT n.tenant_id, e.tipo, n.disparo_id, e.dados
    FROM novo n JOIN velho o ON o.disparo_id = n.disparo_id
    CROSS JOIN LATERAL agente_evento_disparo(n, o.status, o.entrega) e ORDER BY n.disparo_id, e.tipo;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER disparos_eventos_ins AFTER INSERT ON disparos REFERENCING NEW TABLE AS novo
  FOR EACH STATEMENT EXECUTE FUNCTION agente_eventos_disparos();
CREATE TRIGGER disparos_eventos_upd AFTER UPDATE ON disparos REFERENCING OLD TABLE AS velho NEW TABLE AS novo
  FOR EACH STATEMENT EXECUTE FUNCTION agente_eventos_disparos();

-- Meetings: booked (agendado, not by a reschedule), confirmed, cancelled, held (realizado), no_show, failed, uncertain;
-- rescheduled (inicio moved while active); reminded (lembrete_enviado_em set).
CREATE FUNCTION agente_evento_agendamento(n agendamentos, status_de text, inicio_de timestamptz, lembrete_de timestamptz)
RETURNS TABLE (tipo text, dados jsonb) LANGUAGE sql IMMUTABLE AS $$
  SELECT 'br.com.alquimista.meeting.' || t,
         jsonb_build_object('agendamento_id', n.agendamento_id, 'lead_id', n.lead_id, 'status', n.status,
           'inicio', n.inicio, 'fim', n.fim)
  FROM (VALUES
    (CASE WHEN n.status IS DISTINCT FROM status_de THEN CASE n.status
       -- confirmado → agendado is the second step of a reschedule (its event is rescheduled), not a booking;
       -- incerto → agendado is a booking whose outcome was unknown, settled
       WHEN 'agendado' THEN CASE WHEN status_de IS DISTINCT FROM 'confirmado' THEN 'booked' END
       WHEN 'confirmado' THEN 'confirmed' WHEN 'cancelado' THEN 'cancelled'
       WHEN 'realizado' THEN 'held' WHEN 'nao_compareceu' THEN 'no_show' WHEN 'falhou' THEN 'failed'
       WHEN 'incerto' THEN 'uncertain' END END),
    (CASE WHEN inicio_de IS NOT NULL AND n.inicio <> inicio_de AND n.status IN ('pendente', 'agendado', 'confirmado', 'incerto')
       THEN 'rescheduled' END),
    (CASE WHEN lembrete_de IS NULL AND n.lembrete_enviado_em IS NOT NULL THEN 'reminded' END)
  ) AS v (t)
  WHERE t IS NOT NULL
$$;
CREATE FUNCTION agente_eventos_agendamentos() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO eventos_saida (tenant_id, tipo, assunto, dados)
    SELECT n.tenant_id, e.tipo, n.agendamento_id, e.dados
    FROM novo n CROSS JOIN LATERAL agente_evento_agendamento(n, NULL, NULL, NULL) e ORDER BY n.agendamento_id, e.tipo;
  ELSE
    INSERT INTO eventos_saida (tenant_id, tipo, assunto, dados)
    SELECT n.tenant_id, e.tipo, n.agendamento_id, e.dados
    FROM novo n JOIN velho o ON o.agendamento_id = n.agendamento_id
    CROSS JOIN LATERAL agente_evento_agendamento(n, o.status, o.inicio, o.lembrete_enviado_em) e ORDER BY n.agendamento_id, e.tipo;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER agendamentos_eventos_ins AFTER INSERT ON agendamentos REFERENCING NEW TABLE AS novo
  FOR EACH STATEMENT EXECUTE FUNCTION agente_eventos_agendamentos();
CREATE TRIGGER agendamentos_eventos_upd AFTER UPDATE ON agendamentos REFERENCING OLD TABLE AS velho NEW TABLE AS novo
  FOR EACH STATEMENT EXECUTE FUNCTION agente_eventos_agendamentos();

-- Campaigns (real ones; a dry run is not an event): started, paused, resumed, completed, cancelled, failed.
CREATE FUNCTION agente_eventos_campanhas_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_saida (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.campaign.started', n.campanha_id,
         jsonb_build_object('campanha_id', n.campanha_id, 'status', n.status, 'total', n.total)
  FROM novo n WHERE n.modo = 'real' AND n.status = 'processando' ORDER BY n.campanha_id;
  RETURN NULL;
END $$;
CREATE FUNCTION agente_eventos_campanhas_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_saida (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.campaign.' || CASE n.status
           WHEN 'pausado' THEN 'paused' WHEN 'processando' THEN 'resumed' WHEN 'concluido' THEN 'completed'
           WHEN 'cancelado' THEN 'cancelled' ELSE 'failed' END, n.campanha_id,
         jsonb_build_object('campanha_id', n.campanha_id, 'status', n.status, 'total', n.total)
  FROM novo n JOIN velho o ON o.campanha_id = n.campanha_id
  WHERE n.modo = 'real' AND n.status IS DISTINCT FROM o.status ORDER BY n.campanha_id;
  RETURN NULL;
END $$;
CREATE TRIGGER campanhas_eventos_ins AFTER INSERT ON campanhas REFERENCING NEW TABLE AS novo
  FOR EACH STATEMENT EXECUTE FUNCTION agente_eventos_campanhas_ins();
CREATE TRIGGER campanhas_eventos_upd AFTER UPDATE ON campanhas REFERENCING OLD TABLE AS velho NEW TABLE AS novo
  FOR EACH STATEMENT EXECUTE FUNCTION agente_eventos_campanhas_upd();

-- Imports: one event per import when it ends (completed / failed / cancelled) with its counts — not one
-- per lead (a 100k-row import is one event; the orchestrator reads the leads it wants by the job id).
CREATE FUNCTION agente_eventos_ingest_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_saida (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.import.' || CASE n.status
           WHEN 'concluido' THEN 'completed' WHEN 'falhou' THEN 'failed' ELSE 'cancelled' END, n.job_id,
         jsonb_build_object('job_id', n.job_id, 'status', n.status, 'validate_only', n.validate_only,
           'linhas_lidas', n.linhas_lidas, 'leads_criados', n.leads_criados, 'leads_atualizados', n.leads_atualizados,
           'duplicados', n.duplicados, 'linhas_invalidas', n.linhas_invalidas, 'problemas_total', n.problemas_total)
  FROM novo n JOIN velho o ON o.job_id = n.job_id
  WHERE n.status IN ('concluido', 'falhou', 'cancelado') AND o.status IS DISTINCT FROM n.status
  ORDER BY n.job_id;
  RETURN NULL;
END $$;
CREATE TRIGGER ingest_jobs_eventos AFTER UPDATE ON ingest_jobs REFERENCING OLD TABLE AS velho NEW TABLE AS novo
  FOR EACH STATEMENT EXECUTE FUNCTION agente_eventos_ingest_jobs();

-- A suppression added for a lead (an opt-out, a bounce, by hand): lead.opted_out. The value is not in data.
CREATE FUNCTION agente_eventos_supressoes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_saida (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.lead.opted_out', n.lead_id,
         jsonb_build_object('lead_id', n.lead_id, 'supressao_id', n.supressao_id, 'tipo', n.tipo, 'origem', n.origem)
  FROM novo n WHERE n.lead_id IS NOT NULL ORDER BY n.supressao_id;
  RETURN NULL;
END $$;
CREATE TRIGGER supressoes_eventos AFTER INSERT ON supressoes REFERENCING NEW TABLE AS novo
  FOR EACH STATEMENT EXECUTE FUNCTION agente_eventos_supressoes();

-- A reply stored and attached to a lead: lead.replied (the text is not in data; an unknown sender is no event).
CREATE FUNCTION agente_eventos_mensagens() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_saida (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.lead.replied', n.lead_id,
         jsonb_strip_nulls(jsonb_build_object('lead_id', n.lead_id, 'mensagem_id', n.mensagem_id, 'disparo_id', n.disparo_id,
           'canal', n.canal, 'classe', n.classe, 'atribuicao', n.atribuicao))
  FROM novo n WHERE n.lead_id IS NOT NULL ORDER BY n.mensagem_id;
  RETURN NULL;
END $$;
CREATE TRIGGER mensagens_recebidas_eventos AFTER INSERT ON mensagens_recebidas REFERENCING NEW TABLE AS novo
  FOR EACH STATEMENT EXECUTE FUNCTION agente_eventos_mensagens();
