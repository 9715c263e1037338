-- query_leads (issue 19): a phone in any form is found by the last 8 digits of its E.164 (with or
-- without +55, the DDD, the 9th digit; the old 8-digit WhatsApp id); a UF by the sheet's UF; a reply
-- class by the lead's inbound messages.
CREATE INDEX lead_telefones_last8_idx ON lead_telefones (right(numero_e164, 8)) WHERE numero_e164 IS NOT NULL;
CREATE INDEX leads_tenant_uf_idx ON leads (tenant_id, uf) WHERE uf IS NOT NULL;
CREATE INDEX mensagens_recebidas_classe_idx ON mensagens_recebidas (tenant_id, classe, lead_id);
