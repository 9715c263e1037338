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
/** Printable ASCII: NFC/NFD change nothing and no accent to strip. */
const ASCII = /^[\x20-\x7e]*$/;

/**
 * Text cleanText returns unchanged, recognised by one regex test for the common case: characters
 * in U+0021–U+007E or U+00A1–U+00FF (except the soft hyphen U+00AD), words separated by single
 * U+0020 spaces, no space at either end. Latin-1 text is already NFC (no Latin-1 character
 * decomposes or composes under NFC, and combining marks start at U+0300), so the accents of pt-BR
 * names ("São", "Antônia") no longer send every cell through NFC and four regex replaces (profiled).
 * Anything else (tabs, NBSP, U+0100 and up…) fails the test and takes the full path.
 */
const CLEAN_LATIN1 = /^(?:[\x21-\x7e\xa1-\xac\xae-\xff]+(?: [\x21-\x7e\xa1-\xac\xae-\xff]+)*)?$/;

function isCleanLatin1(v: string): boolean {
  return CLEAN_LATIN1.test(v);
}

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
  // Most cells are Latin-1 words with single spaces: nothing to do (no regex, no NFC pass).
  if (typeof v === 'string' && isCleanLatin1(v)) return v;
  return toStr(v).normalize('NFC').replace(INVISIBLE, '').replace(UNICODE_SPACES, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Like {@link cleanText} but keeps line breaks (normalised to `\n`), because multi-value
 * cells ("11 98765-4321\n11 3456-7890") are split on them. Each line is cleaned and blank
 * lines are dropped.
 *
 * @example cleanCell(' a\u00A0b \r\n\r\n c ') // 'a b\nc'
 */
export function cleanCell(v: string | null | undefined): string {
  // One clean line (most cells): every step below would leave it as it is.
  if (typeof v === 'string' && isCleanLatin1(v)) return v;
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
  // Latin-1 (nearly every pt-BR cell): a table instead of NFD + regex + NFC.
  if (typeof v === 'string') {
    const latin1 = stripLatin1Accents(v);
    if (latin1 !== null) return latin1;
  }
  return stripAccentsSlow(toStr(v));
}

function stripAccentsSlow(v: string): string {
  return v.normalize('NFD').replace(COMBINING_MARKS, '').normalize('NFC');
}

/**
 * U+0000–U+00FF → what stripAccents makes of that one character ("ã" → "a", "ß" → "ß"), computed
 * with the slow path itself. Per character is exact for Latin-1 text: each accented Latin-1 letter
 * decomposes to an ASCII base + one mark, so no mark can reorder or compose across characters.
 */
const LATIN1_STRIPPED: readonly string[] = Array.from({ length: 256 }, (_, c) =>
  stripAccentsSlow(String.fromCharCode(c)),
);

/** stripAccents of a Latin-1 string through the table (no NFD/NFC pass), or null when not Latin-1. */
function stripLatin1Accents(v: string): string | null {
  let out = '';
  let from = 0; // start of the run of characters copied as they are
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x80) continue; // ASCII has no accent
    if (c > 0xff) return null;
    const stripped = LATIN1_STRIPPED[c];
    if (stripped.length === 1 && stripped.charCodeAt(0) === c) continue;
    out += v.slice(from, i) + stripped;
    from = i + 1;
  }
  return from === 0 ? v : out + v.slice(from);
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
  // Usually already a key ("comercial sao jorge 1 ltda"): a scan instead of a replace and a trim.
  if (isKeyShaped(clean)) return clean;
  // In ASCII, letters and digits are a-z and 0-9: the same result without a Unicode-aware regex.
  return (ASCII.test(clean) ? clean.replace(/[^a-z0-9]+/g, ' ') : clean.replace(/[^\p{L}\p{N}]+/gu, ' ')).trim();
}

/** Only a-z, 0-9 and single spaces between them: what nameKey returns. */
const KEY_SHAPED = /^(?:[a-z0-9]+(?: [a-z0-9]+)*)?$/;

function isKeyShaped(s: string): boolean {
  return KEY_SHAPED.test(s);
}

/**
 * The lower-cased first letter or digit of a text when everything before it is ASCII: the first
 * character of its nameKey. -1 when there is none or a non-ASCII character comes first (accents,
 * invisible characters: the caller must compute the key to know).
 */
export function firstAsciiAlnum(v: string): number {
  for (let i = 0; i < v.length; i++) {
    let c = v.charCodeAt(i);
    if (c > 0x7f) return -1;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) return c;
  }
  return -1;
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
  'na',
  'nd',
  'ni',
  'sn',
  'si',
  'null',
  'nulo',
  'none',
  'nil',
  'nan',
  'undefined',
  'vazio',
  'nada',
  'nao',
  'naotem',
  'x',
  'xx',
  'xxx',
  'xxxx',
  '0',
  '00',
]);
/**
 * First character of every placeholder key: the bare ones, and sem / nao / nenhum / inexistente /
 * a definir… of QUALIFIED_PLACEHOLDER (keep in step with it). Any other first letter is a quick no.
 */
const PLACEHOLDER_FIRST = new Set([...BARE_PLACEHOLDERS, 's', 'n', 'i', 'a'].map((k) => k.charCodeAt(0)));

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
  // Names and e-mails mostly start with a letter no placeholder starts with ("Comercial…", "contato@…").
  if (typeof v === 'string') {
    const first = firstAsciiAlnum(v);
    if (first !== -1 && !PLACEHOLDER_FIRST.has(first)) return false;
  }
  if (typeof v === 'string' && NONZERO_DIGIT.test(v)) return false;
  const key = nameKey(v);
  if (key === '') return true;
  if (BARE_PLACEHOLDERS.has(key.replace(/ /g, ''))) return true;
  return QUALIFIED_PLACEHOLDER.test(key);
}
