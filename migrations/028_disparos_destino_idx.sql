-- Messages that reached a destination, whatever the lead: at most one collection per destination per cap
-- window (issue 17). The decision looks them up per targeted lead, so by index.
CREATE INDEX disparos_destino_idx ON disparos (tenant_id, destino);
