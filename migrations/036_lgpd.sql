-- LGPD (Lei 13.709/2018): the legal basis of each import (art. 7), the data subject's requests (art. 18)
-- with their 15-day due date (art. 19), and one-way hashes on the suppression list for erased people.

-- The legal basis an import was made on (art. 7 X protecao_credito, IX legitimo_interesse, ...): stored
-- per job, copied to the leads it creates and to each row's origem. Null: an import made before this.
ALTER TABLE ingest_jobs ADD COLUMN base_legal varchar(30) CHECK (base_legal IN (
  'legitimo_interesse', 'execucao_contrato', 'consentimento', 'protecao_credito', 'obrigacao_legal'));
-- false: the import did not say, and the default (protecao_credito) was assumed and reported.
ALTER TABLE ingest_jobs ADD COLUMN base_legal_informada boolean NOT NULL DEFAULT true;

-- An erased person stays on the suppression list only as HMAC-SHA256 values ('hmac:' || 64 hex) of
-- their canonical document, phone and e-mail, keyed by the tenant's secret (lgpd_chaves).
ALTER TABLE supressoes DROP CONSTRAINT supressoes_origem_check;
ALTER TABLE supressoes ADD CONSTRAINT supressoes_origem_check
  CHECK (origem IN ('manual', 'opt_out', 'importacao', 'bounce', 'lgpd'));

-- The tenant's HMAC key for those hashes: random, created on first use, never shown or exported.
CREATE TABLE lgpd_chaves (
  tenant_id  uuid PRIMARY KEY REFERENCES tenants (tenant_id),
  chave      text NOT NULL CHECK (length(chave) >= 64),
  created_at timestamptz NOT NULL DEFAULT now()
);
SELECT agente_isolar_tenant('lgpd_chaves');

-- A data subject's request (art. 18): who it is about is stored only as hashes of the identifiers given.
CREATE TABLE lgpd_solicitacoes (
  solicitacao_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL REFERENCES tenants (tenant_id),
  tipo           varchar(12) NOT NULL CHECK (tipo IN ('acesso', 'exportacao', 'correcao', 'eliminacao', 'oposicao')),
  titular_hashes text[] NOT NULL CHECK (cardinality(titular_hashes) > 0),
  recebida_em    timestamptz NOT NULL,
  prazo_em       timestamptz NOT NULL,
  status         varchar(10) NOT NULL DEFAULT 'aberta' CHECK (status IN ('aberta', 'concluida', 'recusada')),
  concluida_em   timestamptz,
  resultado      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(resultado) = 'object'),
  nota           varchar(500),
  ator           varchar(200) NOT NULL,
  concluida_por  varchar(200),
  CONSTRAINT lgpd_solicitacoes_prazo_ck CHECK (prazo_em > recebida_em),
  CONSTRAINT lgpd_solicitacoes_concluida_ck CHECK ((status = 'aberta') = (concluida_em IS NULL))
);
CREATE INDEX lgpd_solicitacoes_tenant_idx ON lgpd_solicitacoes (tenant_id, status, prazo_em);
SELECT agente_isolar_tenant('lgpd_solicitacoes');

-- Replaces every occurrence (any letter case) of each form in a text (erasure of free texts: message bodies, raw webhook
-- bodies, problem samples). Forms shorter than 4 characters are ignored (they would wreck the text).
CREATE FUNCTION agente_lgpd_redigir(t text, formas text[]) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE f text;
BEGIN
  IF t IS NULL THEN RETURN NULL; END IF;
  FOREACH f IN ARRAY coalesce(formas, '{}') LOOP
    IF length(f) >= 4 THEN
      t := regexp_replace(t, regexp_replace(f, '([.*+?^$(){}|\[\]\\])', '\\\1', 'g'), '[removido]', 'gi');
    END IF;
  END LOOP;
  RETURN t;
END $$;
