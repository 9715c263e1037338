import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import { asRecord, EMAIL_COLUMNS, PHONE_COLUMNS, type Touched } from '../merge-rows.js';

/**
 * Existing leads: append the rows to origem, fill what was empty, add new phones and e-mails (their
 * status is never touched: an opted-out lead stays opted out). Returns how many leads were updated.
 */
export async function updateExisting(tx: Tx, tenantId: string, touched: Map<string, Touched>): Promise<number> {
  const updated = await updateLeads(tx, tenantId, touched);
  await insertPhones(tx, tenantId, touched);
  await insertEmails(tx, tenantId, touched);
  return updated;
}

async function updateLeads(tx: Tx, tenantId: string, touched: Map<string, Touched>): Promise<number> {
  const leads = [...touched].map(([lead_id, t]) => ({
    lead_id,
    contato_nome: t.contato_nome,
    lead_id_externo: t.lead_id_externo,
    uf: t.uf,
    origem: t.origem,
    dados_extras: t.extras,
  }));
  // The ids again as an array: the planner reads a recordset as ~100 rows of unknown keys and, while a
  // big import grows leads faster than its statistics, may join by scanning every lead (64 ms a chunk on
  // PGlite at 100k rows); `lead_id = any(ids)` makes it probe the primary key for just these leads.
  const res = await sql`
    update leads l set
      origem = l.origem || g.origem,
      contato_nome = coalesce(l.contato_nome, g.contato_nome),
      lead_id_externo = coalesce(l.lead_id_externo, g.lead_id_externo),
      uf = coalesce(g.uf, l.uf),
      dados_extras = g.dados_extras || l.dados_extras,
      updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(leads)}::jsonb)
      as g(lead_id uuid, contato_nome text, lead_id_externo text, uf text, origem jsonb, dados_extras jsonb)
    where l.lead_id = g.lead_id and l.tenant_id = ${tenantId}
      and l.lead_id = any(${leads.map((x) => x.lead_id)}::uuid[])`.execute(tx);
  return Number(res.numAffectedRows ?? 0);
}

/** New phones of existing leads; one they already have (same E.164, else same text) is skipped. */
async function insertPhones(tx: Tx, tenantId: string, touched: Map<string, Touched>): Promise<void> {
  const phones = [...touched.values()].flatMap((t) => [...t.phones.values()].map((p) => asRecord(PHONE_COLUMNS, p)));
  if (!phones.length) return;
  await sql`
      insert into lead_telefones (tenant_id, lead_id, numero_original, numero_e164, tipo, valido_para_disparo,
                                  motivo_invalido, reparado, posicao)
      select ${tenantId}, p.lead_id, p.numero_original, p.numero_e164, p.tipo, p.valido_para_disparo, p.motivo_invalido,
             p.reparado, p.posicao
      from jsonb_to_recordset(${JSON.stringify(phones)}::jsonb) as p(lead_id uuid, numero_original text, numero_e164 text,
             tipo text, valido_para_disparo boolean, motivo_invalido text, reparado boolean, posicao int)
      on conflict (lead_id, (coalesce(numero_e164, numero_original))) do nothing`.execute(tx);
}

/** New e-mails of existing leads; one they already have is skipped. */
async function insertEmails(tx: Tx, tenantId: string, touched: Map<string, Touched>): Promise<void> {
  const emails = [...touched.values()].flatMap((t) => [...t.emails.values()].map((e) => asRecord(EMAIL_COLUMNS, e)));
  if (!emails.length) return;
  await sql`
      insert into lead_emails (tenant_id, lead_id, email_original, email_normalizado, valido_para_disparo, motivo_invalido, posicao)
      select ${tenantId}, e.lead_id, e.email_original, e.email_normalizado, e.valido_para_disparo, e.motivo_invalido, e.posicao
      from jsonb_to_recordset(${JSON.stringify(emails)}::jsonb) as e(lead_id uuid, email_original text, email_normalizado text,
             valido_para_disparo boolean, motivo_invalido text, posicao int)
      on conflict (lead_id, (coalesce(email_normalizado, email_original))) do nothing`.execute(tx);
}
