import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import type { Attribution, SendChannel } from '../model/index.js';
import { normalizeEmail, normalizePhone, phoneVariants } from '../normalize/index.js';
import { disparoByMessageId } from './sql/disparo-by-message-id.js';
import { leadsByDestination } from './sql/leads-by-destination.js';

/** Who an inbound message is from, as far as we can tell without guessing. */
export interface Attributed {
  /** The lead it is attached to (for `ambigua`, the most likely one: nothing is moved on it). */
  leadId: string | null;
  attribution: Attribution;
  /** Every lead with the sender's destination (more than one: a shared destination). */
  candidates: string[];
  /** Our disparo it answers, when the reply context names one. */
  disparoId: string | null;
  /** The sender in the form the suppression list keeps (E.164 9-digit form, or the e-mail). */
  canonical: string | null;
  /** Every form the sender was matched on (8/9-digit phones, WhatsApp ids, the e-mail). */
  forms: string[];
}

/**
 * Ties a message to its lead: first by reply context (the id of our message it answers — WhatsApp
 * context.id, Twilio OriginalRepliedMessageSid, e-mail In-Reply-To or References), which is certain; then by the
 * sender's destination in every form (8- or 9-digit numbers, `…@c.us` / `…@s.whatsapp.net` ids,
 * `whatsapp:+55…`, a wa_id a send reported, a BSUID, an e-mail). A destination several leads share
 * is `ambigua`: the most likely lead is named, and the caller must not move it on a guess.
 */
export async function attribute(
  tx: Tx,
  tenantId: string,
  m: { channel: SendChannel; from: string; fromAlso?: string[]; replyTo: string | null; references?: string[] },
): Promise<Attributed> {
  const who = senderForms(m.channel, m.from, m.fromAlso ?? []);
  const candidates = await leadsByDestination(tx, tenantId, who);
  const forms = [...who.phones, ...who.waIds, ...(who.email ? [who.email] : [])];
  const base = { candidates, canonical: who.canonical, forms };
  // In-Reply-To first, then References from the newest (an e-mail client may drop In-Reply-To).
  const context = [m.replyTo, ...[...(m.references ?? [])].reverse()].filter((x): x is string => !!x).slice(0, 20);
  for (const id of context) {
    const d = await disparoByMessageId(tx, tenantId, id);
    if (d) return { ...base, leadId: d.lead_id, attribution: 'contexto', disparoId: d.disparo_id };
  }
  if (!candidates.length) return { ...base, leadId: null, attribution: 'desconhecido', disparoId: null };
  return {
    ...base,
    leadId: candidates[0],
    attribution: candidates.length > 1 ? 'ambigua' : 'destino',
    disparoId: null,
  };
}

/** The sender's phones (both WhatsApp forms), WhatsApp ids and e-mail, and its canonical form. */
export function senderForms(
  channel: SendChannel,
  from: string,
  also: string[],
): { phones: string[]; waIds: string[]; email: string | null; canonical: string | null } {
  if (channel === 'email') {
    const e = normalizeEmail(from.replace(/^.*<([^>]+)>.*$/, '$1'));
    if (!e.email_normalizado) throw new AppError('invalid_argument', `"${from}" is not an e-mail address.`);
    return { phones: [], waIds: [], email: e.email_normalizado, canonical: e.email_normalizado };
  }
  const ids = [from, ...also].map((f) => f.replace(/^whatsapp:/, '').replace(/@.*$/, ''));
  const waIds = [...new Set(ids.map((f) => f.replace(/\D/g, '')).filter(Boolean))];
  if (!waIds.length) throw new AppError('invalid_argument', `"${from}" is not a phone number or WhatsApp id.`);
  const phones = new Set<string>();
  let canonical: string | null = null;
  for (const digits of waIds) {
    const p = normalizePhone(digits.startsWith('55') && digits.length >= 12 ? `+${digits}` : digits);
    if (!p.numero_e164) continue;
    const variants = phoneVariants(p.numero_e164);
    for (const v of variants) phones.add(v);
    canonical ??= variants.sort((a, b) => b.length - a.length)[0];
  }
  return { phones: [...phones], waIds, email: null, canonical };
}
