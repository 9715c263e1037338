/**
 * CPF / CNPJ normalisation and check-digit validation, including the alphanumeric CNPJ
 * that the Receita Federal issues from July 2026 (12 characters [0-9A-Z] + 2 numeric check
 * digits; each character is valued as its ASCII code minus 48, so digits keep their value and
 * 'A' = 17, 'B' = 18…; the weights are those of the numeric CNPJ).
 */
import { cleanText, isPlaceholder } from './text.js';
import { recoverNumericCell } from './numeric-cell.js';

/** Result of {@link normalizeDocument}. */
export interface NormalizedDocument {
  /** Normalised digits/letters (kept even when invalid); null only when empty or unrecoverable. */
  documento: string | null;
  documento_tipo: 'cpf' | 'cnpj' | null;
  documento_valido: boolean;
  motivo_invalido: string | null;
}

const CPF_LENGTH = 11;
const CNPJ_LENGTH = 14;
const CNPJ_WEIGHTS_1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_WEIGHTS_2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_SHAPE = /^[0-9A-Z]{12}[0-9]{2}$/;

const CPF_WEIGHTS_1 = [10, 9, 8, 7, 6, 5, 4, 3, 2];
const CPF_WEIGHTS_2 = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];

/**
 * Mod-11 check digit as used by both CPF and CNPJ: remainder < 2 → 0, else 11 − remainder. Each
 * character is valued as its code minus 48 (digits keep their value, 'A' = 17…), read straight from
 * the string: no array per document.
 */
function mod11(doc: string, weights: number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (doc.charCodeAt(i) - 48) * weights[i];
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

function strip(doc: string): string {
  const s = String(doc ?? '');
  // Already bare digits/capitals (most cells): nothing to remove or upper-case.
  return isBare(s) ? s : s.replace(/[\s.\-/\\]/g, '').toUpperCase();
}

function isBare(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  }
  return true;
}

/** One character repeated (or empty is false, as /^(.)\1*$/ says); "." never matched a line break. */
function allEqual(s: string): boolean {
  if (s.length === 0) return false;
  const first = s.charCodeAt(0);
  if (first === 10 || first === 13 || first === 0x2028 || first === 0x2029) return false;
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) !== first) return false;
  return true;
}

/**
 * CPF check (11 digits, punctuation allowed, no zero-padding here).
 *
 * @example isValidCpf('529.982.247-25') // true
 * @example isValidCpf('111.111.111-11') // false
 */
export function isValidCpf(doc: string): boolean {
  const d = strip(doc);
  if (!/^\d{11}$/.test(d) || allEqual(d)) return false;
  return mod11(d, CPF_WEIGHTS_1) === d.charCodeAt(9) - 48 && mod11(d, CPF_WEIGHTS_2) === d.charCodeAt(10) - 48;
}

/**
 * CNPJ check, numeric or alphanumeric (punctuation allowed, case-insensitive).
 *
 * @example isValidCnpj('11.222.333/0001-81') // true
 * @example isValidCnpj('12.ABC.345/01DE-35') // true (alphanumeric CNPJ)
 */
export function isValidCnpj(doc: string): boolean {
  const d = strip(doc);
  if (!CNPJ_SHAPE.test(d) || allEqual(d)) return false;
  return mod11(d, CNPJ_WEIGHTS_1) === d.charCodeAt(12) - 48 && mod11(d, CNPJ_WEIGHTS_2) === d.charCodeAt(13) - 48;
}

function result(documento: string | null, tipo: 'cpf' | 'cnpj' | null, motivo: string | null): NormalizedDocument {
  return { documento, documento_tipo: tipo, documento_valido: motivo === null, motivo_invalido: motivo };
}

function checked(doc: string, tipo: 'cpf' | 'cnpj'): NormalizedDocument {
  const label = tipo.toUpperCase();
  if (allEqual(doc)) return result(doc, tipo, `${label} inválido: todos os dígitos iguais`);
  const ok = tipo === 'cpf' ? isValidCpf(doc) : isValidCnpj(doc);
  return result(doc, tipo, ok ? null : `${label} com dígito verificador inválido`);
}

/**
 * Normalises a CPF or CNPJ as found in a spreadsheet and validates its check digits.
 *
 * Leading zeros lost in numeric cells are restored by length: up to 11 digits is read as a
 * CPF padded to 11; 12–14 digits can only be a CNPJ (a CPF never has more than 11), padded to
 * 14. A short number that fails as CPF but passes as zero-padded CNPJ is taken as CNPJ, as is
 * one written with "/" or labelled "CNPJ" (the CNPJ branch separator).
 *
 * @example normalizeDocument('529.982.247-25')
 *   // { documento: '52998224725', documento_tipo: 'cpf', documento_valido: true, motivo_invalido: null }
 * @example normalizeDocument('11222333000181')
 *   // { documento: '11222333000181', documento_tipo: 'cnpj', documento_valido: true, … }
 * @example normalizeDocument('1.23457E+13')
 *   // { documento: null, documento_valido: false, motivo_invalido: 'número perdeu precisão na planilha…' }
 */
export function normalizeDocument(raw: string): NormalizedDocument {
  let s = cleanText(raw);
  if (s === '' || isPlaceholder(s)) return result(null, null, 'vazio');

  // "CNPJ: 11.222.333/0001-81", "CPF/CNPJ 123…": the label is a hint, not part of the value.
  const label = /^(cpf|cnpj)(?:\s*\/\s*(?:cpf|cnpj))?\s*(?:n[º°o.]?)?\s*[:\-]?\s*/i.exec(s);
  const labelHint = label && !/\//.test(label[0]) ? label[1].toLowerCase() : null;
  if (label) s = s.slice(label[0].length);

  const cell = recoverNumericCell(s);
  if (cell.precisionLost) {
    return result(
      null,
      null,
      `número perdeu precisão na planilha (notação científica: ${s}); formate a coluna como texto e digite o documento de novo`,
    );
  }
  const slashHint = cell.text.includes('/');
  const doc = strip(cell.text);
  if (doc === '') return result(null, null, 'vazio');
  if (/[^0-9A-Z]/.test(doc)) return result(doc, null, 'documento com caracteres inválidos');

  if (/[A-Z]/.test(doc)) {
    // Letters only exist in the new alphanumeric CNPJ, which is typed as text, so no padding.
    if (doc.length !== CNPJ_LENGTH)
      return result(doc, null, `documento com letras deve ter 14 caracteres (tem ${doc.length})`);
    if (!CNPJ_SHAPE.test(doc)) return result(doc, 'cnpj', 'CNPJ inválido: os 2 últimos caracteres devem ser dígitos');
    return checked(doc, 'cnpj');
  }

  if (doc.length > CNPJ_LENGTH) return result(doc, null, `documento com dígitos demais (${doc.length})`);
  if (doc.length > CPF_LENGTH || slashHint || labelHint === 'cnpj')
    return checked(doc.padStart(CNPJ_LENGTH, '0'), 'cnpj');
  const cpf = doc.padStart(CPF_LENGTH, '0');
  const cnpj = doc.padStart(CNPJ_LENGTH, '0');
  if (labelHint !== 'cpf' && !isValidCpf(cpf) && isValidCnpj(cnpj)) return checked(cnpj, 'cnpj');
  return checked(cpf, 'cpf');
}

/**
 * Display format: CPF "529.982.247-25", CNPJ "11.222.333/0001-81" (alphanumeric too).
 * Values of the wrong length are returned stripped but unformatted. `tipo` null → by length.
 *
 * @example formatDocument('52998224725', 'cpf')     // '529.982.247-25'
 * @example formatDocument('12ABC34501DE35', 'cnpj') // '12.ABC.345/01DE-35'
 */
export function formatDocument(doc: string | null, tipo?: 'cpf' | 'cnpj' | null): string {
  const d = strip(doc ?? '');
  const kind = tipo ?? (d.length === CPF_LENGTH ? 'cpf' : d.length === CNPJ_LENGTH ? 'cnpj' : null);
  if (kind === 'cpf' && d.length === CPF_LENGTH) {
    return `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}`;
  }
  if (kind === 'cnpj' && d.length === CNPJ_LENGTH) {
    return `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}/${d.slice(8, 12)}-${d.slice(12)}`;
  }
  return d;
}

/**
 * Masked form for logs and messages (LGPD). CPF follows the government's convention of
 * hiding the first 3 and the check digits ("***.982.247-**"); CNPJ keeps the root's first 5
 * characters and the check digits ("11.222.***\/****-81"). Other lengths keep only the last 2.
 *
 * @example maskDocument('52998224725')    // '***.982.247-**'
 * @example maskDocument('11222333000181') // '11.222.***\/****-81'
 */
export function maskDocument(doc: string | null): string {
  const d = strip(doc ?? '');
  if (d.length === CPF_LENGTH) return `***.${d.slice(3, 6)}.${d.slice(6, 9)}-**`;
  if (d.length === CNPJ_LENGTH) return `${d.slice(0, 2)}.${d.slice(2, 5)}.***/****-${d.slice(12)}`;
  if (d.length <= 2) return '*'.repeat(d.length);
  return `${'*'.repeat(d.length - 2)}${d.slice(-2)}`;
}
