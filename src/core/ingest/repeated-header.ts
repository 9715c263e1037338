/** Exports that repeat the header row on every page: those rows are not leads. */
import { asciiAlnumLower } from './cell-text.js';
import type { Plan } from './column-plan.js';
import { normalizeHeader } from './header-synonyms.js';

/** Exports that repeat the header on every page. */
export function isRepeatedHeader(plan: Plan, cells: string[]): boolean {
  let same = 0;
  for (let k = 0; k < plan.headerIndexes.length; k++) {
    const norm = plan.headerNormList[k];
    const cell = cells[plan.headerIndexes[k]] ?? '';
    // Quick no: an ASCII cell whose letters and digits differ from the header's cannot normalise to it.
    if (asciiAlnumsDiffer(cell, norm)) continue;
    if (norm && normalizeHeader(cell) === norm) same++;
  }
  return same >= Math.min(2, plan.headerNorms.size) && same > 0;
}

const NOT_LATIN1 = -2;
/**
 * U+0080–U+00FF → the code of the single a–z letter normalizeHeader makes of that character alone
 * (NFKD, marks removed, lower-cased: "Ó" → "o"), else NOT_LATIN1 (symbols, "ß", "½"… : the caller
 * then normalises to know). Per character is exact: these letters decompose to a base + marks only.
 */
const LATIN1_BASE_LETTER: readonly number[] = Array.from({ length: 256 }, (_, code) => {
  if (code < 0x80) return NOT_LATIN1;
  const folded = String.fromCharCode(code).normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return /^[a-z]$/.test(folded) ? folded.charCodeAt(0) : NOT_LATIN1;
});

/**
 * True when an ASCII text surely does not normalise to `norm`: for ASCII, normalizeHeader only
 * lower-cases, turns runs of other characters into one space and drops some spaces, so the text's
 * letters and digits, lower-cased, must be exactly those of `norm`, in order. Compared up to the first
 * difference ("Carlos Silva" against "contato" stops at the second letter), without building
 * anything. False as soon as a non-ASCII character is met (accents, other scripts: the caller
 * must normalise to know).
 */
function asciiAlnumsDiffer(text: string, norm: string): boolean {
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // An accented Latin-1 letter normalises to its base letter ("Ó" → "o"); anything else non-ASCII: don't know.
    const c = code > 127 ? (LATIN1_BASE_LETTER[code] ?? NOT_LATIN1) : asciiAlnumLower(code);
    if (c === NOT_LATIN1) return false;
    if (c === -1) continue;
    while (j < norm.length && asciiAlnumLower(norm.charCodeAt(j)) === -1) j++;
    if (j === norm.length || norm.charCodeAt(j) !== c) return true;
    j++;
  }
  while (j < norm.length && asciiAlnumLower(norm.charCodeAt(j)) === -1) j++;
  return j < norm.length;
}
