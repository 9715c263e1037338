import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import type { SendChannel } from '../model/index.js';
import { normalizeEmail, normalizePhone, phoneVariants } from '../normalize/index.js';

/**
 * The lead a reply comes from, and the sender in canonical form (to suppress an unknown sender). A
 * WhatsApp sender matches a lead phone in its 8- or 9-digit form or the wa_id a send reported; an
 * e-mail matches a lead e-mail. Of several leads sharing the destination, the one messaged last wins.
 */
export async function findLead(
  tx: Tx,
  tenantId: string,
  channel: SendChannel,
  from: string,
): Promise<{ leadId: string | null; canonical: string | null }> {
  if (channel === 'whatsapp') {
    // "5531987654321", "+55 31 8765-4321", "553187654321@s.whatsapp.net": every form a reply arrives in.
    const digits = from.replace(/@.*$/, '').replace(/\D/g, '');
    if (!digits) throw new AppError('invalid_argument', `"${from}" is not a phone number or WhatsApp id.`);
    const p = normalizePhone(digits.startsWith('55') && digits.length >= 12 ? `+${digits}` : from);
    const variants = p.numero_e164 ? phoneVariants(p.numero_e164) : [];
    const { rows } = await sql<{ lead_id: string }>`
      select lt.lead_id from lead_telefones lt
      left join lateral (select max(d.enviado_em) as ultimo from disparos d
                         where d.lead_id = lt.lead_id and d.status = 'enviado') u on true
      where lt.tenant_id = ${tenantId} and (lt.numero_e164 = any(${variants}::text[]) or lt.wa_id = ${digits})
      order by u.ultimo desc nulls last, lt.created_at
      limit 1`.execute(tx);
    return { leadId: rows[0]?.lead_id ?? null, canonical: p.numero_e164 };
  }
  const e = normalizeEmail(from);
  if (!e.email_normalizado) throw new AppError('invalid_argument', `"${from}" is not an e-mail address.`);
  const { rows } = await sql<{ lead_id: string }>`
    select le.lead_id from lead_emails le
    left join lateral (select max(d.enviado_em) as ultimo from disparos d
                       where d.lead_id = le.lead_id and d.status = 'enviado') u on true
    where le.tenant_id = ${tenantId} and le.email_normalizado = ${e.email_normalizado}
    order by u.ultimo desc nulls last, le.created_at
    limit 1`.execute(tx);
  return { leadId: rows[0]?.lead_id ?? null, canonical: e.email_normalizado };
}
