/**
 * libphonenumber's answers about a number (validity and line type; the "max" metadata is the one that
 * separates MOBILE from FIXED_LINE), and our cheaper answer for the two shapes nearly every Brazilian
 * spreadsheet phone has.
 */
import { parsePhoneNumberFromString, type NumberType, type PhoneNumber } from 'libphonenumber-js/max';
import type { PhoneType } from '../model/index.js';
import { VALID_DDDS } from './timezone.js';

export function parseE164(e164: string): PhoneNumber | undefined {
  return parsePhoneNumberFromString(e164);
}

export function mapType(t: NumberType): PhoneType {
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
