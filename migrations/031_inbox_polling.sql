-- Inbox polling (issue #15, step 2): a channel profile may name an `inbound` operation (a downstream
-- list/search tool) and a `statuses` one; the worker and the `inbox` command call them and store what
-- they return in eventos_recebidos (provedor 'polling'), where webhooks store theirs.
--
-- caixas_entrada keeps, per tenant and per polled operation ('email:inbound', 'whatsapp:statuses', …,
-- with the downstream server's name), the high-water mark the next poll starts from: a date, a UID or
-- an opaque cursor, as the profile says. It is written in the transaction that stores the events it
-- covers, so a poll that dies half-way leaves the old mark and its messages are fetched again (and
-- deduplicated on their provider id) after restart.
CREATE TABLE caixas_entrada (
  tenant_id      uuid NOT NULL REFERENCES tenants (tenant_id),
  origem         varchar(200) NOT NULL,
  marca          varchar(500),
  ultima_leitura timestamptz,
  ultimo_erro    text,
  lidas          bigint NOT NULL DEFAULT 0,
  atualizado_em  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, origem)
);
SELECT agente_isolar_tenant('caixas_entrada');
