/**
 * Amounts of money as spreadsheets carry them, to integer centavos (never floats: R$ 0,10 + R$ 0,20
 * must be R$ 0,30), and back to pt-BR text.
 */

/** Result of {@link parseAmount}: centavos, or why the text is not an amount (pt-BR, for the problem list). */
export type ParsedAmount = { ok: true; centavos: number } | { ok: false; motivo: string };

/** R$ 10 bilhões: larger "amounts" are ids or sums typed in the wrong column. */
const MAX_CENTAVOS = 1_000_000_000_000;

/**
 * Reads an amount: `R$ 1.234,56`, `1234,56`, `1.234.567`, `1234.56` (an Excel currency cell reaches us as
 * the number's digits), `1,234.56`. The last `.` or `,` followed by one or two digits is the decimal
 * separator; a single `.` or `,` followed by exactly three digits groups thousands (pt-BR: `1.234` is
 * mil duzentos e trinta e quatro). More than two decimals (a computed cell, 33.333333) are rounded half
 * up to the centavo, as Excel shows them. Negative amounts are refused: a credit is not a debt.
 *
 * @example parseAmount('R$ 1.234,56') // { ok: true, centavos: 123456 }
 * @example parseAmount('1234.5')      // { ok: true, centavos: 123450 }
 * @example parseAmount('abc')         // { ok: false, motivo: 'valor não é um número: "abc"' }
 */
export function parseAmount(text: string): ParsedAmount {
  const raw = text.trim();
  let t = raw.replace(/^R\$\s*/i, '').replace(/\s+/g, '');
  if (/^-|^\(.*\)$|-$/.test(t)) return { ok: false, motivo: `valor negativo: "${raw}"` };
  if (t.startsWith('+')) t = t.slice(1);
  if (!/^\d[\d.,]*$/.test(t) || /[.,]$/.test(t)) return { ok: false, motivo: `valor não é um número: "${raw}"` };
  const seps = [...t.matchAll(/[.,]/g)];
  let intPart = t;
  let frac = '';
  if (seps.length) {
    const last = seps[seps.length - 1];
    const after = t.slice(last.index! + 1);
    const sameKind = seps.every((s) => s[0] === last[0]);
    const thousands = after.length === 3 && (seps.length > 1 ? sameKind : true);
    if (!thousands) {
      // the last separator is decimal; every earlier one must be the other kind, grouping by three
      intPart = t.slice(0, last.index);
      frac = after;
      if (seps.slice(0, -1).some((s) => s[0] === last[0])) return { ok: false, motivo: `valor ambíguo: "${raw}"` };
    }
    const groups = intPart.split(/[.,]/);
    if (groups.length > 1 && groups.slice(1).some((g) => g.length !== 3))
      return { ok: false, motivo: `valor com separadores de milhar fora do lugar: "${raw}"` };
    intPart = groups.join('');
  }
  if (intPart.length > 13) return { ok: false, motivo: `valor grande demais: "${raw}"` };
  let centavos = Number(intPart) * 100 + Number((frac + '00').slice(0, 2));
  if (frac.length > 2 && Number(frac[2]) >= 5) centavos += 1;
  if (centavos > MAX_CENTAVOS) return { ok: false, motivo: `valor grande demais: "${raw}"` };
  return { ok: true, centavos };
}

/**
 * Centavos as a Brazilian reads money.
 *
 * @example formatAmount(123456)  // 'R$ 1.234,56'
 * @example formatAmount(5)       // 'R$ 0,05'
 */
export function formatAmount(centavos: number): string {
  const reais = Math.floor(centavos / 100);
  const cents = String(centavos % 100).padStart(2, '0');
  return `R$ ${String(reais).replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${cents}`;
}
