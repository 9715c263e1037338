/** Footer rows of exported reports ("Total: 123 registros", "Gerado em …"): not leads. */

const FOOTER_TOTAL = /^(sub ?total|total)(\s*[:=\-–]|\s+(de|geral|\d)|\s*$)/;
const FOOTER_OTHER = [
  /^(fonte|source)\s*:/,
  /^(gerado|exportado|emitido|impresso|extraido|relatorio gerado)\s+(em|por|no|pelo)\b/,
  /^\d[\d.]*\s+(registros?|leads?|linhas?|clientes?|contatos?)\b/,
  /^(quantidade|qtd|qtde|numero)\.?\s+(de\s+)?(registros|leads|linhas|clientes)\b/,
];

/** One or two filled cells like "Total: 123 registros", "Total | 123", "Gerado em 12/11/2026". */
export function isFooter(filled: string[]): boolean {
  if (filled.length > 2) return false;
  const first = filled[0].normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const second = filled[1];
  if (FOOTER_TOTAL.test(first)) return second === undefined || /^[\d.,\s]+$/.test(second);
  return FOOTER_OTHER.some((re) => re.test(first));
}
