-- Debts as data (issue 17): what a collection message is about. One row per debt of a lead (a lead may
-- have several: the rows of the same person in a sheet merge into one lead, each row's debt stays its
-- own). Amounts in integer centavos (never floats); the due date is a calendar date (no zone). A
-- re-import of the same sheet adds nothing: the same lead, contract, due date and amount is one debt.
CREATE TABLE dividas (
  divida_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL,
  lead_id        uuid NOT NULL,
  valor_centavos bigint CHECK (valor_centavos >= 0),
  vencimento     date,
  contrato       varchar(200),
  descricao      varchar(1000),
  -- Where it came from: the import and the sheet row.
  job_id         uuid,
  linha          integer,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT dividas_lead_fk FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, lead_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX dividas_chave_uk ON dividas (
  tenant_id, lead_id, coalesce(contrato, ''), coalesce(vencimento, 'infinity'::date), coalesce(valor_centavos, -1)
);
SELECT agente_isolar_tenant('dividas');
