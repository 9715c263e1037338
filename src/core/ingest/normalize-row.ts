import type { RowProblem } from '../jobs/job-schema.js';
import {
  cleanText,
  dddOf,
  DEFAULT_TIMEZONE,
  formatDocument,
  isPlaceholder,
  nameKey,
  normalizeDocument,
  normalizeEmail,
  normalizePhone,
  splitEmails,
  splitPhones,
  timezoneForDdd,
  type NormalizedEmail,
  type NormalizedPhone,
} from '../normalize/index.js';
import { ufOfDdd } from '../normalize/ddd-uf.js';
import { parseUf, UF_TIMEZONE } from '../normalize/uf.js';
import type { RawLead } from './columns.js';
import { rowDebt, type RowDebt } from './row-debt.js';

export type LeadPhone = Omit<NormalizedPhone, 'ddd'>;
export type LeadEmail = NormalizedEmail;

/** A spreadsheet row turned into what the database stores for one lead. */
export interface NormalizedRow {
  linha: number;
  aba: string;
  nome: string;
  nome_chave: string;
  contato_nome: string | null;
  documento: string | null;
  documento_tipo: 'cpf' | 'cnpj' | null;
  documento_valido: boolean;
  timezone: string;
  /** The UF the sheet gives (a city/UF column), null without one: the DDD then says. */
  uf: string | null;
  lead_id_externo: string | null;
  dados_extras: Record<string, string>;
  telefones: LeadPhone[];
  emails: LeadEmail[];
  /** The row's debt (valor, vencimento, contrato, descrição), if it has one. */
  divida: RowDebt | null;
}

export interface RowOutcome {
  /** null when the row holds nothing a lead can be made of (reported in problems). */
  row: NormalizedRow | null;
  problems: RowProblem[];
}

// Column sizes in the database; longer values are cut and reported, never rejected by the INSERT.
const MAX = { nome: 500, contato: 500, externo: 200, phone: 100, email: 500, emailNormalizado: 320, extra: 1000 };

type Report = (column: string, value: string, reason: string) => void;

/**
 * Normalises one mapped row: name, document (CPF/CNPJ check digits), every phone and e-mail in every
 * phone/e-mail cell, the time zone from the first Brazilian phone's DDD. Every value that cannot be
 * used is reported with the row number, column and reason; the rest of the row is kept.
 */
export function normalizeRow(raw: RawLead): RowOutcome {
  const problems: RowProblem[] = [];
  const at: Report = (column, value, reason) =>
    problems.push({ row: raw.rowNumber, sheet: raw.sheet, column, value: value.slice(0, 200), reason });

  const cut = (column: string, v: string, max: number) => {
    if (v.length <= max) return v;
    at(column, v, `valor com ${v.length} caracteres cortado para ${max}`);
    return v.slice(0, max);
  };

  let nome = cut('nome', cleanText(raw.nome), MAX.nome);
  const contato = cut('contato', cleanText(raw.contato_nome), MAX.contato) || null;

  const doc = raw.documento && !isPlaceholder(cleanText(raw.documento)) ? normalizeDocument(raw.documento) : null;
  if (doc && !doc.documento_valido) at('documento', raw.documento, doc.motivo_invalido ?? 'documento inválido');

  const { telefones, firstDdd } = rowPhones(raw.telefones, at);
  const emails = rowEmails(raw.emails, at);
  const divida = raw.divida ? rowDebt(raw.divida, at) : null;
  const { uf, timezone } = rowUf(raw.uf, firstDdd, at);

  const usable =
    !!nome ||
    !!contato ||
    !!doc?.documento_valido ||
    telefones.some((t) => t.numero_e164) ||
    emails.some((e) => e.valido_para_disparo);
  if (!usable) {
    at('linha', '', 'linha sem nome, documento, telefone ou e-mail utilizável: não virou lead');
    return { row: null, problems };
  }
  if (!nome) {
    nome =
      contato ??
      (doc?.documento_valido ? formatDocument(doc.documento, doc.documento_tipo) : null) ??
      emails.find((e) => e.email_normalizado)?.email_normalizado ??
      telefones.find((t) => t.numero_e164)?.numero_e164 ??
      '';
    at('nome', '', 'linha sem nome de empresa: usado o contato, documento ou e-mail como nome');
  }

  return {
    row: {
      linha: raw.rowNumber,
      aba: raw.sheet,
      nome,
      nome_chave: nameKey(nome).slice(0, MAX.nome),
      contato_nome: contato,
      documento: doc?.documento ?? null,
      documento_tipo: doc?.documento_tipo ?? null,
      documento_valido: doc?.documento_valido ?? false,
      timezone,
      uf,
      lead_id_externo: cleanText(raw.lead_id_externo).slice(0, MAX.externo) || null,
      dados_extras: rowExtras(raw.extras),
      telefones,
      emails,
      divida,
    },
    problems,
  };
}

/**
 * The row's UF from its city/UF cell, and its time zone. A cell that names no state is a problem (the DDD
 * then says). A UF that differs from the first phone's DDD's is a problem too, and the sheet's UF wins: a
 * person keeps a mobile number when moving, while the address on file is where they are (and which
 * state's law and holidays apply); the time zone then is the UF's (its capital's) unless the DDD is in it.
 */
function rowUf(cell: string | undefined, firstDdd: string | null, at: Report): { uf: string | null; timezone: string } {
  const byDdd = firstDdd ? timezoneForDdd(firstDdd) : DEFAULT_TIMEZONE;
  if (!cell) return { uf: null, timezone: byDdd };
  const uf = parseUf(cell);
  if (!uf) {
    at('uf', cell, 'UF não reconhecida na coluna cidade/UF: usado o DDD do telefone');
    return { uf: null, timezone: byDdd };
  }
  const dddUf = ufOfDdd(firstDdd);
  if (!dddUf) return { uf, timezone: UF_TIMEZONE[uf] ?? DEFAULT_TIMEZONE };
  if (dddUf === uf) return { uf, timezone: byDdd };
  at('uf', cell, `UF da planilha (${uf}) difere da UF do DDD ${firstDdd} (${dddUf}): vale a da planilha`);
  return { uf, timezone: UF_TIMEZONE[uf] ?? DEFAULT_TIMEZONE };
}

/** Every phone of every phone cell, once each (by E.164, else as typed), and the first one's DDD. */
function rowPhones(cells: string[], at: Report): { telefones: LeadPhone[]; firstDdd: string | null } {
  const telefones: LeadPhone[] = [];
  // A row has a handful of phones and e-mails: arrays, not a Set per row.
  const seenPhones: string[] = [];
  let firstDdd: string | null = null;
  for (const cell of cells) {
    for (const piece of splitPhones(cell)) {
      const p = normalizePhone(piece);
      const key = p.numero_e164 ?? p.numero_original;
      if (seenPhones.includes(key)) continue;
      seenPhones.push(key);
      if (p.tipo === 'invalido' || p.tipo === 'desconhecido')
        at('telefone', piece, p.motivo_invalido ?? 'telefone inválido');
      if (!firstDdd && p.numero_e164) firstDdd = p.ddd ?? dddOf(p.numero_e164);
      telefones.push({
        numero_original: p.numero_original.slice(0, MAX.phone),
        numero_e164: p.numero_e164,
        tipo: p.tipo,
        valido_para_disparo: p.valido_para_disparo,
        motivo_invalido: p.motivo_invalido,
        reparado: p.reparado,
      });
    }
  }
  return { telefones, firstDdd };
}

/** Every e-mail of every e-mail cell, once each; empty cells and placeholders are no e-mail. */
function rowEmails(cells: string[], at: Report): LeadEmail[] {
  const emails: LeadEmail[] = [];
  const seenEmails: string[] = [];
  for (const cell of cells) {
    for (const piece of splitEmails(cell)) {
      const e = normalizeEmail(piece);
      if (!e.email_normalizado && (e.motivo_invalido === 'vazio' || e.motivo_invalido === 'placeholder')) continue;
      const key = e.email_normalizado ?? e.email_original;
      if (seenEmails.includes(key)) continue;
      seenEmails.push(key);
      if (!e.valido_para_disparo) at('email', piece, e.motivo_invalido ?? 'e-mail inválido');
      // An invalid address keeps its cleaned form for display; one too long for the column is dropped
      // (a valid address is at most 254 characters).
      const normalizado =
        e.email_normalizado && e.email_normalizado.length <= MAX.emailNormalizado ? e.email_normalizado : null;
      emails.push({
        email_original: e.email_original.slice(0, MAX.email),
        email_normalizado: normalizado,
        valido_para_disparo: e.valido_para_disparo,
        motivo_invalido: e.motivo_invalido,
      });
    }
  }
  return emails;
}

/** The other columns, cleaned; empty ones dropped, keys and values cut to their size. */
function rowExtras(raw: Record<string, string>): Record<string, string> {
  const extras: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const value = cleanText(v);
    if (value) extras[k.slice(0, 200)] = value.slice(0, MAX.extra);
  }
  return extras;
}
