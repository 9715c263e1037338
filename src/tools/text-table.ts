/**
 * The rows a tool returns as a compact text table, for clients that pass only `text` to the model:
 * a header line, then one line per row, cells separated by " | "; null is "-"; a cell is cut at
 * `maxCell` characters and never holds a line break or a "|".
 */
export function table(columns: string[], rows: ReadonlyArray<ReadonlyArray<unknown>>, maxCell = 80): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined || v === '') return '-';
    const s = (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v))
      .replace(/\s+/g, ' ')
      .replace(/\|/g, '/');
    return s.length > maxCell ? `${s.slice(0, maxCell - 1)}…` : s;
  };
  return [columns.join(' | '), ...rows.map((r) => r.map(cell).join(' | '))].join('\n');
}
