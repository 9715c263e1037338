import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError, notFound } from '../errors.js';
import { normalizeDocument, normalizeEmail, normalizePhone, phoneVariants } from '../normalize/index.js';
import { transitionLead } from '../leads/transition.js';
import type { SuppressionKind, SuppressionOrigin } from '../model/index.js';

export type { SuppressionKind } from '../model/index.js';

/** The canonical stored form of a value, or an error saying why it cannot be suppressed. */
export function canonicalValue(tipo: SuppressionKind, raw: string): string {
  if (tipo === 'documento') {
    const d = normalizeDocument(raw);
    if (!d.documento)
      throw new AppError('invalid_argument', `"${raw}" is not a CPF/CNPJ (${d.motivo_invalido ?? 'vazio'}).`);
    return d.documento;
  }
  if (tipo === 'telefone') {
    const p = normalizePhone(raw);
    if (!p.numero_e164)
      throw new AppError('invalid_argument', `"${raw}" is not a phone number (${p.motivo_invalido ?? 'inválido'}).`);
    // Store the 9-digit form; matching checks both forms.
    return phoneVariants(p.numero_e164).sort((a, b) => b.length - a.length)[0];
  }
  const e = normalizeEmail(raw);
  if (!e.email_normalizado)
    throw new AppError('invalid_argument', `"${raw}" is not an e-mail address (${e.motivo_invalido ?? 'inválido'}).`);
  return e.email_normalizado;
}

export interface SuppressionEntry {
  tipo: SuppressionKind;
  valor: string;
  motivo: string;
  origem: SuppressionOrigin;
  lead_id: string | null;
  created_at: string;
}

export async function addSuppression(
  tx: Tx,
  tenantId: string,
  e: {
    tipo: SuppressionKind;
    valor: string;
    motivo: string;
    origem?: SuppressionOrigin;
    leadId?: string | null;
    ator: string;
  },
): Promise<boolean> {
  const res = await tx
    .insertInto('supressoes')
    .values({
      tenant_id: tenantId,
      tipo: e.tipo,
      valor: canonicalValue(e.tipo, e.valor),
      motivo: e.motivo,
      origem: e.origem ?? 'manual',
      lead_id: e.leadId ?? null,
      ator: e.ator,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'tipo', 'valor']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Opt-out of one lead, at once and on every channel: its document, every phone and e-mail go to the
 * suppression list and the lead moves to opt_out (terminal). Idempotent.
 */
export async function optOutLead(
  tx: Tx,
  tenantId: string,
  leadId: string,
  motivo: string,
  ator: string,
): Promise<{ added: number; previous: string | null }> {
  const lead = await tx
    .selectFrom('leads')
    .select(['status', 'documento', 'documento_valido'])
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .executeTakeFirst();
  if (!lead) throw notFound('Lead', leadId);
  const { rows } = await sql<{ tipo: SuppressionKind; valor: string }>`
    select 'telefone' as tipo, numero_e164 as valor from lead_telefones
    where tenant_id = ${tenantId} and lead_id = ${leadId} and numero_e164 is not null
    union all
    select 'email', email_normalizado from lead_emails
    where tenant_id = ${tenantId} and lead_id = ${leadId} and email_normalizado is not null`.execute(tx);
  const values =
    lead.documento_valido && lead.documento ? [{ tipo: 'documento' as const, valor: lead.documento }, ...rows] : rows;
  let added = 0;
  for (const v of values) {
    if (await addSuppression(tx, tenantId, { ...v, motivo, origem: 'opt_out', leadId, ator })) added++;
  }
  let previous: string | null = null;
  if (lead.status !== 'opt_out')
    previous = await transitionLead(tx, tenantId, leadId, 'opt_out', { reason: motivo, actor: ator });
  return { added, previous };
}

export async function removeSuppression(
  tx: Tx,
  tenantId: string,
  tipo: SuppressionKind,
  valor: string,
): Promise<boolean> {
  const res = await tx
    .deleteFrom('supressoes')
    .where('tenant_id', '=', tenantId)
    .where('tipo', '=', tipo)
    .where('valor', '=', canonicalValue(tipo, valor))
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function listSuppressions(tx: Tx, tenantId: string, limit: number): Promise<SuppressionEntry[]> {
  const rows = await tx
    .selectFrom('supressoes')
    .select(['tipo', 'valor', 'motivo', 'origem', 'lead_id', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, created_at: new Date(r.created_at).toISOString() }));
}

/**
 * SQL condition: the lead (alias l) matches the tenant's suppression list by document, any phone (both
 * WhatsApp forms) or any e-mail. Used by decisions and checked again right before a send.
 */
export function suppressedSql(tenantId: string) {
  return sql<boolean>`exists (
    select 1 from supressoes sp
    where sp.tenant_id = ${tenantId} and (
      (sp.tipo = 'documento' and l.documento_valido and sp.valor = l.documento)
      or (sp.tipo = 'telefone' and exists (
            select 1 from lead_telefones lt where lt.lead_id = l.lead_id and lt.numero_e164 is not null
            and (sp.valor = lt.numero_e164 or sp.valor = ${sql.raw(OLD_FORM_SQL)})))
      or (sp.tipo = 'email' and exists (
            select 1 from lead_emails le where le.lead_id = l.lead_id and le.email_normalizado = sp.valor))
    ))`;
}

/**
 * SQL: the lead_ids of the targeted leads (a CTE named alvo in scope) that match the suppression list,
 * as hash joins — for decisions over many leads at once.
 */
export function suppressedLeadsSql(tenantId: string) {
  return sql`
    select lt.lead_id from lead_telefones lt join alvo a on a.lead_id = lt.lead_id
      join supressoes sp on sp.tenant_id = ${tenantId} and sp.tipo = 'telefone' and sp.valor = lt.numero_e164
    union
    select lt.lead_id from lead_telefones lt join alvo a on a.lead_id = lt.lead_id
      join supressoes sp on sp.tenant_id = ${tenantId} and sp.tipo = 'telefone' and sp.valor = ${sql.raw(OLD_FORM_SQL)}
    union
    select le.lead_id from lead_emails le join alvo a on a.lead_id = le.lead_id
      join supressoes sp on sp.tenant_id = ${tenantId} and sp.tipo = 'email' and sp.valor = le.email_normalizado
    union
    select l.lead_id from leads l join alvo a on a.lead_id = l.lead_id
      join supressoes sp on sp.tenant_id = ${tenantId} and sp.tipo = 'documento' and sp.valor = l.documento
    where l.documento_valido`;
}

/**
 * SQL: the same lead_ids as suppressedLeadsSql, found per targeted lead by index lookups (its phones,
 * e-mails and document against supressoes_valor_uk): for a handful of given leads, where the hash joins
 * would read the tenant's whole suppression list (13 ms of a one-lead decision with 5,000 entries).
 */
export function suppressedTargetedSql(tenantId: string) {
  // The phone's two forms are computed beside the phone (a regex is not leakproof: in the join's
  // condition it would keep row-level security from pushing it into the index lookup).
  return sql`
    select lt.lead_id from alvo a join lead_telefones lt on lt.lead_id = a.lead_id
      cross join lateral (values (lt.numero_e164::text), (${sql.raw(OLD_FORM_SQL)}::text)) v(valor)
      join supressoes sp on sp.tenant_id = ${tenantId} and sp.tipo = 'telefone' and sp.valor = v.valor
    union
    select le.lead_id from alvo a join lead_emails le on le.lead_id = a.lead_id
      join supressoes sp on sp.tenant_id = ${tenantId} and sp.tipo = 'email' and sp.valor = le.email_normalizado
    union
    select l.lead_id from alvo a join leads l on l.lead_id = a.lead_id
      join supressoes sp on sp.tenant_id = ${tenantId} and sp.tipo = 'documento' and sp.valor = l.documento
    where l.documento_valido`;
}

// The 9-digit form of a stored 8-digit Brazilian mobile (+55 DD 8 digits → +55 DD 9 + 8 digits), so a
// suppression stored as +55DD9XXXXXXXX also matches a lead phone kept in the old form.
const OLD_FORM_SQL =
  `case when lt.numero_e164 ~ '^\\+55[1-9][0-9][6-9][0-9]{7}$' ` +
  `then '+55' || substr(lt.numero_e164, 4, 2) || '9' || substr(lt.numero_e164, 6) else lt.numero_e164 end`;
