import { headerMatch, normalizeHeader, type HeaderMatch } from './header-synonyms.js';

export { normalizeHeader } from './header-synonyms.js';

/** One row of a sheet as text. rowNumber is 1-based, as Excel/LibreOffice show it; cells[0] is column A. */
export interface SheetRow {
  sheet: string;
  rowNumber: number;
  cells: string[];
  /** Cells that hold a spreadsheet error (their text is ''): column index → '#N/A', '#REF!', ... */
  errors?: Record<number, string>;
}

export type LeadField = 'nome' | 'contato_nome' | 'documento' | 'telefone' | 'email' | 'lead_id_externo';

/** Which column feeds which lead field; field null → kept in dados_extras under its header. */
export interface ColumnMapping {
  headerRowNumber: number;
  sheet: string;
  columns: Array<{ index: number; header: string; field: LeadField | null }>;
}

/** A data row read through a mapping: text as found (trimmed), not yet normalised or validated. */
export interface RawLead {
  rowNumber: number;
  sheet: string;
  nome: string;
  contato_nome: string;
  documento: string;
  /** Raw text of every phone column, in column order; a cell may hold several numbers. */
  telefones: string[];
  /** Raw text of every e-mail column, in column order; a cell may hold several addresses. */
  emails: string[];
  lead_id_externo: string;
  extras: Record<string, string>;
}

/** header text → field (null: keep the column in extras). Compared like headers: accents/case/punctuation ignored. */
export type ColumnMap = Record<string, LeadField | null>;

/** How many rows from the top of a sheet may hold the header. */
export const HEADER_SCAN_ROWS = 30;

const SINGLE: LeadField[] = ['nome', 'contato_nome', 'lead_id_externo'];
const IDENTIFYING: LeadField[] = ['nome', 'contato_nome', 'documento', 'telefone', 'email'];

/**
 * The lead field a column header names, or null.
 *
 * @example
 * matchHeader('Razão Social') // 'nome'
 * matchHeader('Tel. 2')       // 'telefone'
 * matchHeader('CPF/CNPJ')     // 'documento'
 * matchHeader('Cidade')       // null
 */
export function matchHeader(header: string): LeadField | null {
  return headerMatch(header)?.field ?? null;
}

/**
 * Finds the header among the first rows of one sheet (the sheet of rows[0]): the row that maps
 * the most lead fields, skipping titles, blank rows and merged title cells. It needs at least a
 * name, document, phone or e-mail column; null when no row qualifies.
 *
 * When several columns claim a one-column field, the best synonym wins (Razão Social > Empresa >
 * Nome Fantasia > Cliente > Nome); a losing plain "Nome" becomes contato_nome when no contact
 * column exists, other losers stay in extras. Phone, e-mail and document columns may be several.
 * `columnMap` (header → field, or null to ignore) overrides the synonyms.
 */
export function detectHeader(rows: SheetRow[], opts: { columnMap?: ColumnMap } = {}): ColumnMapping | null {
  const sheet = rows[0]?.sheet;
  const overrides = normalizeOverrides(opts.columnMap);
  let best: { mapping: ColumnMapping; score: number } | null = null;
  for (const row of rows.filter((r) => r.sheet === sheet).slice(0, HEADER_SCAN_ROWS)) {
    const mapping = buildMapping(row, overrides);
    const fields = new Set(mapping.columns.map((c) => c.field).filter((f): f is LeadField => f !== null));
    if (!IDENTIFYING.some((f) => fields.has(f))) continue;
    const score = fields.size + 0.01 * mapping.columns.filter((c) => c.field).length;
    if (!best || score > best.score) best = { mapping, score };
  }
  return best?.mapping ?? null;
}

function normalizeOverrides(columnMap: ColumnMap | undefined): Map<string, LeadField | null> {
  const out = new Map<string, LeadField | null>();
  for (const [header, field] of Object.entries(columnMap ?? {})) out.set(normalizeHeader(header), field);
  return out;
}

function buildMapping(row: SheetRow, overrides: Map<string, LeadField | null>): ColumnMapping {
  type Candidate = { index: number; header: string; match: HeaderMatch | null; forced: boolean };
  const candidates: Candidate[] = row.cells.map((cell, index) => {
    const header = cleanText(cell).replace(/\s+/g, ' ');
    const norm = normalizeHeader(header);
    if (overrides.has(norm)) {
      const field = overrides.get(norm) ?? null;
      return { index, header, match: field ? { field, rank: -1 } : null, forced: true };
    }
    return { index, header, match: looksLikeData(header) ? null : headerMatch(header), forced: false };
  });

  const field = new Map<number, LeadField | null>(candidates.map((c) => [c.index, c.match?.field ?? null]));
  for (const single of SINGLE) {
    const claims = candidates
      .filter((c) => c.match?.field === single)
      .sort((a, b) => a.match!.rank - b.match!.rank || a.index - b.index);
    for (const loser of claims.slice(1)) field.set(loser.index, null);
  }
  // "Empresa | Nome": the company is nome, the plain "Nome" is the contact person.
  const hasContact = [...field.values()].includes('contato_nome');
  const plainName = candidates.find(
    (c) => !c.forced && c.match?.field === 'nome' && c.match.rank === 4 && field.get(c.index) === null,
  );
  if (plainName && !hasContact) field.set(plainName.index, 'contato_nome');

  return {
    headerRowNumber: row.rowNumber,
    sheet: row.sheet,
    columns: candidates.map((c) => ({ index: c.index, header: c.header, field: field.get(c.index) ?? null })),
  };
}

/** An e-mail or a long number is a value, not a header. */
function looksLikeData(text: string): boolean {
  return text.includes('@') || (text.match(/\d/g)?.length ?? 0) >= 8;
}

/** Precomputed per mapping: which columns feed which field, in priority order, and extras keys. */
interface Plan {
  single: Partial<Record<'nome' | 'contato_nome' | 'lead_id_externo', number>>;
  documento: number[];
  telefone: number[];
  email: number[];
  /** Phone column index → the DDD column that completes it ("DDD | Telefone" layouts). */
  ddd: Map<number, number>;
  extras: Array<{ index: number; key: string }>;
  headerNorms: Map<number, string>;
  /** headerNorms as two parallel arrays: walked for every row, without a [key, value] pair per entry. */
  headerIndexes: number[];
  headerNormList: string[];
  width: number;
}

const plans = new WeakMap<ColumnMapping, Plan>();

function planFor(mapping: ColumnMapping): Plan {
  let plan = plans.get(mapping);
  if (!plan) {
    plan = compilePlan(mapping);
    plans.set(mapping, plan);
  }
  return plan;
}

function compilePlan(mapping: ColumnMapping): Plan {
  const cols = [...mapping.columns].sort((a, b) => a.index - b.index);
  const of = (f: LeadField) => cols.filter((c) => c.field === f);
  const plan: Plan = {
    single: {},
    documento: of('documento')
      .map((c) => ({ c, rank: headerMatch(c.header)?.field === 'documento' ? headerMatch(c.header)!.rank : 9 }))
      .sort((a, b) => a.rank - b.rank || a.c.index - b.c.index)
      .map(({ c }) => c.index),
    telefone: of('telefone').map((c) => c.index),
    email: of('email').map((c) => c.index),
    ddd: new Map(),
    extras: [],
    headerNorms: new Map(cols.filter((c) => c.field).map((c) => [c.index, normalizeHeader(c.header)])),
    headerIndexes: [],
    headerNormList: [],
    width: cols.reduce((w, c) => Math.max(w, c.index + 1), 0),
  };
  for (const [index, norm] of plan.headerNorms) {
    plan.headerIndexes.push(index);
    plan.headerNormList.push(norm);
  }
  for (const f of ['nome', 'contato_nome', 'lead_id_externo'] as const) {
    const first = of(f)[0];
    if (first) plan.single[f] = first.index;
  }
  const used = new Set<string>();
  for (const c of cols) {
    if (c.field && c.field !== 'documento') continue;
    plan.extras.push({ index: c.index, key: uniqueKey(c.header || `Coluna ${columnLetter(c.index)}`, used) });
  }
  const dddCols = cols.filter((c) => !c.field && /^ddd\s*\d*$/.test(normalizeHeader(c.header))).map((c) => c.index);
  for (const phone of plan.telefone) {
    const left = dddCols.filter((d) => d < phone).pop();
    const ddd =
      dddCols.length === 1
        ? dddCols[0]
        : left !== undefined && !plan.telefone.some((p) => p > left && p < phone)
          ? left
          : undefined;
    if (ddd !== undefined) plan.ddd.set(phone, ddd);
  }
  return plan;
}

function uniqueKey(key: string, used: Set<string>): string {
  let candidate = key;
  for (let n = 2; used.has(candidate); n++) candidate = `${key} (${n})`;
  used.add(candidate);
  return candidate;
}

/** 0 → 'A', 25 → 'Z', 26 → 'AA'. */
function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/**
 * A data row as a RawLead, or null for rows that carry no lead: rows at or above the header,
 * rows of another sheet, blank rows, a repeated header, footers ("Total: 123 registros",
 * "Gerado em 12/11/2026"). Values are trimmed (NBSP included) but otherwise as found: phone and
 * e-mail cells are not split here. Placeholders ("-", "N/A", "sem email") count as empty in lead
 * fields. When the same document comes in several columns (CNPJ | CPF), the first filled one in
 * priority order is the documento and the others stay in extras.
 */
export function mapRow(mapping: ColumnMapping, row: SheetRow): RawLead | null {
  if (row.sheet !== mapping.sheet || row.rowNumber <= mapping.headerRowNumber) return null;
  const cells = row.cells.map(cleanText);
  let filledCount = 0;
  for (const c of cells) if (c !== '') filledCount++;
  if (filledCount === 0) return null;
  // Only a row of one or two filled cells can be a footer: no filtered copy for the others.
  if (filledCount <= 2 && isFooter(cells.filter((c) => c !== ''))) return null;
  const plan = planFor(mapping);
  if (isRepeatedHeader(plan, cells)) return null;

  let documento: number | undefined;
  for (const i of plan.documento) {
    if (valueAt(cells, i) !== '') {
      documento = i;
      break;
    }
  }
  const telefones: string[] = [];
  for (const i of plan.telefone) {
    const phone = withDdd(valueAt(cells, i), valueAt(cells, plan.ddd.get(i)));
    if (phone !== '') telefones.push(phone);
  }
  const emails: string[] = [];
  for (const i of plan.email) {
    const email = valueAt(cells, i);
    if (email !== '') emails.push(email);
  }
  const lead: RawLead = {
    rowNumber: row.rowNumber,
    sheet: row.sheet,
    nome: collapse(valueAt(cells, plan.single.nome)),
    contato_nome: collapse(valueAt(cells, plan.single.contato_nome)),
    documento: valueAt(cells, documento),
    telefones,
    emails,
    lead_id_externo: collapse(valueAt(cells, plan.single.lead_id_externo)),
    extras: {},
  };
  for (const { index, key } of plan.extras) {
    if (index === documento) continue;
    const text = cells[index] ?? '';
    if (text !== '') lead.extras[key] = text;
  }
  for (let i = plan.width; i < cells.length; i++) {
    if (cells[i] !== '') lead.extras[`Coluna ${columnLetter(i)}`] = cells[i];
  }
  return lead;
}

/** A lead field's cell, placeholders ("-", "N/A", "sem email") read as empty. */
function valueAt(cells: string[], i: number | undefined): string {
  return i === undefined ? '' : unlessPlaceholder(cells[i] ?? '');
}

/** NBSP and other odd spaces become spaces, zero-width characters go, ends are trimmed. */
function cleanText(text: string): string {
  // One test instead of two regex replaces: cells rarely hold any of those characters.
  if (!hasOddSpace(text)) return text.trim();
  return text
    .replace(/[\u00A0\u2007\u202F\u3000]/g, ' ')
    .replace(/[\u200B-\u200D\uFEFF]/g, '')
    .trim();
}

/** The characters cleanText replaces or removes. */
const ODD_SPACE = /[\u00A0\u2007\u202F\u3000\u200B-\u200D\uFEFF]/;

function hasOddSpace(text: string): boolean {
  return ODD_SPACE.test(text);
}

function collapse(text: string): string {
  return NEEDS_COLLAPSE.test(text) ? text.replace(/\s+/g, ' ') : text;
}

/** Exactly when /\s+/g → ' ' changes a text: a whitespace other than U+0020, or two spaces in a row. */
const NEEDS_COLLAPSE = /[^\S ]| {2}/;

const NONZERO_DIGIT = /[1-9]/;
const PLACEHOLDERS = new Set([
  'n/a',
  'na',
  'n/d',
  'nd',
  'n.a.',
  'n.d.',
  'null',
  'none',
  'nan',
  'undefined',
  'nenhum',
  'nenhuma',
  '0',
  'x',
  'xx',
  'xxx',
  'sem',
  'sem email',
  'sem e-mail',
  'sem telefone',
  'sem tel',
  'sem fone',
  'sem celular',
  'sem contato',
  'sem cnpj',
  'sem cpf',
  'sem documento',
  'sem nome',
  'nao informado',
  'nao informada',
  'nao possui',
  'nao tem',
  'nao consta',
  'nao ha',
  'inexistente',
  'desconhecido',
  'a definir',
  'vazio',
  '(vazio)',
  '#n/a',
  '#ref!',
  '#value!',
  '#valor!',
]);

/** Lower-cased first character of every entry of PLACEHOLDERS. */
const PLACEHOLDER_FIRST = new Set([...PLACEHOLDERS].map((p) => p.charCodeAt(0)));

function unlessPlaceholder(text: string): string {
  // A text starting with an ASCII letter or digit is neither punctuation only nor, unless its first
  // letter starts some entry, in the set (NFKD, mark removal and lower-casing keep that first letter).
  const first = asciiAlnumLower(text.charCodeAt(0));
  if (first !== -1 && !PLACEHOLDER_FIRST.has(first)) return text;
  // Neither the set nor the pattern below holds a digit other than 0: a quick no for numbers.
  if (NONZERO_DIGIT.test(text)) return text;
  if (/^[\s\-–—_.*/\\?]*$/.test(text)) return '';
  // Printable ASCII has nothing for NFKD or mark removal to change: skip both (and their Unicode regex).
  const folded = PRINTABLE_ASCII.test(text) ? text : text.normalize('NFKD').replace(/\p{M}/gu, '');
  return PLACEHOLDERS.has(collapse(folded.toLowerCase())) ? '' : text;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const FOOTER_TOTAL = /^(sub ?total|total)(\s*[:=\-–]|\s+(de|geral|\d)|\s*$)/;
const FOOTER_OTHER = [
  /^(fonte|source)\s*:/,
  /^(gerado|exportado|emitido|impresso|extraido|relatorio gerado)\s+(em|por|no|pelo)\b/,
  /^\d[\d.]*\s+(registros?|leads?|linhas?|clientes?|contatos?)\b/,
  /^(quantidade|qtd|qtde|numero)\.?\s+(de\s+)?(registros|leads|linhas|clientes)\b/,
];

/** One or two filled cells like "Total: 123 registros", "Total | 123", "Gerado em 12/11/2026". */
function isFooter(filled: string[]): boolean {
  if (filled.length > 2) return false;
  const first = filled[0].normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const second = filled[1];
  if (FOOTER_TOTAL.test(first)) return second === undefined || /^[\d.,\s]+$/.test(second);
  return FOOTER_OTHER.some((re) => re.test(first));
}

/** Exports that repeat the header on every page. */
function isRepeatedHeader(plan: Plan, cells: string[]): boolean {
  let same = 0;
  for (let k = 0; k < plan.headerIndexes.length; k++) {
    const norm = plan.headerNormList[k];
    const cell = cells[plan.headerIndexes[k]] ?? '';
    // Quick no: an ASCII cell whose letters and digits differ from the header's cannot normalise to it.
    if (asciiAlnumsDiffer(cell, norm)) continue;
    if (norm && normalizeHeader(cell) === norm) same++;
  }
  return same >= Math.min(2, plan.headerNorms.size) && same > 0;
}

const NOT_LATIN1 = -2;
/**
 * U+0080–U+00FF → the code of the single a–z letter normalizeHeader makes of that character alone
 * (NFKD, marks removed, lower-cased: "Ó" → "o"), else NOT_LATIN1 (symbols, "ß", "½"… : the caller
 * then normalises to know). Per character is exact: these letters decompose to a base + marks only.
 */
const LATIN1_BASE_LETTER: readonly number[] = Array.from({ length: 256 }, (_, code) => {
  if (code < 0x80) return NOT_LATIN1;
  const folded = String.fromCharCode(code).normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return /^[a-z]$/.test(folded) ? folded.charCodeAt(0) : NOT_LATIN1;
});

/** The code of an ASCII letter (lower-cased) or digit, else -1. */
function asciiAlnumLower(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) ? c : -1;
}

/**
 * True when an ASCII text surely does not normalise to `norm`: for ASCII, normalizeHeader only
 * lower-cases, turns runs of other characters into one space and drops some spaces, so the text's
 * letters and digits, lower-cased, must be exactly those of `norm`, in order. Compared up to the first
 * difference ("Carlos Silva" against "contato" stops at the second letter), without building
 * anything. False as soon as a non-ASCII character is met (accents, other scripts: the caller
 * must normalise to know).
 */
function asciiAlnumsDiffer(text: string, norm: string): boolean {
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // An accented Latin-1 letter normalises to its base letter ("Ó" → "o"); anything else non-ASCII: don't know.
    const c = code > 127 ? (LATIN1_BASE_LETTER[code] ?? NOT_LATIN1) : asciiAlnumLower(code);
    if (c === NOT_LATIN1) return false;
    if (c === -1) continue;
    while (j < norm.length && asciiAlnumLower(norm.charCodeAt(j)) === -1) j++;
    if (j === norm.length || norm.charCodeAt(j) !== c) return true;
    j++;
  }
  while (j < norm.length && asciiAlnumLower(norm.charCodeAt(j)) === -1) j++;
  return j < norm.length;
}

/** "98765-4321" next to a DDD column holding "11" → "(11) 98765-4321"; anything else as it is. */
function withDdd(phone: string, ddd: string): string {
  if (!phone || !ddd) return phone;
  const dddDigits = ddd.replace(/\D/g, '').replace(/^0/, '');
  const digits = phone.replace(/\D/g, '');
  if (dddDigits.length !== 2 || (digits.length !== 8 && digits.length !== 9)) return phone;
  return `(${dddDigits}) ${phone}`;
}
