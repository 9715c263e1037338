/**
 * Text clean-up helpers shared by the other normalisers.
 *
 * Spreadsheet cells arrive with non-breaking spaces (copied from web pages), zero-width
 * characters (copied from WhatsApp/Word), CRLF line ends and decomposed accents (macOS).
 * Everything here is pure and allocation-light because it runs once per cell.
 */

/** Spaces that look like a space but are not U+0020 (NBSP, thin/figure spaces, ideographic…). */
const UNICODE_SPACES = /[\t\v\f\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
/**
 * Invisible characters. They are removed, not turned into spaces: inside a phone number
 * ("11\u200B98765-4321") a space would wrongly split one number in two.
 */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200D\u2060\uFEFF]/g;
const LINE_BREAKS = /\r\n?|[\u0085\u2028\u2029]/g;
const COMBINING_MARKS = /\p{M}+/gu;
/** Already clean: printable ASCII, no space at either end, no two spaces in a row. */
const CLEAN_ASCII = /^(?:[\x21-\x7e]+(?: [\x21-\x7e]+)*)?$/;
/** Printable ASCII: NFC/NFD change nothing and no accent to strip. */
const ASCII = /^[\x20-\x7e]*$/;

function toStr(v: string | null | undefined): string {
  // Callers sometimes pass a number read from a numeric cell despite the type; be forgiving.
  return v == null ? '' : String(v);
}

/**
 * Single-line clean-up: unicode spaces → space, invisible characters removed, every run of
 * whitespace (newlines included) collapsed to one space, trimmed, NFC-composed.
 *
 * @example cleanText('  Padaria\u00A0 São  João\n') // 'Padaria São João'
 * @example cleanText(null) // ''
 */
export function cleanText(v: string | null | undefined): string {
  // Most cells are printable ASCII words with single spaces: nothing to do (no regex, no NFC pass).
  if (typeof v === 'string' && CLEAN_ASCII.test(v)) return v;
  return toStr(v)
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(UNICODE_SPACES, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Like {@link cleanText} but keeps line breaks (normalised to `\n`), because multi-value
 * cells ("11 98765-4321\n11 3456-7890") are split on them. Each line is cleaned and blank
 * lines are dropped.
 *
 * @example cleanCell(' a\u00A0b \r\n\r\n c ') // 'a b\nc'
 */
export function cleanCell(v: string | null | undefined): string {
  return toStr(v)
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(LINE_BREAKS, '\n')
    .split('\n')
    .map((line) => cleanText(line))
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * Strips accents (NFD + remove combining marks), e.g. "São João" → "Sao Joao".
 *
 * @example stripAccents('Não possui') // 'Nao possui'
 */
export function stripAccents(v: string): string {
  if (typeof v === 'string' && ASCII.test(v)) return v;
  return toStr(v).normalize('NFD').replace(COMBINING_MARKS, '').normalize('NFC');
}

/**
 * Dedup key for a company/person name: no accents, lowercase, punctuation → space,
 * whitespace collapsed. Legal suffixes (LTDA, ME, S/A) are deliberately kept: removing them
 * is a business decision for the dedup layer, not a normalisation.
 *
 * @example nameKey('Padaria  São João LTDA.') // 'padaria sao joao ltda'
 * @example nameKey('PADARIA SAO JOAO ltda')   // 'padaria sao joao ltda'
 */
export function nameKey(v: string): string {
  const clean = stripAccents(cleanText(v)).toLowerCase();
  // In ASCII, letters and digits are a-z and 0-9: the same result without a Unicode-aware regex.
  return (ASCII.test(clean) ? clean.replace(/[^a-z0-9]+/g, ' ') : clean.replace(/[^\p{L}\p{N}]+/gu, ' ')).trim();
}

const NONZERO_DIGIT = /[1-9]/;
// Qualified placeholders: "sem e-mail", "não possui telefone", "nao informado", "nenhum"…
const QUALIFIED_PLACEHOLDER = new RegExp(
  '^(?:sem|nao tem|nao possui|nao ha|nao informado|nao informada|nao consta|nao cadastrado|' +
    'nao cadastrada|nenhum|nenhuma|inexistente|a definir|a confirmar|a informar)' +
    '(?: (?:o|a|de|do|da|um|uma))?' +
    '(?: (?:e ?mail|telefone|tel|fone|celular|cel|whatsapp|whats|zap|contato|numero|n|cpf|cnpj|' +
    'documento|doc|dado|dados|informacao))?$',
);
// Bare placeholders, compared after removing the spaces nameKey leaves for "n/a", "s/n"…
const BARE_PLACEHOLDERS = new Set([
  'na', 'nd', 'ni', 'sn', 'si', 'null', 'nulo', 'none', 'nil', 'nan', 'undefined',
  'vazio', 'nada', 'nao', 'naotem', 'x', 'xx', 'xxx', 'xxxx', '0', '00',
]);

/**
 * True for values people type to mean "nothing here": empty or punctuation-only ("-", "--",
 * ".", "?"), "n/a", "na", "n/d", "null", "none", "nenhum", "sem email", "sem e-mail",
 * "sem telefone", "não possui", "não tem", "não informado", "x", "xx", "0"… Accent- and
 * case-insensitive.
 *
 * @example isPlaceholder('Não possui') // true
 * @example isPlaceholder('N/A')        // true
 * @example isPlaceholder('joao@x.com') // false
 */
export function isPlaceholder(v: string): boolean {
  // No placeholder holds a digit other than 0, and nameKey keeps digits: a quick no for phones, CNPJs…
  if (typeof v === 'string' && NONZERO_DIGIT.test(v)) return false;
  const key = nameKey(v);
  if (key === '') return true;
  if (BARE_PLACEHOLDERS.has(key.replace(/ /g, ''))) return true;
  return QUALIFIED_PLACEHOLDER.test(key);
}
