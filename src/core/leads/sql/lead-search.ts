import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { LeadStatus, ReplyClass } from '../../model/index.js';
import { DDD_UF } from '../../normalize/ddd-uf.js';
import { nameKey } from '../../normalize/index.js';

/** What query_leads can search by; every filter given must match (and). */
export interface LeadSearch {
  status?: LeadStatus[];
  has_whatsapp?: boolean;
  has_email?: boolean;
  /** Name, contact, document, phone, e-mail, UF, or a value of any sheet column (the city). */
  text?: string;
  source_job_id?: string;
  uf?: string;
  ddd?: string;
  /** Sheet column (as its header, any case) → part of its value. */
  extra?: Record<string, string>;
  campaign_id?: string;
  reply_class?: ReplyClass;
}

type Cond = RawBuilder<SqlBool>;
const escapeLike = (s: string) => s.replace(/[%_\\]/g, (m) => `\\${m}`);

/** Lower case without the accents Portuguese uses, in SQL: "São Paulo" and "sao paulo" compare equal. */
const ACCENTED = 'áàâãäéèêëíìîïóòôõöúùûüçñ';
const PLAIN = 'aaaaaeeeeiiiiooooouuuucn';
const fold = (expr: RawBuilder<unknown>) =>
  sql<string>`trim(regexp_replace(translate(lower(${expr}), ${ACCENTED}, ${PLAIN}), '[^a-z0-9]+', ' ', 'g'))`;
const foldText = (s: string) => nameKey(s);
const contains = (s: string) => `%${escapeLike(foldText(s))}%`;

const phoneOf = (cond: Cond) =>
  sql<SqlBool>`exists (select 1 from lead_telefones lt where lt.lead_id = l.lead_id and ${cond})`;
const emailOf = (cond: Cond) =>
  sql<SqlBool>`exists (select 1 from lead_emails le where le.lead_id = l.lead_id and ${cond})`;
/** A value of the sheet's extra columns (any, or the one named) that contains the text, folded. */
const extraHas = (text: string, column?: string) =>
  sql<SqlBool>`exists (select 1 from jsonb_each_text(l.dados_extras) x where ${
    column === undefined ? sql`true` : sql`${fold(sql`x.key`)} = ${fold(sql`${column}`)}`
  } and ${fold(sql`x.value`)} like ${contains(text)})`;

/**
 * A Brazilian phone in any form ("+55 (92) 99123-4567", "92 9123-4567", "991234567", the 8-digit
 * WhatsApp id) as what every form keeps: its last 8 digits, and its DDD when given. Null: not a phone.
 */
export function phoneKey(text: string): { last8: string; ddd: string | null } | null {
  let d = text.replace(/\D/g, '');
  if (d.length < 8 || d.length > 13 || /[a-z@]/i.test(text)) return null;
  if (d.length >= 12 && d.startsWith('55')) d = d.slice(2);
  if (d.startsWith('0')) d = d.slice(1);
  const ddd = d.length === 10 || d.length === 11 ? d.slice(0, 2) : null;
  return { last8: d.slice(-8), ddd };
}

/** A phone of the lead matches: stored E.164 by its last 8 digits (and DDD), or an unparsed original. */
function phoneMatches(key: { last8: string; ddd: string | null }): Cond {
  const ddd = key.ddd ? sql`and substr(lt.numero_e164, 4, 2) = ${key.ddd}` : sql``;
  return phoneOf(sql<SqlBool>`((lt.numero_e164 like '+55%' and right(lt.numero_e164, 8) = ${key.last8} ${ddd})
    or (lt.numero_e164 is null and regexp_replace(lt.numero_original, '\\D', '', 'g') like ${`%${key.last8}`}))`);
}

/** The free-text search: any of name, contact, document, phone, e-mail, UF, sheet values. */
function textMatches(text: string): Cond {
  const alnum = text.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  const any: Cond[] = [
    sql<SqlBool>`l.nome_chave like ${contains(text)}`,
    sql<SqlBool>`${fold(sql`coalesce(l.contato_nome, '')`)} like ${contains(text)}`,
    extraHas(text),
  ];
  if (/^\d{3,}$/.test(alnum)) any.push(sql<SqlBool>`l.documento like ${`${alnum}%`}`);
  const phone = phoneKey(text);
  if (phone) any.push(phoneMatches(phone));
  if (text.includes('@') || /[a-z]/i.test(text)) {
    any.push(
      emailOf(
        sql<SqlBool>`coalesce(le.email_normalizado, lower(le.email_original)) like ${`%${escapeLike(text.trim().toLowerCase())}%`}`,
      ),
    );
  }
  if (/^[a-z]{2}$/i.test(text.trim())) any.push(ufIs(text.trim().toUpperCase()));
  return sql<SqlBool>`(${sql.join(any, sql` or `)})`;
}

/** The lead's UF: the sheet's, else its first phone's DDD's (as ingest decides its zone). */
function ufIs(uf: string): Cond {
  const ddds = Object.entries(DDD_UF)
    .filter(([, u]) => u === uf)
    .map(([d]) => d);
  if (!ddds.length) return sql<SqlBool>`l.uf = ${uf}`;
  return sql<SqlBool>`(l.uf = ${uf} or (l.uf is null and ${phoneOf(
    sql<SqlBool>`lt.numero_e164 like '+55%' and substr(lt.numero_e164, 4, 2) in (${sql.join(ddds)})`,
  )}))`;
}

/** The conditions of a search, to and together (the tenant's own condition is the caller's). */
export function searchConditions(f: LeadSearch): Cond[] {
  const c: Cond[] = [];
  if (f.status?.length) c.push(sql<SqlBool>`l.status in (${sql.join(f.status)})`);
  const sendablePhone = phoneOf(sql<SqlBool>`lt.valido_para_disparo`);
  const sendableEmail = emailOf(sql<SqlBool>`le.valido_para_disparo`);
  if (f.has_whatsapp !== undefined) c.push(f.has_whatsapp ? sendablePhone : sql<SqlBool>`not ${sendablePhone}`);
  if (f.has_email !== undefined) c.push(f.has_email ? sendableEmail : sql<SqlBool>`not ${sendableEmail}`);
  if (f.text) c.push(textMatches(f.text));
  if (f.source_job_id) c.push(sql<SqlBool>`l.origem @> ${JSON.stringify([{ job_id: f.source_job_id }])}::jsonb`);
  if (f.uf) c.push(ufIs(f.uf.toUpperCase()));
  if (f.ddd) c.push(phoneOf(sql<SqlBool>`lt.numero_e164 like ${`+55${f.ddd}%`}`));
  for (const [column, value] of Object.entries(f.extra ?? {})) c.push(extraHas(value, column));
  if (f.campaign_id) {
    c.push(sql<SqlBool>`exists (select 1 from disparos d
      where d.tenant_id = l.tenant_id and d.lead_id = l.lead_id and d.campanha_id = ${f.campaign_id})`);
  }
  if (f.reply_class) {
    c.push(sql<SqlBool>`exists (select 1 from mensagens_recebidas m
      where m.tenant_id = l.tenant_id and m.lead_id = l.lead_id and m.classe = ${f.reply_class})`);
  }
  return c;
}

export const sendablePhoneSql = sql<SqlBool>`exists (select 1 from lead_telefones lt
  where lt.lead_id = l.lead_id and lt.valido_para_disparo)`;
export const sendableEmailSql = sql<SqlBool>`exists (select 1 from lead_emails le
  where le.lead_id = l.lead_id and le.valido_para_disparo)`;

/** `and`-joined conditions, `true` when none. */
export const allOf = (c: Cond[]): Cond => (c.length ? sql<SqlBool>`(${sql.join(c, sql` and `)})` : sql<SqlBool>`true`);
