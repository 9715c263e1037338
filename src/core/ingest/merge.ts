import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { uuidv7 } from '../ids.js';
import type { LeadEmail, LeadPhone, NormalizedRow } from './normalize-row.js';

/** A normalised row with its place in the job and its chunk-local group (see groupRows). */
export interface StagedRow extends NormalizedRow {
  seq: number;
  /** The chunk-local group of rows that are one lead: the smallest seq in the group. */
  grupo: number;
}

export type CopyValue = string | number | boolean | null | object;
/** Port: COPY rows (values in column order) into a table, inside the current transaction. */
export type CopyIn = (
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly CopyValue[]>,
) => Promise<void>;

/** Port: a tenant transaction (see db/tenant.ts withTenant) that can also COPY (db/copy-tx.ts). */
export interface TenantCopyTx {
  run<T>(tenantId: string, fn: (tx: Tx, copy: CopyIn) => Promise<T>): Promise<T>;
}

export interface MergeCounts {
  rows: number;
  created: number;
  /** Existing leads (from earlier chunks or imports) that rows were merged into. */
  updated: number;
  /** Rows that did not create a lead: merged into an existing lead or into another row's lead. */
  duplicates: number;
}

export interface MergeSource {
  jobId: string;
  tenantId: string;
  arquivo: string;
  actor: string;
}

const SUPPRESSED_MOTIVO = 'documento, telefone ou e-mail na lista de supressão (opt-out anterior)';

/**
 * Merges one chunk of rows (grouped in memory by groupRows: same document; same name + shared phone or
 * e-mail) into leads, lead_telefones and lead_emails (and lead_eventos for a lead born opted out), in the
 * caller's tenant transaction.
 * Against existing leads:
 *  1. a row with a valid document is the existing lead with that document;
 *  2. a row without one is the existing lead with the same name key that has one of its phones or
 *     e-mails (the oldest such lead);
 *  3. a row with only a name is the existing lead with that name and nothing else to tell them apart;
 *  4. companies that only share a phone (different names) stay different leads;
 *  and a group follows its first row that matched an existing lead.
 * Every other group is a new lead built here (first-seen values, every row in origem, phones and
 * e-mails without duplicates) and written with COPY; existing leads get their new rows in origem,
 * empty fields filled, new phones/e-mails added, and their status is never touched (an opted-out lead
 * stays opted out). A new lead whose document, phone or e-mail is on the suppression list is born
 * opted out. A tenant-wide transaction lock serialises concurrent merges so two overlapping imports
 * cannot both create the same lead; chunks are small, so imports interleave.
 */
export async function mergeChunk(
  tx: Tx,
  copy: CopyIn,
  src: MergeSource,
  rows: readonly StagedRow[],
): Promise<MergeCounts> {
  const { tenantId } = src;
  if (!rows.length) return { rows: 0, created: 0, updated: 0, duplicates: 0 };
  // One round trip: the lock, the import time and whether the tenant has suppressions at all. The lookups
  // below run after the lock, in statements of their own, so they see every merge committed before it.
  const head = await sql<{ agora: string; suprime: boolean }>`
    select pg_advisory_xact_lock(hashtext('agente.ingest'), hashtext(${tenantId}))::text as lock,
           to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as agora,
           exists (select 1 from supressoes where tenant_id = ${tenantId}) as suprime`.execute(tx);
  const { agora, suprime } = head.rows[0];

  const existing = await matchExisting(tx, tenantId, rows);
  // A group with a row that is an existing lead is that lead (its first such row decides).
  const groupLead = new Map<number, string>();
  rows.forEach((r, i) => {
    const hit = existing[i];
    if (hit && !groupLead.has(r.grupo)) groupLead.set(r.grupo, hit);
  });

  const newLeads = new Map<number, NewLead>();
  const touched = new Map<string, Touched>();
  const from = rows[0].seq;
  for (const r of rows) {
    const origem = { arquivo: src.arquivo, aba: r.aba ?? null, linha: r.linha, job_id: src.jobId, importado_em: agora };
    const leadId = groupLead.get(r.grupo);
    if (leadId) {
      let t = touched.get(leadId);
      if (!t)
        touched.set(
          leadId,
          (t = {
            lead_id: leadId,
            contato_nome: null,
            lead_id_externo: null,
            origem: [],
            extras: {},
            phones: new Map(),
            emails: new Map(),
          }),
        );
      t.contato_nome ??= r.contato_nome;
      t.lead_id_externo ??= r.lead_id_externo;
      t.origem.push(origem);
      addContacts(t, tenantId, r, from);
      continue;
    }
    let lead = newLeads.get(r.grupo);
    if (!lead) {
      newLeads.set(r.grupo, (lead = newLead(r)));
    } else {
      lead.contato_nome ??= r.contato_nome;
      lead.lead_id_externo ??= r.lead_id_externo;
      if (r.documento_valido && !lead.documento_valido) {
        lead.documento = r.documento;
        lead.documento_tipo = r.documento_tipo;
        lead.documento_valido = true;
      }
    }
    lead.origem.push(origem);
    addContacts(lead, tenantId, r, from);
  }

  if (newLeads.size && suprime) await markSuppressed(tx, tenantId, newLeads);
  const leadValues: CopyValue[][] = [];
  const phoneValues: CopyValue[][] = [];
  const emailValues: CopyValue[][] = [];
  const optOuts: CopyValue[][] = [];
  for (const l of newLeads.values()) {
    const status = l.suppressed ? 'opt_out' : 'novo';
    leadValues.push([
      l.lead_id,
      tenantId,
      l.nome,
      l.nome_chave,
      l.contato_nome,
      l.documento,
      l.documento_tipo,
      l.documento_valido,
      status,
      l.timezone,
      l.origem,
      l.lead_id_externo,
      l.extras,
    ]);
    for (const p of l.phones.values()) phoneValues.push(p);
    for (const e of l.emails.values()) emailValues.push(e);
    if (l.suppressed)
      optOuts.push([tenantId, l.lead_id, 'transicao', 'novo', 'opt_out', SUPPRESSED_MOTIVO, src.actor, {}]);
  }
  await copy('leads', LEAD_COLUMNS, leadValues);
  await copy('lead_telefones', PHONE_COLUMNS, phoneValues);
  await copy('lead_emails', EMAIL_COLUMNS, emailValues);
  // The import itself is recorded once, in origem (file, sheet, row, job, time), which the lead's history
  // reads as its first entry (leads/query.ts): no event row per imported lead. Opt-outs at birth are events.
  await copy('lead_eventos', EVENT_COLUMNS, optOuts);

  const updated = touched.size ? await updateExisting(tx, tenantId, touched) : 0;
  return { rows: rows.length, created: newLeads.size, updated, duplicates: rows.length - newLeads.size };
}

interface Contacts {
  lead_id: string;
  /** COPY rows (PHONE_COLUMNS / EMAIL_COLUMNS), keyed by coalesce(e164, original) / coalesce(normalised, original): first seen wins. */
  phones: Map<string, CopyValue[]>;
  emails: Map<string, CopyValue[]>;
}

interface Touched extends Contacts {
  contato_nome: string | null;
  lead_id_externo: string | null;
  origem: object[];
  extras: Record<string, string>;
}

interface NewLead extends Touched {
  nome: string;
  nome_chave: string;
  documento: string | null;
  documento_tipo: string | null;
  documento_valido: boolean;
  timezone: string;
  suppressed: boolean;
}

/** A new lead from its group's first row; the document is the first valid one, else the first row's. */
function newLead(r: StagedRow): NewLead {
  return {
    lead_id: uuidv7(),
    nome: r.nome,
    nome_chave: r.nome_chave,
    contato_nome: r.contato_nome,
    documento: r.documento,
    documento_tipo: r.documento_tipo,
    documento_valido: r.documento_valido,
    timezone: r.timezone,
    lead_id_externo: r.lead_id_externo,
    origem: [],
    extras: {},
    phones: new Map(),
    emails: new Map(),
    suppressed: false,
  };
}

/** Phones, e-mails and extra columns of one more row of a lead (rows arrive in file order). */
function addContacts(to: Touched, tenantId: string, r: StagedRow, from: number): void {
  const base = (r.seq - from) * 64;
  r.telefones.forEach((p, n) => {
    const key = p.numero_e164 ?? p.numero_original;
    if (!to.phones.has(key)) to.phones.set(key, phoneRow(tenantId, to.lead_id, p, base + n + 1));
  });
  r.emails.forEach((e, n) => {
    const key = e.email_normalizado ?? e.email_original;
    if (!to.emails.has(key)) to.emails.set(key, emailRow(tenantId, to.lead_id, e, base + n + 1));
  });
  // For a key present in several rows the first row's value wins.
  for (const k in r.dados_extras) if (!(k in to.extras)) to.extras[k] = r.dados_extras[k];
}

const LEAD_COLUMNS = [
  'lead_id',
  'tenant_id',
  'nome',
  'nome_chave',
  'contato_nome',
  'documento',
  'documento_tipo',
  'documento_valido',
  'status',
  'timezone',
  'origem',
  'lead_id_externo',
  'dados_extras',
] as const;
// Ids are made here, time-ordered (see uuidv7): a chunk's rows land together in every index keyed by them.
const PHONE_COLUMNS = [
  'telefone_id',
  'tenant_id',
  'lead_id',
  'numero_original',
  'numero_e164',
  'tipo',
  'valido_para_disparo',
  'motivo_invalido',
  'reparado',
  'posicao',
] as const;
const EMAIL_COLUMNS = [
  'email_id',
  'tenant_id',
  'lead_id',
  'email_original',
  'email_normalizado',
  'valido_para_disparo',
  'motivo_invalido',
  'posicao',
] as const;
const EVENT_COLUMNS = ['tenant_id', 'lead_id', 'tipo', 'status_de', 'status_para', 'motivo', 'ator', 'dados'] as const;

const phoneRow = (tenantId: string, leadId: string, p: LeadPhone, posicao: number): CopyValue[] => [
  uuidv7(),
  tenantId,
  leadId,
  p.numero_original,
  p.numero_e164,
  p.tipo,
  p.valido_para_disparo,
  p.motivo_invalido,
  p.reparado ?? false,
  posicao,
];
const emailRow = (tenantId: string, leadId: string, e: LeadEmail, posicao: number): CopyValue[] => [
  uuidv7(),
  tenantId,
  leadId,
  e.email_original,
  e.email_normalizado,
  e.valido_para_disparo,
  e.motivo_invalido,
  posicao,
];
/** Positions in PHONE_COLUMNS / EMAIL_COLUMNS of the values the suppression check reads. */
const PHONE_E164 = PHONE_COLUMNS.indexOf('numero_e164');
const EMAIL_NORMALIZADO = EMAIL_COLUMNS.indexOf('email_normalizado');
/** A COPY row as an object keyed by column (for jsonb_to_recordset). */
const asRecord = (columns: readonly string[], row: CopyValue[]) =>
  Object.fromEntries(columns.map((c, i) => [c, row[i]]));

/**
 * The existing lead each row is, or null. Lookups are per-value index probes (lateral … limit 1) on
 * purpose: while a big import grows leads its statistics lag behind, and a join planned on them can
 * degrade to a scan of every lead per chunk.
 */
async function matchExisting(tx: Tx, tenantId: string, rows: readonly StagedRow[]): Promise<Array<string | null>> {
  const out: Array<string | null> = rows.map(() => null);

  // 1. By valid document.
  const docs = [...new Set(rows.filter((r) => r.documento_valido && r.documento).map((r) => r.documento!))];
  if (docs.length) {
    const { rows: hits } = await sql<{ doc: string; lead_id: string }>`
      select d.doc, x.lead_id from unnest(${docs}::text[]) as d(doc)
      cross join lateral (
        select l.lead_id from leads l
        where l.tenant_id = ${tenantId} and l.documento_valido and l.documento = d.doc limit 1
      ) x`.execute(tx);
    if (hits.length) {
      const byDoc = new Map(hits.map((h) => [h.doc, h.lead_id]));
      rows.forEach((r, i) => {
        if (r.documento_valido && r.documento) out[i] = byDoc.get(r.documento) ?? null;
      });
    }
  }

  // 2. Without a valid document: same name key and one of its phones or e-mails; the oldest lead wins.
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
  if (idx.length) {
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
  }

  // 3. A row with only a name is the existing lead that also has only that name (no document, no contact).
  if (nameOnly.size) {
    const { rows: hits } = await sql<{ nk: string; lead_id: string }>`
      select n.nk, x.lead_id from unnest(${[...nameOnly]}::text[]) as n(nk)
      cross join lateral (
        select l.lead_id from leads l
        where l.tenant_id = ${tenantId} and l.nome_chave = n.nk and not l.documento_valido
          and not exists (select 1 from lead_telefones lt where lt.lead_id = l.lead_id and lt.numero_e164 is not null)
          and not exists (select 1 from lead_emails le where le.lead_id = l.lead_id and le.email_normalizado is not null)
        order by l.created_at, l.lead_id limit 1
      ) x`.execute(tx);
    if (hits.length) {
      const byName = new Map(hits.map((h) => [h.nk, h.lead_id]));
      rows.forEach((r, i) => {
        if (!r.documento_valido && !out[i] && nameOnly.has(r.nome_chave) && isNameOnly(r))
          out[i] = byName.get(r.nome_chave) ?? null;
      });
    }
  }
  return out;
}

const isNameOnly = (r: StagedRow) =>
  !r.telefones.some((p) => p.numero_e164) && !r.emails.some((e) => e.email_normalizado);

/** Existing leads: append the rows to origem, fill what was empty, add new phones and e-mails. */
async function updateExisting(tx: Tx, tenantId: string, touched: Map<string, Touched>): Promise<number> {
  const leads = [...touched].map(([lead_id, t]) => ({
    lead_id,
    contato_nome: t.contato_nome,
    lead_id_externo: t.lead_id_externo,
    origem: t.origem,
    dados_extras: t.extras,
  }));
  const res = await sql`
    update leads l set
      origem = l.origem || g.origem,
      contato_nome = coalesce(l.contato_nome, g.contato_nome),
      lead_id_externo = coalesce(l.lead_id_externo, g.lead_id_externo),
      dados_extras = g.dados_extras || l.dados_extras,
      updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(leads)}::jsonb)
      as g(lead_id uuid, contato_nome text, lead_id_externo text, origem jsonb, dados_extras jsonb)
    where l.lead_id = g.lead_id and l.tenant_id = ${tenantId}`.execute(tx);

  const phones = [...touched.values()].flatMap((t) => [...t.phones.values()].map((p) => asRecord(PHONE_COLUMNS, p)));
  if (phones.length) {
    await sql`
      insert into lead_telefones (tenant_id, lead_id, numero_original, numero_e164, tipo, valido_para_disparo,
                                  motivo_invalido, reparado, posicao)
      select ${tenantId}, p.lead_id, p.numero_original, p.numero_e164, p.tipo, p.valido_para_disparo, p.motivo_invalido,
             p.reparado, p.posicao
      from jsonb_to_recordset(${JSON.stringify(phones)}::jsonb) as p(lead_id uuid, numero_original text, numero_e164 text,
             tipo text, valido_para_disparo boolean, motivo_invalido text, reparado boolean, posicao int)
      on conflict (lead_id, (coalesce(numero_e164, numero_original))) do nothing`.execute(tx);
  }
  const emails = [...touched.values()].flatMap((t) => [...t.emails.values()].map((e) => asRecord(EMAIL_COLUMNS, e)));
  if (emails.length) {
    await sql`
      insert into lead_emails (tenant_id, lead_id, email_original, email_normalizado, valido_para_disparo, motivo_invalido, posicao)
      select ${tenantId}, e.lead_id, e.email_original, e.email_normalizado, e.valido_para_disparo, e.motivo_invalido, e.posicao
      from jsonb_to_recordset(${JSON.stringify(emails)}::jsonb) as e(lead_id uuid, email_original text, email_normalizado text,
             valido_para_disparo boolean, motivo_invalido text, posicao int)
      on conflict (lead_id, (coalesce(email_normalizado, email_original))) do nothing`.execute(tx);
  }
  return Number(res.numAffectedRows ?? 0);
}

/**
 * Marks the new leads whose document (when valid), a phone (both WhatsApp forms) or an e-mail is on the
 * tenant's suppression list: they are born opted out, so an opt-out survives a re-import of the same
 * person under another name or file.
 */
async function markSuppressed(tx: Tx, tenantId: string, leads: Map<number, NewLead>): Promise<void> {
  const docs = new Set<string>();
  const phones = new Set<string>();
  const emails = new Set<string>();
  for (const l of leads.values()) {
    if (l.documento_valido && l.documento) docs.add(l.documento);
    for (const p of l.phones.values())
      if (p[PHONE_E164]) phones.add(p[PHONE_E164] as string).add(ninthDigitForm(p[PHONE_E164] as string));
    for (const e of l.emails.values()) if (e[EMAIL_NORMALIZADO]) emails.add(e[EMAIL_NORMALIZADO] as string);
  }
  const { rows } = await sql<{ tipo: string; valor: string }>`
    select tipo, valor from supressoes
    where tenant_id = ${tenantId} and (
      (tipo = 'documento' and valor = any(${[...docs]}::text[]))
      or (tipo = 'telefone' and valor = any(${[...phones]}::text[]))
      or (tipo = 'email' and valor = any(${[...emails]}::text[])))`.execute(tx);
  if (!rows.length) return;
  const hit = new Set(rows.map((r) => `${r.tipo}:${r.valor}`));
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
