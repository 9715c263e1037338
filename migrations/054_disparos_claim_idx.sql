-- A claim (core/dispatch/sql/claim-due.ts) takes a tenant × channel's due rows oldest first, up to one batch:
-- read in that order from this index it stops after the batch, instead of sorting every queued row of the
-- tenant on each claim (a 100k-row campaign, all due at the same instant). Partial: a row is in it only while
-- queued, so claiming and recording a send write nothing here.
CREATE INDEX disparos_claim_idx ON disparos (tenant_id, canal, proxima_tentativa_em, disparo_id)
  WHERE status IN ('pendente', 'adiado');
