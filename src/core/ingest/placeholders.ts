/** Cells that say "nothing here" ("-", "N/A", "sem email"): empty in lead fields. */
import { asciiAlnumLower, collapse } from './cell-text.js';

const NONZERO_DIGIT = /[1-9]/;
const PLACEHOLDERS = new Set([
  'n/a',
  'na',
  'n/d',
  'nd',
  'n.a.',
  'n.d.',
  'null',
  'none',
  'nan',
  'undefined',
  'nenhum',
  'nenhuma',
  '0',
  'x',
  'xx',
  'xxx',
  'sem',
  'sem email',
  'sem e-mail',
  'sem telefone',
  'sem tel',
  'sem fone',
  'sem celular',
  'sem contato',
  'sem cnpj',
  'sem cpf',
  'sem documento',
  'sem nome',
  'nao informado',
  'nao informada',
  'nao possui',
  'nao tem',
  'nao consta',
  'nao ha',
  'inexistente',
  'desconhecido',
  'a definir',
  'vazio',
  '(vazio)',
  '#n/a',
  '#ref!',
  '#value!',
  '#valor!',
]);

/** Lower-cased first character of every entry of PLACEHOLDERS. */
const PLACEHOLDER_FIRST = new Set([...PLACEHOLDERS].map((p) => p.charCodeAt(0)));

/** A lead field's cell text, or '' when it is a placeholder ("-", "N/A", "sem email"). */
export function unlessPlaceholder(text: string): string {
  // A text starting with an ASCII letter or digit is neither punctuation only nor, unless its first
  // letter starts some entry, in the set (NFKD, mark removal and lower-casing keep that first letter).
  const first = asciiAlnumLower(text.charCodeAt(0));
  if (first !== -1 && !PLACEHOLDER_FIRST.has(first)) return text;
  // Neither the set nor the pattern below holds a digit other than 0: a quick no for numbers.
  if (NONZERO_DIGIT.test(text)) return text;
  if (/^[\s\-–—_.*/\\?]*$/.test(text)) return '';
  // Printable ASCII has nothing for NFKD or mark removal to change: skip both (and their Unicode regex).
  const folded = PRINTABLE_ASCII.test(text) ? text : text.normalize('NFKD').replace(/\p{M}/gu, '');
  return PLACEHOLDERS.has(collapse(folded.toLowerCase())) ? '' : text;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
