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

/** At most this many rows go in one text; the rest are counted, with where to get them. */
export const TEXT_ROWS = 100;

/**
 * `table` of at most `max` rows; when there are more, a last line counts them and says how to get
 * them (`more`: "call again with cursor …").
 */
export function boundedTable(
  columns: string[],
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  more: string,
  max = TEXT_ROWS,
): string {
  const t = table(columns, rows.slice(0, max));
  return rows.length > max ? `${t}\n… ${rows.length - max} more row(s): ${more}` : t;
}

/** "a 3, b 1" → a two-column table of counts (key | n), or "-" when there are none. */
export function countsTable(key: string, counts: Record<string, number>): string {
  const rows = Object.entries(counts).filter(([, v]) => v > 0);
  return rows.length ? table([key, 'n'], rows) : `${key}: none`;
}
