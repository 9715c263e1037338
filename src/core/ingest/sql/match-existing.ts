import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import type { StagedRow } from '../merge.js';
import { isUuid } from './lock-for-merge.js';

export interface ExistingMatch {
  /** The existing lead each row is, or null. */
  existing: Array<string | null>;
  /** Whether the tenant has any suppression at all (read with the first lookup, after the lock). */
  hasSuppressions: boolean;
}

/**
 * The existing lead each row is, or null: by valid document; else by name key and one of its phones
 * or e-mails (the oldest such lead); else, for a row with only a name, the lead with only that name.
 * Lookups are per-value index probes (lateral … limit 1) on purpose: while a big import grows leads its
 * statistics lag behind, and a join planned on them can degrade to a scan of every lead per chunk.
 */
export async function matchExisting(tx: Tx, tenantId: string, rows: readonly StagedRow[]): Promise<ExistingMatch> {
  const out: Array<string | null> = rows.map(() => null);
  const hasSuppressions = await matchByDocument(tx, tenantId, rows, out);
  const nameOnly = await matchByNameAndContact(tx, tenantId, rows, out);
  if (nameOnly.size) await matchByNameOnly(tx, tenantId, rows, nameOnly, out);
  return { existing: out, hasSuppressions };
}

/**
 * 1. By valid document, in one statement with whether the tenant has suppressions (its first row, with
 * no document). A valid document is digits and capital letters (normalize/document.ts) and a tenant id
 * a uuid: both are then written into the text, so the statement has no parameters and travels with the
 * held begin, tenant scope and lock on PostgreSQL (one round trip for all); anything else is bound.
 */
async function matchByDocument(
  tx: Tx,
  tenantId: string,
  rows: readonly StagedRow[],
  out: Array<string | null>,
): Promise<boolean> {
  const docs = [...new Set(rows.filter((r) => r.documento_valido && r.documento).map((r) => r.documento!))];
  const inline = isUuid(tenantId) && docs.every((d) => DOC.test(d));
  const tenant = inline ? sql.lit(tenantId) : sql`${tenantId}`;
  const suprime = sql`exists (select 1 from supressoes where tenant_id = ${tenant})`;
  if (!docs.length) {
    const { rows: flag } = await sql<{ suprime: boolean }>`select ${suprime} as suprime`.execute(tx);
    return flag[0].suprime;
  }
  const list = inline ? sql.lit(`{${docs.join(',')}}`) : sql`${docs}`;
  const { rows: hits } = await sql<{ doc: string | null; lead_id: string | null; suprime: boolean | null }>`
      select null::text as doc, null::uuid as lead_id, ${suprime} as suprime
      union all
      select d.doc, x.lead_id, null from unnest(${list}::text[]) as d(doc)
      cross join lateral (
        select l.lead_id from leads l
        where l.tenant_id = ${tenant} and l.documento_valido and l.documento = d.doc limit 1
      ) x`.execute(tx);
  const byDoc = new Map<string, string>();
  let hasSuppressions = false;
  for (const h of hits) {
    if (h.doc === null) hasSuppressions = h.suprime === true;
    else byDoc.set(h.doc, h.lead_id!);
  }
  if (byDoc.size)
    rows.forEach((r, i) => {
      if (r.documento_valido && r.documento) out[i] = byDoc.get(r.documento) ?? null;
    });
  return hasSuppressions;
}
const DOC = /^[0-9A-Z]+$/;

/**
 * 2. Without a valid document: same name key and one of its phones or e-mails; the oldest lead wins.
 * Returns the name keys of the rows with neither (for step 3).
 */
async function matchByNameAndContact(
  tx: Tx,
  tenantId: string,
  rows: readonly StagedRow[],
  out: Array<string | null>,
): Promise<Set<string>> {
  const idx: number[] = [];
  const kinds: string[] = [];
  const values: string[] = [];
  const names: string[] = [];
  const nameOnly = new Set<string>();
  rows.forEach((r, i) => {
    if (r.documento_valido) return;
    let keys = 0;
    for (const p of r.telefones)
      if (p.numero_e164) (idx.push(i), kinds.push('p'), values.push(p.numero_e164), names.push(r.nome_chave), keys++);
    for (const e of r.emails)
      if (e.email_normalizado)
        (idx.push(i), kinds.push('e'), values.push(e.email_normalizado), names.push(r.nome_chave), keys++);
    if (!keys) nameOnly.add(r.nome_chave);
  });
  if (!idx.length) return nameOnly;
  const { rows: hits } = await sql<{ i: number; lead_id: string }>`
      select distinct on (c.i) c.i, x.lead_id
      from unnest(${idx}::int[], ${kinds}::text[], ${values}::text[], ${names}::text[]) as c(i, k, v, nk)
      cross join lateral (
        select l.lead_id, l.created_at from lead_telefones lt join leads l on l.lead_id = lt.lead_id
        where c.k = 'p' and lt.tenant_id = ${tenantId} and lt.numero_e164 = c.v and l.nome_chave = c.nk
        union all
        select l.lead_id, l.created_at from lead_emails le join leads l on l.lead_id = le.lead_id
        where c.k = 'e' and le.tenant_id = ${tenantId} and le.email_normalizado = c.v and l.nome_chave = c.nk
      ) x
      order by c.i, x.created_at, x.lead_id`.execute(tx);
  for (const h of hits) out[Number(h.i)] = h.lead_id;
  return nameOnly;
}

/** 3. A row with only a name is the existing lead that also has only that name (no document, no contact). */
async function matchByNameOnly(
  tx: Tx,
  tenantId: string,
  rows: readonly StagedRow[],
  nameOnly: Set<string>,
  out: Array<string | null>,
): Promise<void> {
  const { rows: hits } = await sql<{ nk: string; lead_id: string }>`
      select n.nk, x.lead_id from unnest(${[...nameOnly]}::text[]) as n(nk)
      cross join lateral (
        select l.lead_id from leads l
        where l.tenant_id = ${tenantId} and l.nome_chave = n.nk and not l.documento_valido
          and not exists (select 1 from lead_telefones lt where lt.lead_id = l.lead_id and lt.numero_e164 is not null)
          and not exists (select 1 from lead_emails le where le.lead_id = l.lead_id and le.email_normalizado is not null)
        order by l.created_at, l.lead_id limit 1
      ) x`.execute(tx);
  if (!hits.length) return;
  const byName = new Map(hits.map((h) => [h.nk, h.lead_id]));
  rows.forEach((r, i) => {
    if (!r.documento_valido && !out[i] && nameOnly.has(r.nome_chave) && isNameOnly(r))
      out[i] = byName.get(r.nome_chave) ?? null;
  });
}

const isNameOnly = (r: StagedRow) =>
  !r.telefones.some((p) => p.numero_e164) && !r.emails.some((e) => e.email_normalizado);
