-- Events out (issue #18): the deliverers' claim walks each destination's pending deliveries in sequence
-- order and stops at the batch size. With only (tenant_id, seq) and (destino_id, assunto, seq) the planner
-- judged every pending row of the tenant (anti-join per row, then a sort): a 10k backlog cost ≈ 150 ms per
-- claim of 200, growing with the backlog. Per destination, so a disabled or paused endpoint's waiting rows
-- are never walked by another endpoint's claim.
CREATE INDEX eventos_entregas_destino_seq_idx ON eventos_entregas (destino_id, seq) WHERE status = 'pendente';

-- The events-out backlog gauge (/metrics agente_webhook_backlog, src/metrics/db-gauges.ts) counts, per
-- destination across tenants, the pending deliveries plus the events not yet fanned out to it (the tenant's
-- last sequence − the destination's cursor): the system role reads the counters too (reads only, as in 017).
GRANT SELECT ON eventos_contador TO agente_sistema;
CREATE POLICY sistema_le ON eventos_contador FOR SELECT TO agente_sistema USING (current_user = 'agente_sistema');
