-- Issue 16 step 6 and issue 19 step 3: the platform's limits, shared by every worker.
-- Throughput per sending number: the WhatsApp Cloud API's default is 80 messages per second.
ALTER TABLE rate_limits ALTER COLUMN por_segundo SET DEFAULT 80;
-- The per-recipient pair rate, on our side: never two messages to one recipient closer than this
-- (the platform allows about one per 6 s, 131056; a little wider, for the time a call takes).
ALTER TABLE rate_limits ADD COLUMN par_intervalo_ms integer NOT NULL DEFAULT 6500
  CHECK (par_intervalo_ms >= 0 AND par_intervalo_ms <= 86400000);
-- A campaign's own pace (start_dispatch `pace`), never above its channel's: NULL = the channel's.
ALTER TABLE campanhas ADD COLUMN ritmo_por_segundo numeric(10, 3) CHECK (ritmo_por_segundo IS NULL OR ritmo_por_segundo > 0);
-- (The pair rate looks a recipient's latest messages up through disparos_destino_idx, migration 028.)
