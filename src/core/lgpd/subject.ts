import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { normalizeDocument, normalizeEmail, normalizePhone, phoneVariants } from '../normalize/index.js';

/** Who an LGPD request is about, as the person or the operator gave it (any of the three). */
export interface SubjectInput {
  document?: string;
  phone?: string;
  email?: string;
}

/** The identifiers in canonical form: a document's digits, a phone's E.164 forms, a lower-case e-mail. */
export interface Subject {
  documento: string | null;
  /** Every WhatsApp form of the phone (with and without the ninth digit). */
  telefones: string[];
  email: string | null;
}

/** Canonical identifiers, or an actionable error naming the value that is not one. */
export function subjectOf(input: SubjectInput): Subject {
  const s: Subject = { documento: null, telefones: [], email: null };
  if (input.document) {
    const d = normalizeDocument(input.document);
    // One typed with a wrong check digit is still looked for (a lead may hold it so), a fragment is not.
    if (!d.documento || (!d.documento_valido && input.document.replace(/\D/g, '').length < 11))
      throw new AppError('invalid_argument', `document is not a CPF/CNPJ (${d.motivo_invalido ?? 'vazio'}).`);
    s.documento = d.documento;
  }
  if (input.phone) {
    const p = normalizePhone(input.phone);
    if (!p.numero_e164)
      throw new AppError('invalid_argument', `phone is not a phone number (${p.motivo_invalido ?? 'inválido'}).`);
    s.telefones = phoneVariants(p.numero_e164);
  }
  if (input.email) {
    const e = normalizeEmail(input.email);
    if (!e.email_normalizado)
      throw new AppError('invalid_argument', `email is not an e-mail address (${e.motivo_invalido ?? 'inválido'}).`);
    s.email = e.email_normalizado;
  }
  if (!s.documento && !s.telefones.length && !s.email)
    throw new AppError('invalid_argument', 'Give at least one of document (CPF/CNPJ), phone or email.');
  return s;
}

/**
 * The form a value is hashed in: a document's digits, a phone in the ninth-digit E.164 form (the
 * suppression list's), an e-mail normalised. The same person's value gives the same hash in every form.
 */
export function hashForm(tipo: 'documento' | 'telefone' | 'email', value: string): string {
  if (tipo !== 'telefone') return value;
  return phoneVariants(value).sort((a, b) => b.length - a.length)[0] ?? value;
}

/** The tenant's HMAC key (lgpd_chaves), created at random on first use. Never leaves the database and this module. */
export async function tenantKey(tx: Tx, tenantId: string): Promise<Buffer> {
  const read = async () =>
    (await sql<{ chave: string }>`select chave from lgpd_chaves where tenant_id = ${tenantId}`.execute(tx)).rows[0]
      ?.chave;
  let key = await read();
  if (!key) {
    await sql`insert into lgpd_chaves (tenant_id, chave) values (${tenantId}, ${randomBytes(32).toString('hex')})
              on conflict (tenant_id) do nothing`.execute(tx);
    key = (await read())!;
  }
  return Buffer.from(key, 'hex');
}

/** The tenant's HMAC key if it has one (none: nobody was ever hashed, so nothing to look up). */
export async function existingKey(tx: Tx, tenantId: string): Promise<Buffer | null> {
  const { rows } = await sql<{ chave: string }>`select chave from lgpd_chaves where tenant_id = ${tenantId}`.execute(
    tx,
  );
  return rows[0] ? Buffer.from(rows[0].chave, 'hex') : null;
}

/** 'hmac:' + HMAC-SHA256(tenant key, "tipo:canonical value") in hex: what the suppression list keeps of an erased person. */
export function hmacOf(key: Buffer, tipo: 'documento' | 'telefone' | 'email', value: string): string {
  return `hmac:${createHmac('sha256', key)
    .update(`${tipo}:${hashForm(tipo, value)}`)
    .digest('hex')}`;
}

/** The hashes of a subject's identifiers (a request's titular_hashes; the erased person's suppression entries). */
export function subjectHashes(
  key: Buffer,
  s: Subject,
): Array<{ tipo: 'documento' | 'telefone' | 'email'; hash: string }> {
  const out: Array<{ tipo: 'documento' | 'telefone' | 'email'; hash: string }> = [];
  if (s.documento) out.push({ tipo: 'documento', hash: hmacOf(key, 'documento', s.documento) });
  if (s.telefones.length) out.push({ tipo: 'telefone', hash: hmacOf(key, 'telefone', s.telefones[0]) });
  if (s.email) out.push({ tipo: 'email', hash: hmacOf(key, 'email', s.email) });
  return out;
}
