/**
 * The single place that turns a spreadsheet cell value into text.
 *
 * Every reader (exceljs streaming, exceljs readFile, CSV) passes its values through here, so the
 * rest of the pipeline only ever sees strings. Formulas are never evaluated: the cached result is
 * used. Error cells read as '' — ask {@link cellError} to tell an error from an empty cell.
 *
 * @example
 * cellToString(11222333000181)                                   // '11222333000181'
 * cellToString({ richText: [{ text: 'ACME ' }, { text: 'Ltda' }] }) // 'ACME Ltda'
 * cellToString({ text: 'Enviar', hyperlink: 'mailto:a@b.com' })    // 'a@b.com'
 */
export function cellToString(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return numberToString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      return value === null ? '' : objectToString(value);
    default:
      return '';
  }
}

/**
 * The spreadsheet error code of a cell ('#N/A', '#REF!', ...) or null when the cell is not an
 * error. A formula whose cached result was an error counts as an error; when the streaming
 * reader lost the code (it parses the cached '#N/A' as a number), the answer is '#ERROR'.
 */
export function cellError(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.error === 'string') return v.error;
  if ('formula' in v || 'sharedFormula' in v) {
    const result = v.result;
    if (typeof result === 'number' && Number.isNaN(result)) return '#ERROR';
    return cellError(result);
  }
  return null;
}

function numberToString(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Object.is(n, -0)) return '0';
  // Below 1e21 String() never uses exponent notation and prints integers without '.0'
  // (11222333000181 → '11222333000181'), giving the shortest digits that round-trip. Above it,
  // BigInt spells the integer out instead of '1e+21'.
  if (Number.isInteger(n) && Math.abs(n) >= 1e21) return BigInt(n).toString();
  return String(n);
}

function objectToString(value: object): string {
  if (value instanceof Date) return dateToString(value);
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.richText)) return richTextToString(v.richText);
  if ('hyperlink' in v) return hyperlinkToString(v.text, v.hyperlink);
  if ('formula' in v || 'sharedFormula' in v) return cellToString(v.result);
  if ('error' in v) return '';
  if ('text' in v) return cellToString(v.text);
  return '';
}

function dateToString(d: Date): string {
  const ms = d.getTime();
  if (Number.isNaN(ms)) return '';
  const iso = d.toISOString();
  return ms % 86_400_000 === 0 ? iso.slice(0, 10) : iso;
}

function richTextToString(runs: unknown[]): string {
  let out = '';
  for (const run of runs) {
    const text = (run as { text?: unknown } | null)?.text;
    if (typeof text === 'string') out += text;
  }
  return out;
}

function hyperlinkToString(text: unknown, hyperlink: unknown): string {
  if (typeof hyperlink === 'string' && /^mailto:/i.test(hyperlink)) {
    const address = mailtoAddress(hyperlink);
    if (address) return address;
  }
  return cellToString(text);
}

/** 'mailto:Ana%20Silva%20<ana@x.com>?subject=Oi' → 'Ana Silva <ana@x.com>' */
function mailtoAddress(link: string): string {
  const raw = link.slice('mailto:'.length).split('?')[0];
  try {
    return decodeURIComponent(raw).trim();
  } catch {
    return raw.trim();
  }
}
