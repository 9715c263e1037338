/**
 * E-mail normalisation. Deliberately practical rather than RFC 5322-complete: the goal is to
 * keep junk out of the dispatch list, and quoted local parts or IP-literal domains never show
 * up in lead spreadsheets. Typos are flagged, never silently "fixed": sending to a guessed
 * address is worse than asking the user.
 */
import { cleanCell, cleanText, firstAsciiAlnum, isPlaceholder, nameKey } from './text.js';

/** Result of {@link normalizeEmail}. `motivo_invalido` is non-empty iff not valid. */
export interface NormalizedEmail {
  email_original: string;
  email_normalizado: string | null;
  valido_para_disparo: boolean;
  motivo_invalido: string | null;
}

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** Two or more DOMAIN_LABELs joined by dots: one test instead of a split and a test per label (profiled). */
const DOMAIN_LABELS = new RegExp(`^(?:${DOMAIN_LABEL}\\.)+${DOMAIN_LABEL}$`);
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

// Misspellings of the providers Brazilian leads actually use. Only exact domains: a fuzzy
// matcher would flag legitimate small-company domains.
const TYPO_DOMAINS = new Set([
  'gmail.con',
  'gmail.co',
  'gmail.cm',
  'gmail.om',
  'gmail.cmo',
  'gmail.ocm',
  'gmail.comm',
  'gmail.com.com',
  'gmal.com',
  'gmial.com',
  'gmai.com',
  'gamil.com',
  'gnail.com',
  'gmaill.com',
  'gmeil.com',
  'gmsil.com',
  'gimail.com',
  'hotmal.com',
  'hotmial.com',
  'hotmai.com',
  'homail.com',
  'hotmil.com',
  'hotamil.com',
  'hotmaill.com',
  'hormail.com',
  'hotmail.con',
  'hotmail.co',
  'hotmail.cm',
  'hotmail.com.brr',
  'hotmail.combr',
  'yahoo.con',
  'yaho.com',
  'yahoo.com.bt',
  'yahho.com',
  'yhaoo.com',
  'yahoo.combr',
  'outlok.com',
  'outloo.com',
  'outlook.con',
  'outlook.co',
  'otlook.com',
  'outllok.com',
  'uol.con',
  'uol.com.bt',
  'bol.con',
  'bol.com.bt',
  'terra.con',
  'icloud.con',
  'icoud.com',
  'live.con',
]);
// ".con", ".cmo"… are not TLDs anywhere; ".com.rb" and friends are swapped ".com.br".
const TYPO_SUFFIX = /\.(?:con|cmo|ocm|vom|xom|comm|cpm|coom|com\.rb|com\.be|com\.bt|combr|br\.com)$/;

function invalid(original: string, normalizado: string | null, motivo: string): NormalizedEmail {
  return {
    email_original: original,
    email_normalizado: normalizado,
    valido_para_disparo: false,
    motivo_invalido: motivo,
  };
}

/** Undo wrappers spreadsheets and mail clients add: mailto:, "Name <a@b>", quotes, punctuation. */
function unwrap(v: string): string {
  let s = cleanText(v);
  // Each replace below runs only when the cheap check says it may change something: most cells are a
  // bare address, and the end-anchored patterns would otherwise be tried at every position (profiled).
  if (s.includes('<')) {
    const angle = /<([^<>]*@[^<>]*)>/.exec(s); // "João <joao@x.com>"
    if (angle) s = angle[1];
  }
  s = s.replace(/^mailto:/i, '');
  if (mayBeWrapped(s)) s = s.replace(/^["'“”‘’(<[\s]+|["'“”‘’)>\]\s]+$/g, '');
  s = s.replace(/^mailto:/i, ''); // '"mailto:…"': quotes came first
  if (mayHaveEdgePunctuation(s)) s = s.replace(/[.,;:!?]+$/, '').replace(/^[.,;:]+/, '');
  return s.toLowerCase();
}

/** First or last character possibly a quote, bracket or space (anything non-ASCII counts as possibly). */
function mayBeWrapped(s: string): boolean {
  if (s === '') return false;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return (
    first <= 0x20 ||
    first >= 0x7f ||
    `"'(<[`.includes(s[0]) ||
    last <= 0x20 ||
    last >= 0x7f ||
    `"')>]`.includes(s[s.length - 1])
  );
}

function mayHaveEdgePunctuation(s: string): boolean {
  return s !== '' && ('.,;:!?'.includes(s[s.length - 1]) || '.,;:'.includes(s[0]));
}

/**
 * Normalises one e-mail address (trim, unwrap, lowercase) and checks it is sendable.
 *
 * @example normalizeEmail('MAILTO:Joao@Empresa.com.br').email_normalizado // 'joao@empresa.com.br'
 * @example normalizeEmail('sem email').motivo_invalido                  // 'placeholder'
 * @example normalizeEmail('-').motivo_invalido                          // 'vazio'
 * @example normalizeEmail('joao@gmail.con').motivo_invalido
 *   // 'domínio com erro de digitação provável: gmail.con'
 */
export function normalizeEmail(raw: string): NormalizedEmail {
  const original = raw == null ? '' : String(raw);
  const trimmed = cleanText(original);
  // A letter or digit up front means a non-empty nameKey: no need to build it.
  if (trimmed === '' || (firstAsciiAlnum(trimmed) === -1 && nameKey(trimmed) === ''))
    return invalid(original, null, 'vazio');
  if (isPlaceholder(trimmed)) return invalid(original, null, 'placeholder');

  const email = unwrap(trimmed);
  if (email === '') return invalid(original, null, 'vazio');
  if (/\s/.test(email)) return invalid(original, email, 'e-mail contém espaços');
  const at = email.indexOf('@');
  if (at === -1) return invalid(original, email, 'e-mail sem @');
  if (email.indexOf('@', at + 1) !== -1) return invalid(original, email, 'e-mail com mais de um @');
  if (/[^\x21-\x7e]/.test(email)) return invalid(original, email, 'e-mail com acento ou caractere especial');

  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local === '' || local.length > 64 || !LOCAL_PART.test(local)) {
    return invalid(original, email, 'parte antes do @ inválida');
  }
  if (
    domain === '' ||
    domain.length > 253 ||
    !DOMAIN_LABELS.test(domain) ||
    !TLD.test(domain.slice(domain.lastIndexOf('.') + 1))
  ) {
    return invalid(original, email, `domínio inválido: ${domain}`);
  }
  if (email.length > 254) return invalid(original, email, 'e-mail longo demais');
  if (TYPO_DOMAINS.has(domain) || TYPO_SUFFIX.test(domain)) {
    return invalid(original, email, `domínio com erro de digitação provável: ${domain}`);
  }
  return { email_original: original, email_normalizado: email, valido_para_disparo: true, motivo_invalido: null };
}

const EMAIL_SEPARATORS = /[\n/;,|]+/;
const MULTI = /[\s/;,|]/;

/**
 * Splits a cell holding several e-mails (separated by "/", ";", ",", "|", newlines, spaces,
 * " e "/" ou "). When a space-separated chunk contains addresses, only the tokens with "@"
 * are kept, so names and labels around them ("Email: João <joao@x.com>") are dropped; a
 * chunk without any "@" is kept whole so normalizeEmail reports it once.
 *
 * @example splitEmails('a@x.com; b@y.com e c@z.com') // ['a@x.com', 'b@y.com', 'c@z.com']
 * @example splitEmails('a;b')                        // ['a', 'b']
 */
export function splitEmails(cell: string): string[] {
  const text = cleanCell(cell);
  if (text === '' || isPlaceholder(text)) return [];
  // One address without separators or spaces (most cells): the loop below gives the same.
  if (!MULTI.test(text)) return [text];
  const out: string[] = [];
  for (const chunk of text.split(EMAIL_SEPARATORS)) {
    const piece = cleanText(chunk);
    if (piece === '' || isPlaceholder(piece)) continue;
    const tokens = piece.split(' ');
    const withAt = tokens.filter((t) => t.includes('@'));
    out.push(...(withAt.length > 0 ? withAt : [piece]));
  }
  return out;
}
