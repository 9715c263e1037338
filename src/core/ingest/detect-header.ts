import { cleanCellText } from './cell-text.js';
import type { ColumnMap, ColumnMapping, LeadField, SheetRow } from './column-types.js';
import { DEBT_FIELDS, HEADER_SCAN_ROWS } from './column-types.js';
import { headerMatch, normalizeHeader, type HeaderMatch } from './header-synonyms.js';

const SINGLE: LeadField[] = ['nome', 'contato_nome', 'lead_id_externo', ...DEBT_FIELDS];
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
    const header = cleanCellText(cell).replace(/\s+/g, ' ');
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
