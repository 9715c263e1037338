import { describe, expect, it } from 'vitest';
import {
  formatDocument,
  isValidCnpj,
  isValidCpf,
  maskDocument,
  normalizeDocument,
  type NormalizedDocument,
} from '../../src/core/normalize/index.js';

// Check digits below were computed independently (Python, mod 11 with the Receita weights);
// "12.ABC.345/01DE-35" is the Receita Federal's published alphanumeric example.
type Row = [raw: string, documento: string | null, tipo: NormalizedDocument['documento_tipo'], motivo: string | null];

describe('normalizeDocument', () => {
  const rows: Row[] = [
    // CPF
    ['529.982.247-25', '52998224725', 'cpf', null],
    ['52998224725', '52998224725', 'cpf', null],
    ['CPF: 529.982.247-25', '52998224725', 'cpf', null],
    ['1234567890', '01234567890', 'cpf', null], // 012.345.678-90 from a numeric cell
    ['123456797', '00123456797', 'cpf', null], // two leading zeros lost
    ['52998224725.0', '52998224725', 'cpf', null], // float cell
    ['529.982.247-24', '52998224724', 'cpf', 'CPF com dígito verificador inválido'],
    ['111.111.111-11', '11111111111', 'cpf', 'CPF inválido: todos os dígitos iguais'],
    ['191', '00000000191', 'cpf', null], // ≤ 11 digits reads as CPF first (it is a valid one)
    // CNPJ
    ['11.222.333/0001-81', '11222333000181', 'cnpj', null],
    ['11222333000181', '11222333000181', 'cnpj', null],
    ['4252011000110', '04252011000110', 'cnpj', null], // 04.252.011/0001-10 lost its leading zero
    ['123456000149', '00123456000149', 'cnpj', null], // 12 digits can only be a CNPJ
    ['00.000.000/0001-91', '00000000000191', 'cnpj', null], // formatted with "/" → CNPJ
    ['CNPJ 191', '00000000000191', 'cnpj', null], // label says CNPJ
    ['1.1222333000181E+13', '11222333000181', 'cnpj', null], // scientific notation, all digits kept
    ['11.222.333/0001-82', '11222333000182', 'cnpj', 'CNPJ com dígito verificador inválido'],
    ['00.000.000/0000-00', '00000000000000', 'cnpj', 'CNPJ inválido: todos os dígitos iguais'],
    // Alphanumeric CNPJ (from July 2026)
    ['12.ABC.345/01DE-35', '12ABC34501DE35', 'cnpj', null],
    ['12.abc.345/01de-35', '12ABC34501DE35', 'cnpj', null],
    ['AB.CDE.FGH/0001-95', 'ABCDEFGH000195', 'cnpj', null],
    ['A1.B2C.3D4/0001-93', 'A1B2C3D4000193', 'cnpj', null],
    ['12.ABC.345/01DE-36', '12ABC34501DE36', 'cnpj', 'CNPJ com dígito verificador inválido'],
    ['12.ABC.345/01DE-3X', '12ABC34501DE3X', 'cnpj', 'CNPJ inválido: os 2 últimos caracteres devem ser dígitos'],
    ['12ABC34501DE', '12ABC34501DE', null, 'documento com letras deve ter 14 caracteres (tem 12)'],
    // Unusable
    ['123456789012345', '123456789012345', null, 'documento com dígitos demais (15)'],
    ['529#982', '529#982', null, 'documento com caracteres inválidos'],
    [
      '1.23457E+13',
      null,
      null,
      'número perdeu precisão na planilha (notação científica: 1.23457E+13); formate a coluna como texto e digite o documento de novo',
    ],
    ['', null, null, 'vazio'],
    ['-', null, null, 'vazio'],
    ['não possui', null, null, 'vazio'],
  ];

  it.each(rows)('%j → %j (%s)', (raw, documento, tipo, motivo) => {
    expect(normalizeDocument(raw)).toEqual({
      documento,
      documento_tipo: tipo,
      documento_valido: motivo === null,
      motivo_invalido: motivo,
    });
  });
});

describe('isValidCpf / isValidCnpj', () => {
  it.each([
    ['529.982.247-25', true],
    ['01234567890', true],
    ['52998224726', false],
    ['00000000000', false],
    ['1234567890', false], // no padding here: that is normalizeDocument's job
  ])('isValidCpf(%j) → %s', (doc, expected) => {
    expect(isValidCpf(doc)).toBe(expected);
  });

  it.each([
    ['11.222.333/0001-81', true],
    ['04.252.011/0001-10', true],
    ['12.ABC.345/01DE-35', true],
    ['12ABC34501DE35', true],
    ['12ABC34501DE53', false],
    ['11111111111111', false],
    ['1122233300018', false],
  ])('isValidCnpj(%j) → %s', (doc, expected) => {
    expect(isValidCnpj(doc)).toBe(expected);
  });
});

describe('formatDocument', () => {
  it.each([
    ['52998224725', 'cpf', '529.982.247-25'],
    ['11222333000181', 'cnpj', '11.222.333/0001-81'],
    ['12ABC34501DE35', 'cnpj', '12.ABC.345/01DE-35'],
    ['52998224725', null, '529.982.247-25'],
    ['529.982.247-25', undefined, '529.982.247-25'],
    ['123', 'cpf', '123'],
    [null, null, ''],
  ] as const)('formatDocument(%j, %j) → %j', (doc, tipo, expected) => {
    expect(formatDocument(doc, tipo)).toBe(expected);
  });
});

describe('maskDocument', () => {
  it.each([
    ['12345678909', '***.456.789-**'],
    ['529.982.247-25', '***.982.247-**'],
    ['12345678000195', '12.345.***/****-95'],
    ['12ABC34501DE35', '12.ABC.***/****-35'],
    ['123456', '****56'],
    [null, ''],
  ])('maskDocument(%j) → %j', (doc, expected) => {
    expect(maskDocument(doc)).toBe(expected);
  });
});
