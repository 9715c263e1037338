import { describe, expect, it } from 'vitest';
import {
  cleanCell,
  cleanText,
  isPlaceholder,
  nameKey,
  recoverNumericCell,
  stripAccents,
} from '../../src/core/normalize/index.js';

describe('cleanText', () => {
  it.each([
    ['  Padaria\u00A0 São  João\n', 'Padaria São João'],
    ['a\u2003b\u202Fc', 'a b c'],
    ['11\u200B98765-4321\uFEFF', '1198765-4321'], // zero-width removed, not turned into a space
    ['linha 1\r\nlinha 2', 'linha 1 linha 2'],
    ['Sa\u0303o', 'São'], // decomposed (macOS) accent composed to NFC
    [null, ''],
    [undefined, ''],
  ])('cleanText(%j) → %j', (input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });
});

describe('cleanCell', () => {
  it.each([
    [' a\u00A0 b \r\n\r\n c ', 'a b\nc'],
    ['11 98765-4321\n\n21 98888-7777', '11 98765-4321\n21 98888-7777'],
    ['x\u2028y', 'x\ny'],
    [null, ''],
  ])('cleanCell(%j) → %j', (input, expected) => {
    expect(cleanCell(input)).toBe(expected);
  });
});

describe('nameKey / stripAccents', () => {
  it.each([
    ['Padaria  São João LTDA.', 'padaria sao joao ltda'],
    ['padaria sao joao ltda', 'padaria sao joao ltda'],
    ['AÇOUGUE BOI-GORDO S/A', 'acougue boi gordo s a'],
    ['  José   da  Silva ', 'jose da silva'],
    ['---', ''],
  ])('nameKey(%j) → %j', (input, expected) => {
    expect(nameKey(input)).toBe(expected);
  });

  it('gives the same key for spellings that only differ in accents, case and punctuation', () => {
    expect(nameKey('Padaria  São João LTDA.')).toBe(nameKey('PADARIA SAO JOAO, ltda'));
  });

  it('stripAccents keeps letters and case', () => {
    expect(stripAccents('Não Possui Ção')).toBe('Nao Possui Cao');
  });
});

describe('isPlaceholder', () => {
  it.each([
    '',
    ' ',
    '-',
    '--',
    '.',
    '?',
    'n/a',
    'N/A',
    'na',
    'n/d',
    'nd',
    'null',
    'NULL',
    'none',
    'nenhum',
    'sem email',
    'sem e-mail',
    'Sem E-mail',
    'sem telefone',
    'nao possui',
    'não possui',
    'não tem',
    'NÃO TEM E-MAIL',
    'nao informado',
    'não informado',
    'x',
    'xx',
    '0',
    's/n',
    'nan',
  ])('%j is a placeholder', (value) => {
    expect(isPlaceholder(value)).toBe(true);
  });

  it.each(['Maria', 'joao@x.com', '11 98765-4321', '191', '000', 'Nadia', 'Semana'])(
    '%j is not a placeholder',
    (value) => {
      expect(isPlaceholder(value)).toBe(false);
    },
  );
});

describe('recoverNumericCell', () => {
  it.each([
    ['11987654321.0', '11987654321', false],
    ['11987654321,00', '11987654321', false],
    ['1.1987654321E+10', '11987654321', false],
    ['1.1222333000181E+13', '11222333000181', false],
    ['1.23457E+13', '1.23457E+13', true],
    ['(11) 98765-4321', '(11) 98765-4321', false],
  ])('recoverNumericCell(%j) → %j (lost: %s)', (input, text, precisionLost) => {
    expect(recoverNumericCell(input)).toEqual({ text, precisionLost });
  });
});
