/**
 * Brazilian phone normalisation for WhatsApp dispatch.
 *
 * libphonenumber-js decides validity and line type (phone-classify.ts); the code around it deals with
 * what spreadsheets do to numbers: trunk/carrier prefixes ("0 15 11 …", "0xx11"), float cells ("….0"),
 * extensions, labels, and 8-digit mobiles saved before the 2012–2016 ninth-digit migration. Splitting a
 * cell into numbers is phone-split.ts; reading stored numbers back is phone-variants.ts.
 */
import type { NumberType } from 'libphonenumber-js/max';
import type { PhoneType } from '../model/index.js';
import { classifyBr, classifyBrWithLibphonenumber, mapType, parseE164, type BrClassifier } from './phone-classify.js';
import { commonShape } from './phone-common-shape.js';
import {
  CARRIER_CODES,
  EXTENSION,
  LABEL,
  SHARED_COST_SUBSCRIBER,
  SHORT_LABEL,
  SIMPLE_PHONE,
} from './phone-patterns.js';
import { recoverNumericCell } from './numeric-cell.js';
import { cleanText, isPlaceholder } from './text.js';
import { VALID_DDDS } from './timezone.js';

export type { PhoneType } from '../model/index.js';
export {
  classifyBr,
  classifyBrWithLibphonenumber,
  type BrClassification,
  type BrClassifier,
} from './phone-classify.js';
export { splitPhones } from './phone-split.js';
export { dddOf, phoneVariants } from './phone-variants.js';

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

/** {@link normalizePhone} with libphonenumber deciding every Brazilian number: the reference for tests. */
export function normalizePhoneReference(raw: string): NormalizedPhone {
  return normalizePhoneWith(raw, classifyBrWithLibphonenumber);
}

/** The general path: clean the cell, refuse a written DDD that does not exist, find the national number. */
function normalizePhoneWith(raw: string, classify: BrClassifier): NormalizedPhone {
  const original = raw == null ? '' : String(raw);
  const cleaned = cleanNumber(original);
  if (typeof cleaned !== 'string') return cleaned;
  const s = cleaned;
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
  const national = nationalNumber(original, s, digits);
  if (typeof national !== 'string') return national;
  return classifyNational(original, s, national, classify);
}

/** The cell's text without noise, or the reason it holds no number. */
function cleanNumber(original: string): string | NormalizedPhone {
  const s = cleanText(original);
  if (s === '' || isPlaceholder(s)) return invalid(original, 'vazio');
  const cell = recoverNumericCell(s);
  if (cell.precisionLost) {
    return invalid(original, 'número perdeu precisão na planilha (notação científica); formate a coluna como texto');
  }
  const stripped = stripNoise(cell.text);
  if (/\p{L}/u.test(stripped)) return invalid(original, 'número inválido: contém letras');
  return stripped;
}

/** The Brazilian national number (maybe with trunk prefix), or the verdict on a foreign one. */
function nationalNumber(original: string, s: string, digits: string): string | NormalizedPhone {
  // Explicit international form: "+CC…" or "00 CC…" (the Brazilian international prefix).
  const plus = s.startsWith('+');
  if (plus || digits.startsWith('00')) {
    let intl = plus ? digits : digits.slice(2);
    // From Brazil, "00" is followed by a carrier code: "00 21 1 415…". Drop it if that helps.
    if (!plus && CARRIER_CODES.test(intl.slice(0, 2)) && !parseE164(`+${intl}`)?.isValid()) {
      if (parseE164(`+${intl.slice(2)}`)?.isValid()) intl = intl.slice(2);
    }
    if (!intl.startsWith('55')) return foreign(original, intl);
    return intl.slice(2);
  }
  // Country code without "+": BR national numbers have at most 11 digits, so no ambiguity.
  if (digits.startsWith('55') && (digits.length === 12 || digits.length === 13)) return digits.slice(2);
  return digits;
}

/** A national number → special (0800, 4004…), too short or long, landline or mobile (repaired if old). */
function classifyNational(original: string, s: string, national: string, classify: BrClassifier): NormalizedPhone {
  let nsn = national;
  const trunk = nsn.startsWith('0');
  if (trunk) {
    nsn = nsn.replace(/^0+/, '');
    if ((nsn.length === 12 || nsn.length === 13) && CARRIER_CODES.test(nsn.slice(0, 2))) nsn = nsn.slice(2);
  }
  const shared = sharedOrTollFree(original, nsn, trunk);
  if (shared) return shared;

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

/** 0800/0300/0500/0900 and the nationwide shared-cost numbers, or null. */
function sharedOrTollFree(original: string, nsn: string, trunk: boolean): NormalizedPhone | null {
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
  return null;
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
