import { uuidv7 } from '../ids.js';
import type { StagedRow } from './merge.js';
import type { LeadEmail, LeadPhone } from './normalize-row.js';
import type { CopyValue } from './ports.js';
import type { LegalBasis } from '../model/index.js';

/**
 * What a chunk's rows become before they are written: new leads built in memory (COPY rows for leads,
 * lead_telefones, lead_emails) and the additions to existing leads. Pure: merge.ts writes them.
 */

export interface Contacts {
  lead_id: string;
  /** COPY rows (PHONE_COLUMNS / EMAIL_COLUMNS), keyed by coalesce(e164, original) / coalesce(normalised, original): first seen wins. */
  phones: Map<string, CopyValue[]>;
  emails: Map<string, CopyValue[]>;
  /** Debts of the rows (DEBT_COLUMNS as records), keyed by contrato|vencimento|valor: the same debt twice is one. */
  dividas: Map<string, Record<string, CopyValue>>;
}

/** An existing lead that rows of this chunk were merged into. */
export interface Touched extends Contacts {
  contato_nome: string | null;
  lead_id_externo: string | null;
  /** The sheet's UF (the latest row that gives one). */
  uf: string | null;
  origem: object[];
  extras: Record<string, string>;
}

export interface NewLead extends Touched {
  nome: string;
  nome_chave: string;
  documento: string | null;
  documento_tipo: string | null;
  documento_valido: boolean;
  timezone: string;
  suppressed: boolean;
  base_legal: LegalBasis;
}

/** Where a row came from, as stored in its lead's origem. */
export interface RowOrigin {
  arquivo: string;
  jobId: string;
  /** ISO, to the second. */
  importadoEm: string;
  /** The import's LGPD art. 7 basis; null: not given (credit protection for a row with a debt, else legitimate interest). */
  baseLegal?: LegalBasis | null;
}

/** The legal basis of a row when the import named none: art. 7 X for a debt, IX otherwise (README, Compliance). */
export const defaultLegalBasis = (hasDebt: boolean): LegalBasis =>
  hasDebt ? 'protecao_credito' : 'legitimo_interesse';

/**
 * Each row to its lead: the existing lead of its group (groupLead) or a new lead per group (the group's
 * first row gives the name; the first valid document wins). Rows arrive in file order.
 */
export function assignRows(
  rows: readonly StagedRow[],
  groupLead: ReadonlyMap<number, string>,
  tenantId: string,
  src: RowOrigin,
): { newLeads: Map<number, NewLead>; touched: Map<string, Touched> } {
  const newLeads = new Map<number, NewLead>();
  const touched = new Map<string, Touched>();
  const from = rows[0].seq;
  for (const r of rows) {
    const origem = {
      arquivo: src.arquivo,
      aba: r.aba ?? null,
      linha: r.linha,
      job_id: src.jobId,
      importado_em: src.importadoEm,
      base_legal: src.baseLegal ?? defaultLegalBasis(!!r.divida),
    };
    const leadId = groupLead.get(r.grupo);
    let lead: Touched | undefined;
    if (leadId) {
      lead = touched.get(leadId);
      if (!lead) touched.set(leadId, (lead = touchedLead(leadId)));
    } else {
      const existing = newLeads.get(r.grupo);
      if (existing) takeDocument((lead = existing), r);
      else newLeads.set(r.grupo, (lead = newLead(r)));
    }
    lead.contato_nome ??= r.contato_nome;
    lead.lead_id_externo ??= r.lead_id_externo;
    if (r.uf) lead.uf = r.uf;
    lead.origem.push(origem);
    addContacts(lead, tenantId, r, from);
    addDebt(lead, r, src.jobId);
  }
  for (const l of newLeads.values()) l.base_legal = src.baseLegal ?? defaultLegalBasis(l.dividas.size > 0);
  return { newLeads, touched };
}

const touchedLead = (leadId: string): Touched => ({
  lead_id: leadId,
  contato_nome: null,
  lead_id_externo: null,
  uf: null,
  origem: [],
  extras: {},
  phones: new Map(),
  emails: new Map(),
  dividas: new Map(),
});

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
    uf: r.uf,
    lead_id_externo: r.lead_id_externo,
    origem: [],
    extras: {},
    phones: new Map(),
    emails: new Map(),
    dividas: new Map(),
    suppressed: false,
    base_legal: 'legitimo_interesse',
  };
}

function takeDocument(lead: NewLead, r: StagedRow): void {
  if (r.documento_valido && !lead.documento_valido) {
    lead.documento = r.documento;
    lead.documento_tipo = r.documento_tipo;
    lead.documento_valido = true;
  }
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

/** A row's debt, once per lead (same contrato, vencimento and valor: the same debt). */
function addDebt(to: Touched, r: StagedRow, jobId: string): void {
  const d = r.divida;
  if (!d) return;
  const key = `${d.contrato ?? ''}|${d.vencimento ?? ''}|${d.valor_centavos ?? ''}`;
  if (to.dividas.has(key)) return;
  to.dividas.set(key, { lead_id: to.lead_id, ...d, job_id: jobId, linha: r.linha });
}

export const LEAD_COLUMNS = [
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
  'uf',
  'origem',
  'lead_id_externo',
  'dados_extras',
  'base_legal',
] as const;
// Ids are made here, time-ordered (see uuidv7): a chunk's rows land together in every index keyed by them.
export const PHONE_COLUMNS = [
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
export const EMAIL_COLUMNS = [
  'email_id',
  'tenant_id',
  'lead_id',
  'email_original',
  'email_normalizado',
  'valido_para_disparo',
  'motivo_invalido',
  'posicao',
] as const;
export const EVENT_COLUMNS = [
  'tenant_id',
  'lead_id',
  'tipo',
  'status_de',
  'status_para',
  'motivo',
  'ator',
  'dados',
] as const;

/** A new lead as its COPY row (LEAD_COLUMNS): born opted out when suppressed. */
export const leadRow = (tenantId: string, l: NewLead): CopyValue[] => [
  l.lead_id,
  tenantId,
  l.nome,
  l.nome_chave,
  l.contato_nome,
  l.documento,
  l.documento_tipo,
  l.documento_valido,
  l.suppressed ? 'opt_out' : 'novo',
  l.timezone,
  l.uf,
  l.origem,
  l.lead_id_externo,
  l.extras,
  l.base_legal,
];

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
export const PHONE_E164 = PHONE_COLUMNS.indexOf('numero_e164');
export const EMAIL_NORMALIZADO = EMAIL_COLUMNS.indexOf('email_normalizado');

/** A COPY row as an object keyed by column (for jsonb_to_recordset). */
export const asRecord = (columns: readonly string[], row: CopyValue[]) =>
  Object.fromEntries(columns.map((c, i) => [c, row[i]]));
