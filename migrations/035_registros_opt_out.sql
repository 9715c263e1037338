-- Opt-out registries (e.g. São Paulo's "Não Me Ligue", Lei 13.226/2008 as amended by Lei 17.334/2021):
-- phone numbers a registry says may not be called or messaged (offers and collections) from a date on
-- (registration + 30 days, or the file's date given at import). One source's entries are replaced as a
-- whole when a newer file of that source is imported. Phones in E.164, 9-digit mobile form.
CREATE TABLE registros_opt_out (
  tenant_id     uuid NOT NULL,
  fonte         varchar(60) NOT NULL CHECK (fonte ~ '^[a-z0-9_]+$'),
  numero_e164   varchar(20) NOT NULL CHECK (numero_e164 ~ '^\+[0-9]{8,15}$'),
  vigente_desde date NOT NULL,
  arquivo       varchar(500) NOT NULL,
  ator          varchar(200) NOT NULL,
  importado_em  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, numero_e164, fonte)
);
SELECT agente_isolar_tenant('registros_opt_out');
