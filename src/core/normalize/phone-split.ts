import { LABEL, LABEL_WORDS, SIMPLE_PHONE } from './phone-patterns.js';
import { cleanCell, cleanText, isPlaceholder } from './text.js';

/** What splitPhones strips from the ends of a piece: only the first and last characters are looked at. */
const EDGE_JUNK = /^[\s:.\-–—]|[\s:\-–—]$/;
const HARD_SEPARATORS = /[\n/;,|]+|\s+(?:e|ou)\s+/iu;
// A label that introduces a number acts as a separator: "Tel: 11 3456-7890 Cel: 11 98765-4321".
const SPLIT_LABEL = new RegExp(`(?<![\\p{L}])(?:${LABEL_WORDS}|com|res)(?![\\p{L}])\\.?\\s*:`, 'giu');

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/**
 * Pieces with more digits than any single number (14 = trunk + carrier + DDD + 9 digits)
 * were typed run together ("11987654321 21988887777", "… - …"). Cut before a token that
 * starts a new number, or at a lone dash, once the current number has at least 10 digits.
 */
function splitRunTogether(piece: string): string[] {
  if (digitCount(piece) <= 14) return [piece];
  const out: string[] = [];
  let current = '';
  for (const token of piece.split(/\s+/)) {
    const dash = /^[-–—]+$/.test(token);
    const startsNumber = dash || /^[+(]/.test(token) || digitCount(token) >= 8;
    if (current && digitCount(current) >= 10 && startsNumber) {
      out.push(current);
      current = dash ? '' : token;
    } else {
      current = current ? `${current} ${token}` : token;
    }
  }
  if (current) out.push(current);
  return out;
}

/**
 * Splits a cell holding several phones ("/", ";", ",", "|", newlines, " e ", " ou ", and
 * labels such as "Tel:"/"Cel:"), without splitting inside one number ("11 9 8765 4321").
 * Returns cleaned raw pieces; placeholders and pieces without any digit are dropped.
 *
 * @example splitPhones('(11) 98765-4321 / (11) 3456-7890') // ['(11) 98765-4321', '(11) 3456-7890']
 * @example splitPhones('Cel: 11 98765-4321 e Fixo: 11 3456-7890') // ['11 98765-4321', '11 3456-7890']
 */
export function splitPhones(cell: string): string[] {
  const text = cleanCell(cell);
  if (text === '' || isPlaceholder(text)) return [];
  if (SIMPLE_PHONE.test(text) && digitCount(text) <= 14) {
    // One number without labels or separators (most cells): the general path below gives the same.
    // cleanCell made it one clean line, so with nothing to strip at its ends it is the piece as it is.
    const part = EDGE_JUNK.test(text) ? cleanText(text.replace(/^[\s:.\-–—]+|[\s:\-–—]+$/g, '')) : text;
    return part !== '' && /\d/.test(part) && !isPlaceholder(part) ? [part] : [];
  }
  return text
    .split(SPLIT_LABEL)
    .flatMap((part) => part.split(HARD_SEPARATORS))
    .flatMap((part) => splitRunTogether(cleanText(part)))
    .map((part) => cleanText(part.replace(LABEL, ' ').replace(/^[\s:.\-–—]+|[\s:\-–—]+$/g, '')))
    .filter((part) => part !== '' && /\d/.test(part) && !isPlaceholder(part));
}
