-- The return path (issue #15): one inbound store for replies and delivery statuses, whether they arrive
-- by webhook (WhatsApp Cloud API, Twilio, WAHA, Evolution API), by polling a downstream inbox tool or
-- pasted into handle_reply.
--
-- * webhook_endpoints: one per tenant and provider; the URL names it (/webhooks/{provider}/{endpoint_id})
--   and it holds the provider's secret (Meta app secret, Twilio auth token, WAHA HMAC key, Evolution
--   apikey). The secret is kept as given: an HMAC can only be checked with the key itself.
-- * eventos_recebidos: every accepted request body, raw, stored before the 200 is answered (audit and
--   replay). processado_em null = still to process; processing a row and marking it done happen in one
--   transaction, so a process killed in between processes it again after restart, once.
-- * mensagens_recebidas (014) becomes the normalised message: every form of the sender, the provider,
--   the id of the message it replies to, where it came from, and whether the lead it was attached to is
--   a guess (a destination shared by several leads).
-- * disparos gain the delivery status reported after acceptance (sent → delivered → read, or failed
--   with the provider's code), monotonic, with the time of each step.
CREATE TABLE webhook_endpoints (
  endpoint_id  varchar(64) PRIMARY KEY CHECK (endpoint_id ~ '^[A-Za-z0-9_-]{16,64}$'),
  tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id),
  provedor     varchar(20) NOT NULL CHECK (provedor IN ('whatsapp_cloud', 'twilio', 'waha', 'evolution')),
  segredo      text NOT NULL CHECK (segredo <> ''),
  -- Meta's GET hub.challenge check compares this (chosen by the user in Meta's console).
  verify_token varchar(200),
  -- Twilio signs the URL it called: the public URL of this endpoint when behind a proxy.
  url_publica  varchar(2000),
  ativo        boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_tenant_idx ON webhook_endpoints (tenant_id, provedor);
SELECT agente_isolar_tenant('webhook_endpoints');

CREATE TABLE eventos_recebidos (
  evento_id      uuid PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES tenants (tenant_id),
  provedor       varchar(20) NOT NULL CHECK (provedor IN ('whatsapp_cloud', 'twilio', 'waha', 'evolution', 'polling', 'manual')),
  endpoint_id    varchar(64),
  -- What makes a delivery the same delivery: the provider's delivery id when it has one, else a
  -- SHA-256 of the body. A provider retry (or a replay) of a stored one is not stored again.
  chave_entrega  varchar(300) NOT NULL,
  content_type   varchar(200),
  corpo          text NOT NULL,
  recebido_em    timestamptz NOT NULL,
  processado_em  timestamptz,
  tentativas     integer NOT NULL DEFAULT 0,
  erro           text,
  resumo         jsonb,
  CONSTRAINT eventos_recebidos_entrega_uk UNIQUE (tenant_id, provedor, chave_entrega)
);
CREATE INDEX eventos_recebidos_pendentes_idx ON eventos_recebidos (recebido_em) WHERE processado_em IS NULL;
SELECT agente_isolar_tenant('eventos_recebidos');

ALTER TABLE mensagens_recebidas
  ADD COLUMN provedor varchar(20) NOT NULL DEFAULT 'manual'
    CHECK (provedor IN ('whatsapp_cloud', 'twilio', 'waha', 'evolution', 'polling', 'manual')),
  ADD COLUMN evento_id uuid,
  ADD COLUMN remetente_formas text[] NOT NULL DEFAULT '{}',
  ADD COLUMN responde_a varchar(300),
  ADD COLUMN disparo_id uuid,
  ADD COLUMN atribuicao varchar(20) NOT NULL DEFAULT 'destino'
    CHECK (atribuicao IN ('contexto', 'destino', 'ambigua', 'desconhecido')),
  ADD COLUMN leads_candidatos uuid[] NOT NULL DEFAULT '{}',
  ADD COLUMN respondida_em timestamptz;
CREATE INDEX mensagens_recebidas_recentes_idx ON mensagens_recebidas (tenant_id, recebida_em DESC);

ALTER TABLE disparos
  ADD COLUMN entrega varchar(20) CHECK (entrega IN ('enviado', 'entregue', 'lido', 'falhou')),
  ADD COLUMN entrega_codigo varchar(50),
  ADD COLUMN entrega_enviado_em timestamptz,
  ADD COLUMN entregue_em timestamptz,
  ADD COLUMN lido_em timestamptz,
  ADD COLUMN entrega_falhou_em timestamptz;
CREATE INDEX disparos_message_id_idx ON disparos (tenant_id, message_id_externo) WHERE message_id_externo IS NOT NULL;

-- Lead events for replies and delivery statuses.
ALTER TABLE lead_eventos DROP CONSTRAINT lead_eventos_tipo_check;
ALTER TABLE lead_eventos ADD CONSTRAINT lead_eventos_tipo_check
  CHECK (tipo IN ('transicao', 'importacao', 'mesclagem', 'nota', 'resposta', 'entrega'));

-- A webhook names its endpoint, not its tenant: the endpoint is looked up across tenants, and the
-- processor finds which tenants have events waiting. Reads only (as in migration 017).
GRANT SELECT ON webhook_endpoints, eventos_recebidos TO agente_sistema;
CREATE POLICY sistema_le ON webhook_endpoints FOR SELECT TO agente_sistema USING (current_user = 'agente_sistema');
CREATE POLICY sistema_le ON eventos_recebidos FOR SELECT TO agente_sistema USING (current_user = 'agente_sistema');
