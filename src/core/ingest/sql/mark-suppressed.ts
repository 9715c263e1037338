import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import { existingKey, hmacOf } from '../../lgpd/subject.js';
import { EMAIL_NORMALIZADO, PHONE_E164, type NewLead } from '../merge-rows.js';

/**
 * Marks the new leads whose document (when valid), a phone (both WhatsApp forms) or an e-mail is on the
 * tenant's suppression list: they are born opted out, so an opt-out survives a re-import of the same
 * person under another name or file. A person erased under LGPD is on the list only as HMAC hashes
 * (lgpd/subject.ts): each value is also looked up by its hash, so they come back suppressed too.
 */
export async function markSuppressed(tx: Tx, tenantId: string, leads: Map<number, NewLead>): Promise<void> {
  const docs = new Set<string>();
  const phones = new Set<string>();
  const emails = new Set<string>();
  for (const l of leads.values()) {
    if (l.documento_valido && l.documento) docs.add(l.documento);
    for (const p of l.phones.values())
      if (p[PHONE_E164]) phones.add(p[PHONE_E164] as string).add(ninthDigitForm(p[PHONE_E164] as string));
    for (const e of l.emails.values()) if (e[EMAIL_NORMALIZADO]) emails.add(e[EMAIL_NORMALIZADO] as string);
  }
  // hash → the clear value it stands for, for the lookup below (the hash never leaves this call).
  const clearOf = new Map<string, string>();
  const key = await existingKey(tx, tenantId);
  if (key) {
    for (const d of [...docs]) clearOf.set(hmacOf(key, 'documento', d), d);
    for (const p of [...phones]) clearOf.set(hmacOf(key, 'telefone', p), p);
    for (const e of [...emails]) clearOf.set(hmacOf(key, 'email', e), e);
  }
  const { rows } = await sql<{ tipo: string; valor: string }>`
    select tipo, valor from supressoes
    where tenant_id = ${tenantId} and (
      (tipo = 'documento' and valor = any(${[...docs]}::text[]))
      or (tipo = 'telefone' and valor = any(${[...phones]}::text[]))
      or (tipo = 'email' and valor = any(${[...emails]}::text[]))
      or valor = any(${[...clearOf.keys()]}::text[]))`.execute(tx);
  if (!rows.length) return;
  const hit = new Set<string>();
  for (const r of rows) {
    if (!r.valor.startsWith('hmac:')) hit.add(`${r.tipo}:${r.valor}`);
    else if (r.tipo === 'telefone') {
      // A phone is hashed in its ninth-digit form: both WhatsApp forms of the incoming number are hits.
      const p = clearOf.get(r.valor)!;
      hit.add(`telefone:${p}`).add(`telefone:${ninthDigitForm(p)}`);
      for (const q of phones) if (ninthDigitForm(q) === ninthDigitForm(p)) hit.add(`telefone:${q}`);
    } else hit.add(`${r.tipo}:${clearOf.get(r.valor)}`);
  }
  for (const l of leads.values()) {
    l.suppressed =
      (l.documento_valido && !!l.documento && hit.has(`documento:${l.documento}`)) ||
      [...l.phones.values()].some((p) => {
        const e164 = p[PHONE_E164] as string | null;
        return !!e164 && (hit.has(`telefone:${e164}`) || hit.has(`telefone:${ninthDigitForm(e164)}`));
      }) ||
      [...l.emails.values()].some((e) => !!e[EMAIL_NORMALIZADO] && hit.has(`email:${e[EMAIL_NORMALIZADO] as string}`));
  }
}

/** +55 DD 8-digit mobile → +55 DD 9 + 8 digits (suppressions are stored in the 9-digit form); else as is. */
function ninthDigitForm(e164: string): string {
  return /^\+55[1-9][0-9][6-9][0-9]{7}$/.test(e164) ? `+55${e164.slice(3, 5)}9${e164.slice(5)}` : e164;
}
