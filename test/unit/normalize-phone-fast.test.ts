/**
 * Differential test: normalizePhone decides the common Brazilian shapes with its own code
 * (classifyBr) instead of libphonenumber. libphonenumber stays the reference: for many thousands of
 * generated inputs, the fast path must return exactly what the libphonenumber path returns.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../scripts/make-sample-leads.js';
import {
  classifyBr,
  classifyBrWithLibphonenumber,
  normalizePhone,
  normalizePhoneReference,
  splitPhones,
} from '../../src/core/normalize/phone.js';

const rand = mulberry32(20261125); // seeded: a failure always reproduces
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
const DDDS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Every DDD 00–99 × first subscriber digit 0–9 × 6–11 more digits (national numbers of 8–13 digits). */
function nationalNumbers(perCell: number): string[] {
  const out: string[] = [];
  for (const ddd of DDDS) {
    for (let first = 0; first <= 9; first++) {
      for (let rest = 5; rest <= 10; rest++) {
        for (let k = 0; k < perCell; k++) out.push(`${ddd}${first}${digits(rest)}`);
      }
    }
  }
  return out;
}

/** The way people write a national number in a cell: grouping, DDD in parentheses, prefixes. */
function written(nsn: string): string {
  const ddd = nsn.slice(0, 2);
  const sub = nsn.slice(2);
  const cut = sub.length - 4;
  const grouped = pick([
    sub,
    `${sub.slice(0, cut)}-${sub.slice(cut)}`,
    `${sub.slice(0, cut)} ${sub.slice(cut)}`,
    `${sub.slice(0, cut)}.${sub.slice(cut)}`,
    `${sub[0]} ${sub.slice(1, cut)}-${sub.slice(cut)}`,
  ]);
  const withDdd = pick([
    `${ddd}${grouped}`,
    `${ddd} ${grouped}`,
    `(${ddd}) ${grouped}`,
    `(${ddd})${grouped}`,
    `${ddd}-${grouped}`,
  ]);
  return (
    pick(['', '', '', '+55 ', '+55', '55', '55 ', '0', '0 ', '0xx', '(0xx', '0 15 ', '015 ', '00 55 ', '+', ' ']) +
    withDdd +
    pick(['', '', '', ' ', '.0', ' ramal 23', ' r. 5', ' (falar com Ana)'])
  );
}

/** The shapes the fast path decides, many times each: valid DDD + 9 + 8 digits, valid DDD + [2-5] + 7 digits. */
function commonShapes(perDdd: number): string[] {
  const out: string[] = [];
  for (const ddd of DDDS.filter((d) => d[0] !== '0' && d[1] !== '0')) {
    for (let k = 0; k < perDdd; k++) out.push(`${ddd}9${digits(8)}`, `${ddd}${pick(['2', '3', '4', '5'])}${digits(7)}`);
  }
  return out;
}

const JUNK = [
  '',
  ' ',
  '-',
  'N/A',
  'sem telefone',
  'abc',
  '1',
  '12',
  '(11)',
  '+',
  '0',
  '00',
  '0800 123 4567',
  '0300 1234567',
  '0900 123 4567',
  '4004-1234',
  '(11) 4004-1234',
  '4003 1234',
  '1.23457E+10',
  '1.1987654321E+10',
  'Cel: 11 98765-4321',
  '11 9 8765 4321 / 11 3456-7890',
  '(11) 98765-432',
  '(00) 98765-4321',
  '01 98765-4321',
  '(011) 98765-4321',
  '+1 415 555 2671',
  '+44 20 7946 0958',
  '00 1 415 555 2671',
  '00 21 1 415 555 2671',
  '+351 912 345 678',
  '+55',
  '+55 11',
  '5511',
  '55 11 98765 4321 0',
  '0 0 11 98765 4321',
  '+55 0800 123 4567',
  '+55 300 123 4567',
];

function foreignNumbers(n: number): string[] {
  const codes = ['1', '44', '351', '54', '595', '598', '33', '49', '34', '39', '86', '91', '7', '52', '57', '56', '51'];
  return Array.from({ length: n }, () => {
    const cc = pick(codes);
    return `${pick(['+', '00 ', '+ '])}${cc} ${digits(6 + Math.floor(rand() * 7))}`;
  });
}

function randomJunk(n: number): string[] {
  const alphabet = '0123456789 ()+-./xX:;e';
  return Array.from({ length: n }, () =>
    Array.from({ length: 1 + Math.floor(rand() * 20) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''),
  );
}

describe('classifyBr (own code) agrees with libphonenumber', () => {
  it('for every DDD, first digit 0–9 and length 8–13', () => {
    const inputs = [...nationalNumbers(3), ...commonShapes(30)];
    expect(inputs.length).toBeGreaterThan(15_000);
    const fast = inputs.map(classifyBr);
    const reference = inputs.map(classifyBrWithLibphonenumber);
    for (let i = 0; i < inputs.length; i++) {
      if (fast[i].e164 !== reference[i].e164 || fast[i].type !== reference[i].type) {
        expect({ nsn: inputs[i], ...fast[i] }).toEqual({ nsn: inputs[i], ...reference[i] });
      }
    }
    // The fast shapes are really exercised, not only the fallback.
    expect(reference.filter((r) => r.type === 'MOBILE').length).toBeGreaterThan(1_000);
    expect(reference.filter((r) => r.type === 'FIXED_LINE').length).toBeGreaterThan(1_000);
  });
});

describe('normalizePhone (fast path) returns exactly what the libphonenumber path returns', () => {
  const cases = [
    ...nationalNumbers(1).map(written),
    ...nationalNumbers(1).map(written),
    ...commonShapes(10).map(written),
    ...JUNK,
    ...foreignNumbers(2_000),
    ...randomJunk(3_000),
  ];

  it(`for ${cases.length} generated cells`, () => {
    let dispatchable = 0;
    for (const raw of cases) {
      const pieces = splitPhones(raw);
      for (const piece of [raw, ...pieces]) {
        const fast = normalizePhone(piece);
        const reference = normalizePhoneReference(piece);
        if (JSON.stringify(fast) !== JSON.stringify(reference))
          expect({ piece, ...fast }).toEqual({ piece, ...reference });
        if (fast.valido_para_disparo) dispatchable++;
      }
    }
    expect(dispatchable).toBeGreaterThan(1_000);
  });
});
