import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { formatDocument, phoneVariants } from '../normalize/index.js';
import { PERSONAL_DATA, type Found } from './personal-data.js';
import { hmacOf, subjectHashes, tenantKey, type Subject } from './subject.js';

/**
 * Everything about one person in this tenant (LGPD art. 18 I/II): their leads are those with the
 * document, one of the phone's forms or the e-mail; their values are every name, phone, e-mail and
 * document those leads hold; their rows are every row of PERSONAL_DATA that is about those leads or
 * holds those values.
 */
export async function findSubject(tx: Tx, tenantId: string, s: Subject): Promise<Found> {
  const { rows: leads } = await sql<{ lead_id: string }>`
    select lead_id from leads where tenant_id = ${tenantId} and documento = ${s.documento ?? ''}
    union select lead_id from lead_telefones where tenant_id = ${tenantId} and numero_e164 = any(${s.telefones}::text[])
    union select lead_id from lead_emails where tenant_id = ${tenantId} and email_normalizado = ${s.email ?? ''}`.execute(
    tx,
  );
  const ids = leads.map((l) => l.lead_id);
  const { rows: vals } = await sql<{ tipo: string; v: string | null }>`
    select 'nome' as tipo, nome as v from leads where lead_id = any(${ids}::uuid[])
    union all select 'nome', contato_nome from leads where lead_id = any(${ids}::uuid[])
    union all select 'documento', documento from leads where lead_id = any(${ids}::uuid[])
    union all select 'externo', lead_id_externo from leads where lead_id = any(${ids}::uuid[])
    union all select 'texto', numero_original from lead_telefones where lead_id = any(${ids}::uuid[])
    union all select 'telefone', numero_e164 from lead_telefones where lead_id = any(${ids}::uuid[])
    union all select 'texto', email_original from lead_emails where lead_id = any(${ids}::uuid[])
    union all select 'email', email_normalizado from lead_emails where lead_id = any(${ids}::uuid[])
    union all select 'linha', (o->>'job_id') || ':' || (o->>'linha')
      from leads, jsonb_array_elements(origem) o where lead_id = any(${ids}::uuid[])`.execute(tx);
  const values = new Set<string>();
  const forms = new Set<string>();
  const rows = new Set<string>();
  const docs = new Set<string>(s.documento ? [s.documento] : []);
  const phones = new Set<string>(s.telefones);
  const emails = new Set<string>(s.email ? [s.email] : []);
  for (const { tipo, v } of vals) {
    if (!v) continue;
    if (tipo === 'linha') rows.add(v);
    else if (tipo === 'documento') docs.add(v);
    else if (tipo === 'telefone') phoneVariants(v).forEach((p) => phones.add(p));
    else if (tipo === 'email') emails.add(v);
    else forms.add(v);
  }
  for (const d of docs) values.add(d).add(formatDocument(d));
  for (const p of phones) {
    values.add(p).add(p.slice(1));
    forms.add(p.slice(3)); // national: DDD + number
  }
  for (const e of emails) values.add(e);
  for (const v of values) forms.add(v);
  for (const f of [...forms]) {
    const json = JSON.stringify(f).slice(1, -1); // as a raw JSON body escapes it (\u00e9, \/)
    if (json !== f) forms.add(json);
  }
  const key = await tenantKey(tx, tenantId);
  const ident = new Map(subjectHashes(key, s).map((h) => [h.hash, h]));
  const add = (tipo: 'documento' | 'telefone' | 'email', v: string) => {
    const hash = hmacOf(key, tipo, v);
    ident.set(hash, { tipo, hash });
  };
  docs.forEach((d) => add('documento', d));
  phones.forEach((p) => add('telefone', p));
  emails.forEach((e) => add('email', e));
  return {
    leads: ids,
    values: [...values],
    // Longest first, so a redaction replaces "+5511987654321" before "11987654321".
    forms: [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length),
    rows: [...rows],
    hashes: [...ident.keys()],
    identities: [...ident.values()],
  };
}

/** The person's rows, table by table (at most `limit` a table; `truncated` names the tables cut). */
export async function collectRows(
  tx: Tx,
  tenantId: string,
  found: Found,
  limit: number,
): Promise<{ tables: Record<string, Record<string, unknown>[]>; truncated: string[] }> {
  const tables: Record<string, Record<string, unknown>[]> = {};
  const truncated: string[] = [];
  for (const [table, t] of Object.entries(PERSONAL_DATA)) {
    const { rows } = await sql<Record<string, unknown>>`
      select * from ${sql.table(table)} where tenant_id = ${tenantId} and ${t.where(found)}
      order by ${sql.ref(t.order)} limit ${limit + 1}`.execute(tx);
    if (rows.length > limit) truncated.push(table);
    tables[table] = rows.slice(0, limit).map(plain);
  }
  return { tables, truncated };
}

/** A row as JSON values (dates as ISO strings, bigints as numbers); the tenant id and HMAC keys left out. */
function plain(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'tenant_id') continue;
    out[k] = v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}
