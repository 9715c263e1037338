import { parseAmount } from '../normalize/money.js';
import { parseDueDate } from '../normalize/due-date.js';
import type { DebtField } from './column-types.js';

/** A row's debt as stored (dividas): integer centavos and an ISO date, or null where the sheet had none. */
export interface RowDebt {
  valor_centavos: number | null;
  vencimento: string | null;
  contrato: string | null;
  descricao: string | null;
}

type Report = (column: string, value: string, reason: string) => void;

const MAX = { contrato: 200, descricao: 1000 };

/**
 * The debt of one row, or null when the row has none. An amount or a due date that cannot be read is a
 * problem of that row and its debt is not stored (a debt with a wrong amount or date must not reach a
 * message); the lead itself is kept.
 *
 * @example rowDebt({ valor: 'R$ 1.234,56', vencimento: '05/03/2026', contrato: 'CT-9', descricao: '' }, report)
 * // { valor_centavos: 123456, vencimento: '2026-03-05', contrato: 'CT-9', descricao: null }
 */
export function rowDebt(raw: Record<DebtField, string>, at: Report): RowDebt | null {
  if (!raw.valor && !raw.vencimento && !raw.contrato && !raw.descricao) return null;
  let ok = true;
  let valor: number | null = null;
  if (raw.valor) {
    const a = parseAmount(raw.valor);
    if (a.ok) valor = a.centavos;
    else {
      at('valor', raw.valor, `${a.motivo}: dívida da linha não importada`);
      ok = false;
    }
  }
  let vencimento: string | null = null;
  if (raw.vencimento) {
    const d = parseDueDate(raw.vencimento);
    if (d.ok) vencimento = d.data;
    else {
      at('vencimento', raw.vencimento, `${d.motivo}: dívida da linha não importada`);
      ok = false;
    }
  }
  if (!ok) return null;
  return {
    valor_centavos: valor,
    vencimento,
    contrato: raw.contrato.slice(0, MAX.contrato) || null,
    descricao: raw.descricao.slice(0, MAX.descricao) || null,
  };
}
