-- Events out (issue #18): the outbox's cost on a campaign's sends. Migration 038 inserted each event into
-- eventos_saida without a sequence and numbered it at commit with an UPDATE (a second version of every
-- row, its five indexes written again, the partial index of unnumbered rows walked), from a deferred
-- trigger that fired once per event row (each firing after the first only checked that its row was done).
-- Measured on a 10k-lead campaign (bench/events-outbox-cost.ts): that numbering was the largest part of
-- the outbox's cost, ≈ 100 µs of database time per event.
--
-- Now the statement triggers write a transaction's events into eventos_novos (unlogged, one small index:
-- the rows live only until their own commit), and ONE deferred trigger per transaction, at commit, moves
-- them into eventos_saida already numbered: one insert, no update. The guarantee is unchanged: the tenant's
-- counter row (eventos_contador) is locked from that instant to the end of the commit, so sequences grow in
-- commit order and a reader that keeps "the last seq I read" never skips an event that commits later.
-- Within a transaction events keep the order they were written in (ordem). A change rolled back rolls back
-- its staged events. What is visible changes only inside the writing transaction: its events are in
-- eventos_novos until it commits (they were in eventos_saida with seq null); after the commit, as before.
--
-- * eventos_novos: the transaction's events not numbered yet (xid: the writing transaction, as
--   txid_current(), which names the top-level transaction also inside a savepoint). Unlogged: a row is
--   never there after its transaction ends (moved at commit, or rolled back), so a crash loses nothing.
-- * eventos_numerar: one row per transaction with events, written by the first event of the transaction;
--   its deferred constraint trigger is the once-per-transaction numbering. Transaction-local setting
--   agente.eventos_marcados says the row is written (a savepoint rolled back takes both back together).
-- * An insert into eventos_saida without a seq (emit(), any direct writer) goes through eventos_novos too.
CREATE UNLOGGED TABLE eventos_novos (
  ordem       bigint GENERATED ALWAYS AS IDENTITY,
  xid         bigint NOT NULL DEFAULT txid_current(),
  tenant_id   uuid NOT NULL,
  evento_id   uuid NOT NULL DEFAULT gen_random_uuid(),
  tipo        varchar(80) NOT NULL CHECK (tipo LIKE 'br.com.alquimista.%'),
  assunto     uuid NOT NULL,
  dados       jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(dados) = 'object'),
  ocorrido_em timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX eventos_novos_xid_idx ON eventos_novos (xid);
SELECT agente_isolar_tenant('eventos_novos');

CREATE UNLOGGED TABLE eventos_numerar (xid bigint NOT NULL DEFAULT txid_current());
CREATE INDEX eventos_numerar_xid_idx ON eventos_numerar (xid);

-- Called after a transaction stages events: the first time in the transaction, writes its eventos_numerar row.
CREATE FUNCTION agente_eventos_marcar() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('agente.eventos_marcados', true) IS DISTINCT FROM 'sim' THEN
    INSERT INTO eventos_numerar DEFAULT VALUES;
    PERFORM set_config('agente.eventos_marcados', 'sim', true);
  END IF;
END $$;

-- At commit, once per transaction: per tenant (in tenant order), lock its counter, move its staged events into
-- eventos_saida numbered after the counter, in the order written, and advance the counter.
CREATE FUNCTION agente_numerar_novos() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE x bigint := txid_current(); t uuid; n bigint; k bigint;
BEGIN
  DELETE FROM eventos_numerar WHERE xid = x;
  -- Events staged after this (only possible after SET CONSTRAINTS … IMMEDIATE) mark the transaction again.
  PERFORM set_config('agente.eventos_marcados', '', true);
  FOR t IN SELECT DISTINCT tenant_id FROM eventos_novos WHERE xid = x ORDER BY tenant_id LOOP
    SELECT ultimo INTO n FROM eventos_contador WHERE tenant_id = t FOR UPDATE;
    IF NOT FOUND THEN
      INSERT INTO eventos_contador (tenant_id) VALUES (t) ON CONFLICT (tenant_id) DO NOTHING;
      SELECT ultimo INTO n FROM eventos_contador WHERE tenant_id = t FOR UPDATE;
    END IF;
    WITH m AS (DELETE FROM eventos_novos WHERE xid = x AND tenant_id = t RETURNING *)
    INSERT INTO eventos_saida (evento_id, tenant_id, seq, tipo, assunto, dados, ocorrido_em)
    SELECT evento_id, tenant_id, n + row_number() OVER (ORDER BY ordem), tipo, assunto, dados, ocorrido_em
    FROM m ORDER BY ordem;
    GET DIAGNOSTICS k = ROW_COUNT;
    UPDATE eventos_contador SET ultimo = n + k WHERE tenant_id = t;
  END LOOP;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER eventos_numerar_no_commit AFTER INSERT ON eventos_numerar
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION agente_numerar_novos();

-- An event inserted into eventos_saida without a sequence is staged like the triggers' ones.
CREATE FUNCTION agente_eventos_saida_sem_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_novos (tenant_id, evento_id, tipo, assunto, dados, ocorrido_em)
  VALUES (NEW.tenant_id, NEW.evento_id, NEW.tipo, NEW.assunto, NEW.dados, NEW.ocorrido_em);
  PERFORM agente_eventos_marcar();
  RETURN NULL;
END $$;
CREATE TRIGGER eventos_saida_sem_seq BEFORE INSERT ON eventos_saida
  FOR EACH ROW WHEN (NEW.seq IS NULL) EXECUTE FUNCTION agente_eventos_saida_sem_seq();

-- No row of eventos_saida is without a sequence any more: migration 038's numbering goes, with its index.
DROP TRIGGER eventos_saida_numerar ON eventos_saida;
DROP FUNCTION agente_numerar_eventos();
DROP INDEX eventos_saida_sem_seq_idx;

-- Migration 038's statement triggers, writing into eventos_novos (same events, same data, same order).
CREATE OR REPLACE FUNCTION agente_eventos_leads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_novos (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.lead.status_changed', n.lead_id,
         jsonb_build_object('lead_id', n.lead_id, 'de', o.status, 'para', n.status)
  FROM novo n JOIN velho o ON o.lead_id = n.lead_id
  WHERE o.status IS DISTINCT FROM n.status
  ORDER BY n.lead_id;
  IF FOUND THEN PERFORM agente_eventos_marcar(); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION agente_eventos_disparos() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO eventos_novos (tenant_id, tipo, assunto, dados)
    SELECT n.tenant_id, e.tipo, n.disparo_id, e.dados
    FROM novo n CROSS JOIN LATERAL agente_evento_disparo(n, NULL, NULL) e ORDER BY n.disparo_id, e.tipo;
  ELSE
    INSERT INTO eventos_novos (tenant_id, tipo, assunto, dados)
    SELECT n.tenant_id, e.tipo, n.disparo_id, e.dados
    FROM novo n JOIN velho o ON o.disparo_id = n.disparo_id
    CROSS JOIN LATERAL agente_evento_disparo(n, o.status, o.entrega) e ORDER BY n.disparo_id, e.tipo;
  END IF;
  IF FOUND THEN PERFORM agente_eventos_marcar(); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION agente_eventos_agendamentos() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO eventos_novos (tenant_id, tipo, assunto, dados)
    SELECT n.tenant_id, e.tipo, n.agendamento_id, e.dados
    FROM novo n CROSS JOIN LATERAL agente_evento_agendamento(n, NULL, NULL, NULL) e ORDER BY n.agendamento_id, e.tipo;
  ELSE
    INSERT INTO eventos_novos (tenant_id, tipo, assunto, dados)
    SELECT n.tenant_id, e.tipo, n.agendamento_id, e.dados
    FROM novo n JOIN velho o ON o.agendamento_id = n.agendamento_id
    CROSS JOIN LATERAL agente_evento_agendamento(n, o.status, o.inicio, o.lembrete_enviado_em) e ORDER BY n.agendamento_id, e.tipo;
  END IF;
  IF FOUND THEN PERFORM agente_eventos_marcar(); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION agente_eventos_campanhas_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_novos (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.campaign.started', n.campanha_id,
         jsonb_build_object('campanha_id', n.campanha_id, 'status', n.status, 'total', n.total)
  FROM novo n WHERE n.modo = 'real' AND n.status = 'processando' ORDER BY n.campanha_id;
  IF FOUND THEN PERFORM agente_eventos_marcar(); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION agente_eventos_campanhas_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_novos (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.campaign.' || CASE n.status
           WHEN 'pausado' THEN 'paused' WHEN 'processando' THEN 'resumed' WHEN 'concluido' THEN 'completed'
           WHEN 'cancelado' THEN 'cancelled' ELSE 'failed' END, n.campanha_id,
         jsonb_build_object('campanha_id', n.campanha_id, 'status', n.status, 'total', n.total)
  FROM novo n JOIN velho o ON o.campanha_id = n.campanha_id
  WHERE n.modo = 'real' AND n.status IS DISTINCT FROM o.status ORDER BY n.campanha_id;
  IF FOUND THEN PERFORM agente_eventos_marcar(); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION agente_eventos_ingest_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_novos (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.import.' || CASE n.status
           WHEN 'concluido' THEN 'completed' WHEN 'falhou' THEN 'failed' ELSE 'cancelled' END, n.job_id,
         jsonb_build_object('job_id', n.job_id, 'status', n.status, 'validate_only', n.validate_only,
           'linhas_lidas', n.linhas_lidas, 'leads_criados', n.leads_criados, 'leads_atualizados', n.leads_atualizados,
           'duplicados', n.duplicados, 'linhas_invalidas', n.linhas_invalidas, 'problemas_total', n.problemas_total)
  FROM novo n JOIN velho o ON o.job_id = n.job_id
  WHERE n.status IN ('concluido', 'falhou', 'cancelado') AND o.status IS DISTINCT FROM n.status
  ORDER BY n.job_id;
  IF FOUND THEN PERFORM agente_eventos_marcar(); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION agente_eventos_supressoes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_novos (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.lead.opted_out', n.lead_id,
         jsonb_build_object('lead_id', n.lead_id, 'supressao_id', n.supressao_id, 'tipo', n.tipo, 'origem', n.origem)
  FROM novo n WHERE n.lead_id IS NOT NULL ORDER BY n.supressao_id;
  IF FOUND THEN PERFORM agente_eventos_marcar(); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION agente_eventos_mensagens() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eventos_novos (tenant_id, tipo, assunto, dados)
  SELECT n.tenant_id, 'br.com.alquimista.lead.replied', n.lead_id,
         jsonb_strip_nulls(jsonb_build_object('lead_id', n.lead_id, 'mensagem_id', n.mensagem_id, 'disparo_id', n.disparo_id,
           'canal', n.canal, 'classe', n.classe, 'atribuicao', n.atribuicao))
  FROM novo n WHERE n.lead_id IS NOT NULL ORDER BY n.mensagem_id;
  IF FOUND THEN PERFORM agente_eventos_marcar(); END IF;
  RETURN NULL;
END $$;
