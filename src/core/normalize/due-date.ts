/**
 * Calendar dates as spreadsheets carry them (a due date has no time of day and no zone), to ISO
 * `YYYY-MM-DD`, and back to pt-BR `dd/mm/aaaa`.
 */

/** Result of {@link parseDueDate}: an ISO date, or why the text is not a date (pt-BR). */
export type ParsedDate = { ok: true; data: string } | { ok: false; motivo: string };

const BR = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
/** Excel's day numbers: 1900 date system (day 60 is the 29/02/1900 Lotus bug), so 25569 = 01/01/1970. */
const SERIAL = /^(\d{4,5})(?:[.,]0+)?$/;
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

/**
 * Reads a due date: `05/03/2026` (also `5/3/26`, `05-03-2026`, `05.03.2026`: day first, as in Brazil),
 * ISO `2026-03-05` (what a date-formatted Excel cell reaches us as, possibly with a time), or an Excel
 * serial day number `46086` (a date cell read without its format). Years outside 1900–2199 and
 * impossible days (31/02) are refused.
 *
 * @example parseDueDate('05/03/2026') // { ok: true, data: '2026-03-05' }
 * @example parseDueDate('46086')      // { ok: true, data: '2026-03-05' }
 * @example parseDueDate('31/02/2026') // { ok: false, motivo: 'data inexistente: "31/02/2026"' }
 */
export function parseDueDate(text: string): ParsedDate {
  const raw = text.trim();
  let y: number, m: number, d: number;
  const br = BR.exec(raw);
  const iso = ISO.exec(raw);
  const serial = SERIAL.exec(raw);
  if (br) {
    [d, m, y] = [Number(br[1]), Number(br[2]), Number(br[3])];
    if (br[3].length === 2) y += 2000;
  } else if (iso) {
    [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (serial) {
    const date = new Date(EXCEL_EPOCH_MS + Number(serial[1]) * DAY_MS);
    [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  } else {
    return { ok: false, motivo: `data não reconhecida (use dd/mm/aaaa): "${raw}"` };
  }
  if (y < 1900 || y > 2199) return { ok: false, motivo: `ano fora do intervalo 1900–2199: "${raw}"` };
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d)
    return { ok: false, motivo: `data inexistente: "${raw}"` };
  return { ok: true, data: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

/**
 * An ISO date as Brazilians write it.
 *
 * @example formatDateBr('2026-03-05') // '05/03/2026'
 */
export function formatDateBr(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}
