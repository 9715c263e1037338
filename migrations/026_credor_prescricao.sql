-- The creditor every collection message names (issue 17; CDC art. 42-A: name, address and CPF/CNPJ of
-- the supplier on every collection document) and the prescription term after which a debt is no longer
-- collected (STJ REsp 2.088.100/SP: 5 years). Both tenant configuration (set_outreach_policy). Without a
-- creditor, collection messages are blocked (credor_nao_configurado) and real sending of them refuses to
-- start: the sender is never the tenant's slug or "default".
ALTER TABLE tenant_politicas
  ADD COLUMN credor jsonb CHECK (credor IS NULL OR (jsonb_typeof(credor) = 'object'
    AND coalesce(credor ->> 'razao_social', '') <> '' AND credor ->> 'cnpj' ~ '^[0-9A-Z]{12}[0-9]{2}$'
    AND coalesce(credor ->> 'endereco', '') <> '' AND coalesce(credor ->> 'contato', '') <> '')),
  ADD COLUMN prescricao_anos integer NOT NULL DEFAULT 5 CHECK (prescricao_anos BETWEEN 1 AND 30);
