-- Leads ready for a first dispatch (status novo) with their best phone and e-mail.
-- security_invoker: the view runs with the caller's rights, so row-level security on leads applies.
CREATE VIEW leads_para_disparo WITH (security_invoker = true) AS
SELECT
  l.lead_id,
  l.tenant_id,
  l.lead_id_externo,
  l.nome,
  l.contato_nome,
  l.documento,
  l.documento_tipo,
  l.status,
  l.timezone,
  t.numero_e164 AS telefone,
  e.email_normalizado AS email
FROM leads l
LEFT JOIN LATERAL (
  SELECT lt.numero_e164 FROM lead_telefones lt
  WHERE lt.lead_id = l.lead_id AND lt.valido_para_disparo
  ORDER BY lt.created_at, lt.posicao
  LIMIT 1
) t ON true
LEFT JOIN LATERAL (
  SELECT le.email_normalizado FROM lead_emails le
  WHERE le.lead_id = l.lead_id AND le.valido_para_disparo
  ORDER BY le.created_at, le.posicao
  LIMIT 1
) e ON true
WHERE l.status = 'novo';
