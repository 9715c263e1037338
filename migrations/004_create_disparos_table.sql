-- The outbox and the record of every send. A row is enqueued once per idempotency key and ends in
-- exactly one final state: enviado, falhou, bloqueado, cancelado or incerto.
CREATE TABLE disparos (
  disparo_id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id              uuid NOT NULL,
  lead_id                uuid NOT NULL,
  campanha_id            uuid,
  canal                  varchar(20) NOT NULL CHECK (canal IN ('whatsapp', 'email')),
  destino                varchar(320) NOT NULL,
  template               varchar(100) NOT NULL,
  variaveis              jsonb NOT NULL DEFAULT '{}'::jsonb,
  conteudo               text,
  assunto                varchar(500),
  idempotency_key        varchar(200) NOT NULL,
  status                 varchar(20) NOT NULL DEFAULT 'pendente' CHECK (status IN (
                           'pendente', 'adiado', 'em_execucao', 'enviado', 'falhou', 'bloqueado',
                           'cancelado', 'incerto')),
  tentativas             integer NOT NULL DEFAULT 0 CHECK (tentativas >= 0),
  max_tentativas         integer NOT NULL DEFAULT 5 CHECK (max_tentativas > 0),
  proxima_tentativa_em   timestamptz NOT NULL DEFAULT now(),
  motivo                 text,
  erro                   text,
  erro_classe            varchar(20) CHECK (erro_classe IN ('transitorio', 'destino_invalido', 'politica', 'desconhecido')),
  message_id_externo     varchar(300),
  resposta_bruta         jsonb,
  claimed_by             varchar(120),
  lease_until            timestamptz,
  enviado_em             timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT disparos_lead_fk FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, lead_id),
  CONSTRAINT disparos_idempotency_uk UNIQUE (tenant_id, idempotency_key),
  CONSTRAINT disparos_lease_ck CHECK (status <> 'em_execucao' OR (claimed_by IS NOT NULL AND lease_until IS NOT NULL))
);

-- What executors claim: due rows, oldest first.
CREATE INDEX disparos_due_idx ON disparos (proxima_tentativa_em) WHERE status IN ('pendente', 'adiado');
CREATE INDEX disparos_lease_idx ON disparos (lease_until) WHERE status = 'em_execucao';
CREATE INDEX disparos_tenant_lead_idx ON disparos (tenant_id, lead_id, created_at);
CREATE INDEX disparos_campanha_idx ON disparos (campanha_id, status) WHERE campanha_id IS NOT NULL;
