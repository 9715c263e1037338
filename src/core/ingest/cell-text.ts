/** Cell text as the column mapping reads it (not normalize/text.ts: these keep the text as found). */

/** NBSP and other odd spaces become spaces, zero-width characters go, ends are trimmed. */
export function cleanCellText(text: string): string {
  // One test instead of two regex replaces: cells rarely hold any of those characters.
  if (!hasOddSpace(text)) return text.trim();
  return text
    .replace(/[\u00A0\u2007\u202F\u3000]/g, ' ')
    .replace(/[\u200B-\u200D\uFEFF]/g, '')
    .trim();
}

/** The characters cleanCellText replaces or removes. */
const ODD_SPACE = /[\u00A0\u2007\u202F\u3000\u200B-\u200D\uFEFF]/;

function hasOddSpace(text: string): boolean {
  return ODD_SPACE.test(text);
}

export function collapse(text: string): string {
  return NEEDS_COLLAPSE.test(text) ? text.replace(/\s+/g, ' ') : text;
}

/** Exactly when /\s+/g → ' ' changes a text: a whitespace other than U+0020, or two spaces in a row. */
const NEEDS_COLLAPSE = /[^\S ]| {2}/;

/** The code of an ASCII letter (lower-cased) or digit, else -1. */
export function asciiAlnumLower(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) ? c : -1;
}
