-- Events out, step 2 (issue #18): delivering the outbox (eventos_saida, migration 038) to destinations.
--
-- * eventos_destinos: where a tenant's events go — a webhook endpoint registered by the tenant (url, whsec_
--   secret, the previous secret while a rotation lasts, optional type filter) or the EventBridge bus of
--   EVENT_BUS_NAME (created by the worker). cursor_seq is the last event sequence already copied into
--   eventos_entregas (the fan-out); a new destination starts at the tenant's current sequence.
-- * eventos_entregas: one row per (destination, event) to deliver: pendente → entregue, or desistiu after
--   the last retry. A deliverer claims due rows with FOR UPDATE SKIP LOCKED and a lease (lease_ate), so two
--   workers never deliver the same event to the same destination at once; a worker killed mid-delivery
--   leaves a lease that expires and the event is delivered again, with the same id. A row is due only
--   when no earlier event of the same subject is still pending for that destination: ordered per subject.
-- * eventos_tentativas: the delivery log, one row per attempt (HTTP status or error class, duration).
--   Nothing personal: ids, status codes and short error classes.
CREATE TABLE eventos_destinos (
  destino_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL,
  tipo             varchar(12) NOT NULL CHECK (tipo IN ('webhook', 'eventbridge')),
  url              text CHECK (url IS NULL OR (url ~ '^https?://' AND length(url) <= 2048)),
  barramento       varchar(256),
  segredo          text,
  segredo_anterior text,
  segredo_anterior_ate timestamptz,
  tipos            text[],
  dados_pessoais   boolean NOT NULL DEFAULT false,
  ativo            boolean NOT NULL DEFAULT true,
  desativado_motivo varchar(120),
  pausa_ate        timestamptz,
  cursor_seq       bigint NOT NULL DEFAULT 0,
  criado_em        timestamptz NOT NULL DEFAULT now(),
  CHECK ((tipo = 'webhook' AND url IS NOT NULL AND segredo IS NOT NULL) OR (tipo = 'eventbridge' AND barramento IS NOT NULL))
);
CREATE UNIQUE INDEX eventos_destinos_url_uk ON eventos_destinos (tenant_id, url) WHERE tipo = 'webhook';
CREATE UNIQUE INDEX eventos_destinos_bus_uk ON eventos_destinos (tenant_id, barramento) WHERE tipo = 'eventbridge';
SELECT agente_isolar_tenant('eventos_destinos');

CREATE TABLE eventos_entregas (
  entrega_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   uuid NOT NULL,
  destino_id  uuid NOT NULL REFERENCES eventos_destinos (destino_id) ON DELETE CASCADE,
  evento_id   uuid NOT NULL,
  seq         bigint NOT NULL,
  assunto     uuid NOT NULL,
  status      varchar(10) NOT NULL DEFAULT 'pendente' CHECK (status IN ('pendente', 'entregue', 'desistiu')),
  tentativas  int NOT NULL DEFAULT 0,
  proxima_em  timestamptz NOT NULL DEFAULT now(),
  lease_ate   timestamptz,
  lease_dono  varchar(120),
  ultimo_erro varchar(120),
  entregue_em timestamptz,
  CONSTRAINT eventos_entregas_uk UNIQUE (destino_id, evento_id)
);
CREATE INDEX eventos_entregas_devidas_idx ON eventos_entregas (tenant_id, seq) WHERE status = 'pendente';
CREATE INDEX eventos_entregas_assunto_idx ON eventos_entregas (destino_id, assunto, seq) WHERE status = 'pendente';
SELECT agente_isolar_tenant('eventos_entregas');

CREATE TABLE eventos_tentativas (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   uuid NOT NULL,
  destino_id  uuid NOT NULL REFERENCES eventos_destinos (destino_id) ON DELETE CASCADE,
  evento_id   uuid NOT NULL,
  tentativa   int NOT NULL,
  em          timestamptz NOT NULL DEFAULT now(),
  http_status int,
  erro        varchar(120),
  duracao_ms  int NOT NULL,
  resultado   varchar(12) NOT NULL CHECK (resultado IN ('entregue', 'reagendado', 'desistiu', 'desativou'))
);
CREATE INDEX eventos_tentativas_destino_idx ON eventos_tentativas (tenant_id, destino_id, id DESC);
SELECT agente_isolar_tenant('eventos_tentativas');

-- The deliverers find which tenants have destinations or due deliveries across tenants (reads only, as in 017).
GRANT SELECT ON eventos_destinos, eventos_entregas TO agente_sistema;
CREATE POLICY sistema_le ON eventos_destinos FOR SELECT TO agente_sistema USING (current_user = 'agente_sistema');
CREATE POLICY sistema_le ON eventos_entregas FOR SELECT TO agente_sistema USING (current_user = 'agente_sistema');
