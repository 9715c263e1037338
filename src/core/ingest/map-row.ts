/** A data row read through the header mapping: a RawLead, or null for rows that carry no lead. */
import { cleanCellText, collapse } from './cell-text.js';
import { columnLetter, planFor } from './column-plan.js';
import type { ColumnMapping, RawLead, SheetRow } from './column-types.js';
import { isFooter } from './footer.js';
import { unlessPlaceholder } from './placeholders.js';
import { isRepeatedHeader } from './repeated-header.js';

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
  const cells = row.cells.map(cleanCellText);
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
  if (plan.single.uf !== undefined) lead.uf = collapse(valueAt(cells, plan.single.uf));
  if (plan.hasDebt)
    lead.divida = {
      valor: valueAt(cells, plan.single.valor),
      vencimento: valueAt(cells, plan.single.vencimento),
      contrato: collapse(valueAt(cells, plan.single.contrato)),
      descricao: collapse(valueAt(cells, plan.single.descricao)),
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

/** "98765-4321" next to a DDD column holding "11" → "(11) 98765-4321"; anything else as it is. */
function withDdd(phone: string, ddd: string): string {
  if (!phone || !ddd) return phone;
  const dddDigits = ddd.replace(/\D/g, '').replace(/^0/, '');
  const digits = phone.replace(/\D/g, '');
  if (dddDigits.length !== 2 || (digits.length !== 8 && digits.length !== 9)) return phone;
  return `(${dddDigits}) ${phone}`;
}
