/**
 * Brazilian phone normalisation for WhatsApp dispatch.
 *
 * libphonenumber-js decides validity and line type (the "max" metadata is the one that
 * separates MOBILE from FIXED_LINE); the code around it deals with what spreadsheets do to
 * numbers: trunk/carrier prefixes ("0 15 11 …", "0xx11"), float cells ("….0"), extensions,
 * labels, and 8-digit mobiles saved before the 2012–2016 ninth-digit migration.
 */
import { parsePhoneNumberFromString, type NumberType, type PhoneNumber } from 'libphonenumber-js/max';
import { cleanCell, cleanText, isPlaceholder } from './text.js';
import { recoverNumericCell } from './numeric-cell.js';
import { VALID_DDDS } from './timezone.js';

/** Line type. Only `movel` can be dispatched to (WhatsApp lives on mobiles). */
export type PhoneType = 'movel' | 'fixo' | 'toll_free' | 'tarifado' | 'desconhecido' | 'invalido';

/** Result of {@link normalizePhone}. `motivo_invalido` is non-empty iff not dispatchable. */
export interface NormalizedPhone {
  numero_original: string;
  numero_e164: string | null;
  tipo: PhoneType;
  ddd: string | null;
  valido_para_disparo: boolean;
  motivo_invalido: string | null;
  /** True when an old 8-digit mobile got its ninth digit inserted. */
  reparado: boolean;
}

// Long-distance carrier codes ("código de seleção de prestadora") from libphonenumber's BR
// metadata: "0 15 11 98765-4321" dials DDD 11 through carrier 15.
const CARRIER_CODES = /^(?:1[245]|2[1-35]|31|4[13]|[56]5|99)$/;
// Nationwide shared-cost numbers ("números únicos") people sometimes write after a DDD.
const SHARED_COST_SUBSCRIBER = /^(?:300\d|400\d|4020)\d{4}$/;
const LABEL_WORDS =
  'telefones?|tel|fones?|celular(?:es)?|cel|cell|fixo|whats ?app|whats|wpp|zap|contatos?|' +
  'comercial|residencial|pessoal|principal|recados?|outro|alternativo|fax|mobile|phone';
/** Labels anywhere in a phone string ("Cel:", "WhatsApp", "Tel."). Numbers have no letters, so this is safe. */
const LABEL = new RegExp(`(?<![\\p{L}])(?:${LABEL_WORDS})(?![\\p{L}])\\.?\\s*:?`, 'giu');
/** Short labels only count with a colon ("Com: …"), otherwise "falar com João" would split. */
const SHORT_LABEL = /(?<![\p{L}])(?:com|res|nr|num|n[º°o])\.?\s*:/giu;
/** Only digits, spaces and the punctuation of a single number: nothing to split or strip. */
const SIMPLE_PHONE = /^[\d()+\-. ]+$/;
/** Trailing extension: "ramal 23", "r. 23", "ext 5", "x 23". */
const EXTENSION = /(?:^|[\s,;(-])(?:ramal|ram|ext|extens[aã]o|r|x)\.?\s*:?\s*\d{1,5}\)?\s*$/iu;

function result(
  original: string,
  fields: Partial<Omit<NormalizedPhone, 'numero_original'>> & { tipo: PhoneType },
): NormalizedPhone {
  const valid = fields.valido_para_disparo ?? false;
  return {
    numero_original: original,
    numero_e164: fields.numero_e164 ?? null,
    tipo: fields.tipo,
    ddd: fields.ddd ?? null,
    valido_para_disparo: valid,
    motivo_invalido: valid ? null : fields.motivo_invalido || 'número inválido',
    reparado: fields.reparado ?? false,
  };
}

function invalid(original: string, motivo: string): NormalizedPhone {
  return result(original, { tipo: 'invalido', motivo_invalido: motivo });
}

function mapType(t: NumberType): PhoneType {
  switch (t) {
    case 'MOBILE':
      return 'movel';
    case 'FIXED_LINE':
      return 'fixo';
    case 'TOLL_FREE':
      return 'toll_free';
    case 'PREMIUM_RATE':
    case 'SHARED_COST':
      return 'tarifado';
    default:
      // FIXED_LINE_OR_MOBILE (USA…), VOIP, UAN, PAGER…: not something we can dispatch to.
      return 'desconhecido';
  }
}

function parseE164(e164: string): PhoneNumber | undefined {
  return parsePhoneNumberFromString(e164);
}

/** What libphonenumber says about a Brazilian national number (DDD + subscriber): E.164 if valid, and its type. */
export interface BrClassification {
  e164: string | null;
  type: NumberType | undefined;
}
export type BrClassifier = (nsn: string) => BrClassification;

const NOT_VALID: BrClassification = { e164: null, type: undefined };

/** The reference: libphonenumber itself. */
export function classifyBrWithLibphonenumber(nsn: string): BrClassification {
  const p = parseE164(`+55${nsn}`);
  return p?.isValid() ? { e164: p.number, type: p.getType() } : NOT_VALID;
}

/**
 * Same answers as {@link classifyBrWithLibphonenumber}, without libphonenumber for the two shapes
 * nearly every spreadsheet phone has. Why our own code: parsing "+55…" and asking isValid/getType
 * cost ~7 µs per number (parse, the metadata object spreads, a dozen pattern matches), about half of
 * all normalisation CPU on a typical 100k-row import (bench:normalize, profiled). In libphonenumber's
 * BR metadata, a valid DDD followed by 9 + 8 digits is always MOBILE (`DDD(?:7|9\d)\d{7}`), and a
 * valid DDD followed by [2-5] + 7 digits is always FIXED_LINE (`DDD[2-5]\d{7}`; no toll-free, premium
 * or shared-cost pattern starts with a valid DDD in those shapes). Everything else asks
 * libphonenumber. test/unit/normalize-phone-fast.test.ts checks both agree on many thousands of inputs
 * (and fails if a libphonenumber update changes the metadata).
 */
export function classifyBr(nsn: string): BrClassification {
  const n = nsn.length;
  if ((n === 10 || n === 11) && isAllDigits(nsn) && VALID_DDDS.has(nsn.slice(0, 2))) {
    const first = nsn.charCodeAt(2);
    if (n === 11 && first === 57 /* 9 */) return { e164: `+55${nsn}`, type: 'MOBILE' };
    if (n === 10 && first >= 50 /* 2 */ && first <= 53 /* 5 */) return { e164: `+55${nsn}`, type: 'FIXED_LINE' };
  }
  return classifyBrWithLibphonenumber(nsn);
}

function isAllDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}

/** 0800 / 0300 / 0500 / 0900 / 4004-style numbers: never a person's contact. */
function special(original: string, nsn: string, prefix: string): NormalizedPhone {
  const p = parseE164(`+55${nsn}`);
  return result(original, {
    tipo: prefix === '0800' ? 'toll_free' : 'tarifado',
    numero_e164: p?.isValid() ? p.number : null,
    motivo_invalido: `número ${prefix} não é telefone de contato`,
  });
}

function foreign(original: string, digits: string): NormalizedPhone {
  const p = parseE164(`+${digits}`);
  if (!p?.isValid()) return invalid(original, 'número estrangeiro inválido');
  return result(original, {
    numero_e164: p.number,
    tipo: mapType(p.getType()),
    motivo_invalido: 'número estrangeiro',
  });
}

/** Removes labels, remarks in parentheses and extensions, keeping digits, "+", and grouping. */
function stripNoise(s: string): string {
  // Digits and punctuation only (most cells): no label, extension or remark can be there.
  if (SIMPLE_PHONE.test(s)) return cleanText(s.replace(/^[\s:.\-–—]+/, ''));
  let out = s.replace(/\b0\s*x\s*x\s*/giu, '0'); // "0xx11" = trunk 0 + "xx" for the carrier slot
  out = out.replace(EXTENSION, '');
  out = out.replace(LABEL, ' ').replace(SHORT_LABEL, ' ');
  out = out.replace(/\([^()]*\p{L}[^()]*\)/gu, ' '); // remarks: "(falar com Maria)"
  return cleanText(out.replace(/^[\s:.\-–—]+/, ''));
}

/**
 * Normalises one Brazilian phone as typed in a spreadsheet.
 *
 * @example normalizePhone('(11) 98765-4321')
 *   // { numero_e164: '+5511987654321', tipo: 'movel', ddd: '11', valido_para_disparo: true, motivo_invalido: null, reparado: false, … }
 * @example normalizePhone('11 8765-4321')   // old 8-digit mobile → '+5511987654321', reparado: true
 * @example normalizePhone('(11) 3456-7890') // tipo 'fixo', motivo 'telefone fixo não recebe WhatsApp'
 * @example normalizePhone('0800 123 4567')  // tipo 'toll_free', motivo 'número 0800 não é telefone de contato'
 */
export function normalizePhone(raw: string): NormalizedPhone {
  return commonShape(raw) ?? normalizePhoneWith(raw, classifyBr);
}

/**
 * "(11) 98765-4321", "(11) 3456-7890", "11987654321", "11 8765-4321": an optional "(DD)" and 10 or 11
 * digits in groups separated by single spaces or dashes, with a valid DDD. Nearly every phone cell
 * looks like this, and for these the general path comes down to "mobile", "landline" or "old mobile,
 * repaired" after a dozen regex passes (no label, extension, float/scientific artefact, prefix,
 * trunk or carrier code can be there); this decides them in one scan, with the same result object.
 * null → the general path (any other shape, DDD or first digit, and the 4004-style numbers).
 */
function commonShape(raw: string): NormalizedPhone | null {
  if (typeof raw !== 'string') return null;
  const n = raw.length;
  let i = 0;
  if (raw.charCodeAt(0) === 0x28 /* ( */) {
    if (n < 4 || !isDigitCode(raw.charCodeAt(1)) || !isDigitCode(raw.charCodeAt(2)) || raw.charCodeAt(3) !== 0x29)
      return null;
    i = raw.charCodeAt(4) === 0x20 ? 5 : 4;
  }
  let afterSeparator = true; // no separator first, none twice in a row, none last
  for (; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (isDigitCode(c)) afterSeparator = false;
    else if ((c === 0x20 || c === 0x2d) /* space, - */ && !afterSeparator) afterSeparator = true;
    else return null;
  }
  if (afterSeparator) return null;
  const nsn = raw.replace(/\D/g, '');
  if (nsn.length !== 10 && nsn.length !== 11) return null;
  const ddd = nsn.slice(0, 2);
  if (!VALID_DDDS.has(ddd)) return null;
  const first = nsn.charCodeAt(2);
  if (nsn.length === 11) return first === 0x39 /* 9 */ ? commonResult(raw, nsn, ddd, false) : null;
  if (SHARED_COST_SUBSCRIBER.test(nsn.slice(2))) return null;
  if (first >= 0x32 /* 2 */ && first <= 0x35 /* 5 */) {
    return {
      numero_original: raw,
      numero_e164: `+55${nsn}`,
      tipo: 'fixo',
      ddd,
      valido_para_disparo: false,
      motivo_invalido: 'telefone fixo não recebe WhatsApp',
      reparado: false,
    };
  }
  if (first >= 0x36 /* 6 */) return commonResult(raw, `${ddd}9${nsn.slice(2)}`, ddd, true);
  return null;
}

/** A dispatchable mobile, as result() builds it. */
function commonResult(original: string, nsn: string, ddd: string, reparado: boolean): NormalizedPhone {
  return {
    numero_original: original,
    numero_e164: `+55${nsn}`,
    tipo: 'movel',
    ddd,
    valido_para_disparo: true,
    motivo_invalido: null,
    reparado,
  };
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** {@link normalizePhone} with libphonenumber deciding every Brazilian number: the reference for tests. */
export function normalizePhoneReference(raw: string): NormalizedPhone {
  return normalizePhoneWith(raw, classifyBrWithLibphonenumber);
}

function normalizePhoneWith(raw: string, classify: BrClassifier): NormalizedPhone {
  const original = raw == null ? '' : String(raw);
  let s = cleanText(original);
  if (s === '' || isPlaceholder(s)) return invalid(original, 'vazio');

  const cell = recoverNumericCell(s);
  if (cell.precisionLost) {
    return invalid(original, 'número perdeu precisão na planilha (notação científica); formate a coluna como texto');
  }
  s = stripNoise(cell.text);
  if (/\p{L}/u.test(s)) return invalid(original, 'número inválido: contém letras');
  const digits = s.replace(/\D/g, '');
  if (digits === '') return invalid(original, 'número inválido');

  // A DDD written in parentheses, or a leading "0X" group, is a DDD whatever follows: "(00)", "(01)",
  // "01 98765-4321" must be refused, not read as an international or trunk prefix and then "repaired"
  // into a valid mobile of some other DDD (a message to a stranger).
  const written = /^\(\s*(\d{2,3})\s*\)/.exec(s)?.[1] ?? /^(0[1-9])(?=[\s.\-/])/.exec(s)?.[1];
  if (written && (written.length === 2 || written.startsWith('0'))) {
    const ddd = written.length === 3 ? written.slice(1) : written;
    if (!VALID_DDDS.has(ddd)) return invalid(original, `DDD inexistente: ${ddd}`);
  }

  // Explicit international form: "+CC…" or "00 CC…" (the Brazilian international prefix).
  const plus = s.startsWith('+');
  let national: string;
  if (plus || digits.startsWith('00')) {
    let intl = plus ? digits : digits.slice(2);
    // From Brazil, "00" is followed by a carrier code: "00 21 1 415…". Drop it if that helps.
    if (!plus && CARRIER_CODES.test(intl.slice(0, 2)) && !parseE164(`+${intl}`)?.isValid()) {
      if (parseE164(`+${intl.slice(2)}`)?.isValid()) intl = intl.slice(2);
    }
    if (!intl.startsWith('55')) return foreign(original, intl);
    national = intl.slice(2);
  } else if (digits.startsWith('55') && (digits.length === 12 || digits.length === 13)) {
    // Country code without "+": BR national numbers have at most 11 digits, so no ambiguity.
    national = digits.slice(2);
  } else {
    national = digits;
  }

  let nsn = national;
  const trunk = nsn.startsWith('0');
  if (trunk) {
    nsn = nsn.replace(/^0+/, '');
    if ((nsn.length === 12 || nsn.length === 13) && CARRIER_CODES.test(nsn.slice(0, 2))) nsn = nsn.slice(2);
  }

  // 0800/0300/0500/0900. Without the leading 0 only the 10-digit form is unambiguous
  // (DDDs 30/50/80/90 do not exist; a 9-digit "900…" could be a mobile without DDD).
  if (/^[3589]00\d{6,7}$/.test(nsn) && (trunk || nsn.length === 10)) {
    return special(original, nsn, `0${nsn.slice(0, 3)}`);
  }
  if (nsn.length === 8 && parseE164(`+55${nsn}`)?.getType() === 'SHARED_COST') {
    return special(original, nsn, nsn.slice(0, 4));
  }
  if (nsn.length === 10 && VALID_DDDS.has(nsn.slice(0, 2)) && SHARED_COST_SUBSCRIBER.test(nsn.slice(2))) {
    return special(original, nsn, nsn.slice(2, 6));
  }

  if (nsn.length < 10) {
    // "(11) 9876-543" shows a DDD, so it is short; "9876-5432" is a full local number without one.
    const explicitDdd = /^\(\s*0?\d{2}\s*\)/.test(s);
    if (!explicitDdd && (nsn.length === 8 || nsn.length === 9)) return invalid(original, 'número sem DDD');
    return invalid(original, `número incompleto (${nsn.length} dígitos)`);
  }
  if (nsn.length > 11) return invalid(original, `número longo demais (${nsn.length} dígitos)`);

  const ddd = nsn.slice(0, 2);
  if (!VALID_DDDS.has(ddd)) return invalid(original, `DDD inexistente: ${ddd}`);
  const subscriber = nsn.slice(2);
  const first = subscriber[0];

  if (nsn.length === 11) {
    if (first !== '9') return invalid(original, 'número inválido: 9 dígitos após o DDD devem começar com 9');
    return mobile(original, nsn, ddd, false, classify);
  }
  if (first >= '2' && first <= '5') {
    const p = classify(nsn);
    if (p.e164 === null) return invalid(original, 'número inválido');
    const tipo = mapType(p.type as NumberType);
    return result(original, {
      numero_e164: p.e164,
      tipo,
      ddd,
      motivo_invalido: tipo === 'fixo' ? 'telefone fixo não recebe WhatsApp' : 'número não é celular',
    });
  }
  if (first >= '6' && first <= '9') {
    // Mobile saved before the ninth digit was added: insert it.
    return mobile(original, `${ddd}9${subscriber}`, ddd, true, classify);
  }
  return invalid(original, 'número inválido');
}

function mobile(
  original: string,
  nsn: string,
  ddd: string,
  reparado: boolean,
  classify: BrClassifier,
): NormalizedPhone {
  const p = classify(nsn);
  if (p.e164 === null) return invalid(original, 'número inválido');
  const tipo = mapType(p.type as NumberType);
  if (tipo !== 'movel')
    return result(original, { numero_e164: p.e164, tipo, ddd, reparado, motivo_invalido: 'número não é celular' });
  return result(original, { numero_e164: p.e164, tipo, ddd, reparado, valido_para_disparo: true });
}

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

function brNational(e164: string): string | null {
  // Accepts "+5511…", "5511…" and WhatsApp JIDs ("5511…@s.whatsapp.net", "5511…:3@…").
  const digits = String(e164 ?? '')
    .split(/[@:]/)[0]
    .replace(/\D/g, '');
  if (!digits.startsWith('55')) return null;
  const nsn = digits.slice(2);
  if (nsn.length !== 10 && nsn.length !== 11) return null;
  return VALID_DDDS.has(nsn.slice(0, 2)) ? nsn : null;
}

/**
 * DDD of a Brazilian geographic number, or null (foreign, 0800, malformed…).
 *
 * @example dddOf('+5511987654321') // '11'
 * @example dddOf('+14155552671')   // null
 */
export function dddOf(e164: string): string | null {
  const nsn = brNational(e164);
  return nsn ? nsn.slice(0, 2) : null;
}

/**
 * Forms under which a number may come back from WhatsApp. Accounts created before the ninth
 * digit still report the old 8-digit number, so a BR mobile matches with and without the 9.
 * The given form comes first; non-BR or non-mobile numbers return just themselves.
 *
 * @example phoneVariants('+5511987654321') // ['+5511987654321', '+551187654321']
 * @example phoneVariants('+551187654321')  // ['+551187654321', '+5511987654321']
 */
export function phoneVariants(e164: string): string[] {
  const digits = String(e164 ?? '')
    .split(/[@:]/)[0]
    .replace(/\D/g, '');
  if (digits === '') return [];
  const self = `+${digits}`;
  const nsn = brNational(e164);
  if (!nsn) return [self];
  const ddd = nsn.slice(0, 2);
  const sub = nsn.slice(2);
  if (sub.length === 9 && sub[0] === '9') return [self, `+55${ddd}${sub.slice(1)}`];
  if (sub.length === 8 && sub[0] >= '6') return [self, `+55${ddd}9${sub}`];
  return [self];
}
