-- Events out (issue #18): the deliverers' claim walks each destination's pending deliveries in sequence
-- order and stops at the batch size. With only (tenant_id, seq) and (destino_id, assunto, seq) the planner
-- judged every pending row of the tenant (anti-join per row, then a sort): a 10k backlog cost ≈ 150 ms per
-- claim of 200, growing with the backlog. Per destination, so a disabled or paused endpoint's waiting rows
-- are never walked by another endpoint's claim.
CREATE INDEX eventos_entregas_destino_seq_idx ON eventos_entregas (destino_id, seq) WHERE status = 'pendente';
