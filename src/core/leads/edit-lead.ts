import type { Tx } from '../../db/tenant.js';
import { AppError, notFound } from '../errors.js';
import {
  cleanText,
  DEFAULT_TIMEZONE,
  normalizeDocument,
  normalizeEmail,
  normalizePhone,
  timezoneForDdd,
} from '../normalize/index.js';
import { parseUf, UF_TIMEZONE } from '../normalize/uf.js';

/** The contact data a person may correct on one lead. */
export interface LeadEdit {
  phone?: string;
  email?: string;
  contact_name?: string;
  document?: string;
  uf?: string;
}

/**
 * Corrects a lead's contact data, normalised as an import normalises it (src/core/normalize), in the
 * caller's transaction, with one 'nota' row in the lead's history naming the fields changed (the old
 * values masked). Returns the fields that changed.
 *
 * Decisions (README, "Editing a lead"):
 * - phone / email REPLACE the lead's phones / e-mails: a correction says the old one is wrong, and a
 *   wrong number kept would still be the one sent to.
 * - A value that cannot be normalised (no phone, an invalid e-mail or CPF/CNPJ, no UF) is refused with
 *   the reason; nothing is stored.
 * - A value another lead of the tenant already has is refused (conflict) naming that lead: two records
 *   of one person are merged by re-importing, not by an edit that would leave two leads with one phone.
 * - Suppression still wins: suppression is by value and is checked before every send, so a corrected
 *   value on the do-not-contact list stays blocked, and an opt_out lead stays opt_out.
 */
export async function editLead(
  tx: Tx,
  tenantId: string,
  leadId: string,
  edit: LeadEdit,
  audit: { reason: string; actor: string; now: Date },
): Promise<string[]> {
  const lead = await tx
    .selectFrom('leads')
    .select(['lead_id', 'uf', 'contato_nome', 'documento'])
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .forUpdate()
    .executeTakeFirst();
  if (!lead) throw notFound('Lead', leadId);
  const changed: string[] = [];
  const before: Record<string, string | null> = {};
  if (edit.phone !== undefined) {
    before.phone = await replacePhone(tx, tenantId, leadId, edit.phone);
    changed.push('phone');
  }
  if (edit.email !== undefined) {
    before.email = await replaceEmail(tx, tenantId, leadId, edit.email);
    changed.push('email');
  }
  const set: Record<string, unknown> = {};
  if (edit.contact_name !== undefined) {
    const name = cleanText(edit.contact_name) || null;
    if (name !== lead.contato_nome) [set.contato_nome, before.contact_name] = [name, mask(lead.contato_nome)];
  }
  if (edit.document !== undefined) Object.assign(set, await documentChange(tx, tenantId, leadId, edit.document));
  if ('documento' in set && set.documento !== lead.documento) before.document = mask(lead.documento);
  if (edit.uf !== undefined) {
    const uf = parseUf(edit.uf);
    if (!uf)
      throw new AppError(
        'invalid_argument',
        `uf "${edit.uf}" is not a Brazilian state; give its two letters, e.g. AM, SP.`,
      );
    if (uf !== lead.uf) [set.uf, set.timezone, before.uf] = [uf, UF_TIMEZONE[uf] ?? DEFAULT_TIMEZONE, lead.uf];
  }
  if (edit.phone !== undefined && set.uf === undefined && lead.uf === null) {
    // Without a sheet UF the zone follows the first phone's DDD, as an import decides it.
    const ddd = normalizePhone(edit.phone).ddd;
    set.timezone = ddd ? timezoneForDdd(ddd) : DEFAULT_TIMEZONE;
  }
  for (const k of ['contato_nome', 'documento', 'uf'] as const) if (k in set) changed.push(fieldName[k]);
  if (Object.keys(set).length) {
    await tx
      .updateTable('leads')
      .set({ ...set, updated_at: audit.now })
      .where('lead_id', '=', leadId)
      .execute();
  }
  if (changed.length) {
    await tx
      .insertInto('lead_eventos')
      .values({
        tenant_id: tenantId,
        lead_id: leadId,
        tipo: 'nota',
        motivo: `dados corrigidos (${changed.join(', ')}): ${audit.reason}`,
        ator: audit.actor,
        dados: JSON.stringify({ campos: changed, antes: before }),
      })
      .execute();
  }
  return changed;
}

const fieldName = { contato_nome: 'contact_name', documento: 'document', uf: 'uf' } as const;

/** The last 4 characters of a value, the rest starred: enough to recognise it in the history. */
const mask = (v: string | null | undefined) => (v ? `${'*'.repeat(Math.max(0, v.length - 4))}${v.slice(-4)}` : null);

async function replacePhone(tx: Tx, tenantId: string, leadId: string, raw: string): Promise<string | null> {
  const p = normalizePhone(raw);
  if (!p.numero_e164) {
    throw new AppError(
      'invalid_argument',
      `phone "${raw}" is not a phone number (${p.motivo_invalido ?? 'unrecognised'}); ` +
        'give it with its DDD, e.g. (92) 99123-4567 or +5592991234567.',
    );
  }
  const other = await tx
    .selectFrom('lead_telefones')
    .select('lead_id')
    .where('tenant_id', '=', tenantId)
    .where('numero_e164', '=', p.numero_e164)
    .where('lead_id', '<>', leadId)
    .executeTakeFirst();
  if (other) throw taken('phone', other.lead_id);
  const old = await tx.deleteFrom('lead_telefones').where('lead_id', '=', leadId).returning('numero_e164').execute();
  await tx
    .insertInto('lead_telefones')
    .values({
      tenant_id: tenantId,
      lead_id: leadId,
      numero_original: p.numero_original,
      numero_e164: p.numero_e164,
      tipo: p.tipo,
      valido_para_disparo: p.valido_para_disparo,
      motivo_invalido: p.motivo_invalido ?? (p.valido_para_disparo ? null : 'não é celular'),
      reparado: p.reparado,
      posicao: 0,
    })
    .execute();
  return old.map((o) => mask(o.numero_e164)).join(', ') || null;
}

async function replaceEmail(tx: Tx, tenantId: string, leadId: string, raw: string): Promise<string | null> {
  const e = normalizeEmail(raw);
  if (!e.email_normalizado || !e.valido_para_disparo) {
    throw new AppError(
      'invalid_argument',
      `email "${raw}" is not a valid address (${e.motivo_invalido ?? 'unrecognised'}).`,
    );
  }
  const other = await tx
    .selectFrom('lead_emails')
    .select('lead_id')
    .where('tenant_id', '=', tenantId)
    .where('email_normalizado', '=', e.email_normalizado)
    .where('lead_id', '<>', leadId)
    .executeTakeFirst();
  if (other) throw taken('email', other.lead_id);
  const old = await tx.deleteFrom('lead_emails').where('lead_id', '=', leadId).returning('email_normalizado').execute();
  await tx
    .insertInto('lead_emails')
    .values({
      tenant_id: tenantId,
      lead_id: leadId,
      email_original: e.email_original,
      email_normalizado: e.email_normalizado,
      valido_para_disparo: true,
      motivo_invalido: null,
      posicao: 0,
    })
    .execute();
  return old.map((o) => mask(o.email_normalizado)).join(', ') || null;
}

async function documentChange(tx: Tx, tenantId: string, leadId: string, raw: string) {
  const d = normalizeDocument(raw);
  if (!d.documento || !d.documento_valido) {
    throw new AppError(
      'invalid_argument',
      `document "${raw}" is not a valid CPF or CNPJ (${d.motivo_invalido ?? 'unrecognised'}).`,
    );
  }
  const other = await tx
    .selectFrom('leads')
    .select('lead_id')
    .where('tenant_id', '=', tenantId)
    .where('documento', '=', d.documento)
    .where('documento_valido', '=', true)
    .where('lead_id', '<>', leadId)
    .executeTakeFirst();
  if (other) throw taken('document', other.lead_id);
  return { documento: d.documento, documento_tipo: d.documento_tipo, documento_valido: true };
}

const taken = (field: string, otherLead: string) =>
  new AppError(
    'conflict',
    `that ${field} belongs to another lead (${otherLead}); nothing was changed. If both are the same person, ` +
      `look at it with query_leads {lead_id: "${otherLead}"} and correct or mark one of them (update_lead status perdido).`,
  );
