import { describe, expect, it } from 'vitest';
import { cellError, cellToString } from '../../src/files/cell.js';

describe('cellToString', () => {
  it.each([
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['string as is', '  ACME Ltda ', '  ACME Ltda '],
    ['NBSP kept for later cleaning', 'Mercado\u00A0Boa Vista', 'Mercado\u00A0Boa Vista'],
    ['CNPJ as number', 11222333000181, '11222333000181'],
    ['CNPJ that lost its leading zero', 4567890000179, '4567890000179'],
    ['mobile as number', 11987654321, '11987654321'],
    ['integer-valued float has no .0', 42.0, '42'],
    ['big integer without exponent', 123456789012345680000, '123456789012345680000'],
    ['negative zero', -0, '0'],
    ['non-integer', 1.5, '1.5'],
    ['NaN', Number.NaN, ''],
    ['boolean', true, 'true'],
    ['date at midnight UTC', new Date(Date.UTC(2026, 10, 12)), '2026-11-12'],
    ['date with time', new Date(Date.UTC(2026, 10, 12, 13, 30)), '2026-11-12T13:30:00.000Z'],
    ['invalid date', new Date(Number.NaN), ''],
    [
      'rich text',
      { richText: [{ text: 'Auto Peças ', font: { bold: true } }, { text: 'Irmãos Souza' }] },
      'Auto Peças Irmãos Souza',
    ],
    ['rich text with an empty run', { richText: [{ text: 'A' }, { text: null }, { text: 'B' }] }, 'AB'],
    ['mailto hyperlink → address', { text: 'Enviar e-mail', hyperlink: 'mailto:ana@beta.com.br' }, 'ana@beta.com.br'],
    [
      'MAILTO with query and escapes',
      { text: 'x', hyperlink: 'MAILTO:jos%C3%A9@x.com.br?subject=Oi' },
      'josé@x.com.br',
    ],
    ['web hyperlink → text', { text: 'Site', hyperlink: 'https://acme.com.br' }, 'Site'],
    [
      'hyperlink with rich text',
      { text: { richText: [{ text: 'a@' }, { text: 'b.com' }] }, hyperlink: 'https://b.com' },
      'a@b.com',
    ],
    ['formula → cached number', { formula: 'C4*1', result: 11222333000181 }, '11222333000181'],
    ['formula → cached string', { formula: 'CONCATENATE("a","b")', result: 'ab' }, 'ab'],
    ['shared formula', { sharedFormula: 'D4', result: 7 }, '7'],
    ['formula without cached value', { formula: '1+1' }, ''],
    ['formula with error result', { formula: 'NA()', result: { error: '#N/A' } }, ''],
    ['error cell', { error: '#N/A' }, ''],
    ['unknown object', { foo: 1 }, ''],
  ])('%s', (_name, value, expected) => {
    expect(cellToString(value)).toBe(expected);
  });
});

describe('cellError', () => {
  it.each([
    [{ error: '#N/A' }, '#N/A'],
    [{ error: '#REF!' }, '#REF!'],
    [{ formula: 'NA()', result: { error: '#N/A' } }, '#N/A'],
    [{ formula: 'NA()', result: Number.NaN }, '#ERROR'],
    [{ formula: '1+1', result: 2 }, null],
    ['#N/A typed as text', null],
    [0, null],
    [null, null],
  ])('%j → %s', (value, expected) => {
    expect(cellError(value)).toBe(expected);
  });
});

describe('cellToString for very large numbers', () => {
  it('spells out integers of 1e21 and above instead of using exponent notation', () => {
    expect(cellToString(1e21)).toBe('1000000000000000000000');
    expect(cellToString(-2e22)).toBe('-20000000000000000000000');
  });
});
