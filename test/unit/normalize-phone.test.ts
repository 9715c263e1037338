import { describe, expect, it } from 'vitest';
import { dddOf, normalizePhone, phoneVariants, splitPhones, type PhoneType } from '../../src/core/normalize/index.js';

type Row = [
  raw: string,
  e164: string | null,
  tipo: PhoneType,
  ddd: string | null,
  valid: boolean,
  motivo: string | null,
  reparado: boolean,
];

describe('normalizePhone', () => {
  const rows: Row[] = [
    // Dispatchable mobiles in every shape spreadsheets produce.
    ['(11) 98765-4321', '+5511987654321', 'movel', '11', true, null, false],
    ['11987654321', '+5511987654321', 'movel', '11', true, null, false], // String() of a numeric cell
    ['11987654321.0', '+5511987654321', 'movel', '11', true, null, false], // float cell
    ['1.1987654321E+10', '+5511987654321', 'movel', '11', true, null, false], // exact scientific
    ['+55 21 9 8888-7777', '+5521988887777', 'movel', '21', true, null, false],
    ['+55 (11) 98765-4321', '+5511987654321', 'movel', '11', true, null, false],
    ['55 11 98765 4321', '+5511987654321', 'movel', '11', true, null, false],
    ['5511987654321', '+5511987654321', 'movel', '11', true, null, false],
    ['011 98765-4321', '+5511987654321', 'movel', '11', true, null, false], // trunk 0
    ['0xx11 98765-4321', '+5511987654321', 'movel', '11', true, null, false],
    ['(0xx11) 98765-4321', '+5511987654321', 'movel', '11', true, null, false],
    ['0 15 11 98765-4321', '+5511987654321', 'movel', '11', true, null, false], // carrier 15
    ['015 11 98765-4321', '+5511987654321', 'movel', '11', true, null, false],
    ['11 9 8765 4321', '+5511987654321', 'movel', '11', true, null, false],
    ['Cel: 11 98765-4321', '+5511987654321', 'movel', '11', true, null, false],
    ['11 98765-4321 (falar com Maria)', '+5511987654321', 'movel', '11', true, null, false],
    ['(68) 99999-1234', '+5568999991234', 'movel', '68', true, null, false],
    // Old 8-digit mobiles get the ninth digit.
    ['11 8765-4321', '+5511987654321', 'movel', '11', true, null, true],
    ['(21) 7123-4567', '+5521971234567', 'movel', '21', true, null, true],
    ['+55 11 8765-4321', '+5511987654321', 'movel', '11', true, null, true],
    // Landlines: valid numbers, but not for WhatsApp.
    ['(11) 3456-7890', '+551134567890', 'fixo', '11', false, 'telefone fixo não recebe WhatsApp', false],
    ['(11) 3456-7890 ramal 23', '+551134567890', 'fixo', '11', false, 'telefone fixo não recebe WhatsApp', false],
    ['(11) 3456-7890 r. 23', '+551134567890', 'fixo', '11', false, 'telefone fixo não recebe WhatsApp', false],
    // Non-geographic numbers.
    ['0800 123 4567', '+558001234567', 'toll_free', null, false, 'número 0800 não é telefone de contato', false],
    ['0300 123 4567', '+553001234567', 'tarifado', null, false, 'número 0300 não é telefone de contato', false],
    ['0900 123 4567', '+559001234567', 'tarifado', null, false, 'número 0900 não é telefone de contato', false],
    ['4004-1234', '+5540041234', 'tarifado', null, false, 'número 4004 não é telefone de contato', false],
    ['4003 1234', '+5540031234', 'tarifado', null, false, 'número 4003 não é telefone de contato', false],
    ['(11) 4004-1234', '+551140041234', 'tarifado', null, false, 'número 4004 não é telefone de contato', false],
    // Invalid.
    ['(20) 98765-4321', null, 'invalido', null, false, 'DDD inexistente: 20', false],
    // A "0X" DDD must not be read as a trunk 0 + an 8-digit number and "repaired" into DDD X9.
    ['(01) 98765-4321', null, 'invalido', null, false, 'DDD inexistente: 01', false],
    ['(09) 98765-4321', null, 'invalido', null, false, 'DDD inexistente: 09', false],
    ['(00) 98765-4321', null, 'invalido', null, false, 'DDD inexistente: 00', false],
    ['01 98765-4321', null, 'invalido', null, false, 'DDD inexistente: 01', false],
    ['(011) 98765-4321', '+5511987654321', 'movel', '11', true, null, false],
    ['(23) 98765-4321', null, 'invalido', null, false, 'DDD inexistente: 23', false],
    ['(90) 8765-4321', null, 'invalido', null, false, 'DDD inexistente: 90', false],
    ['9876-5432', null, 'invalido', null, false, 'número sem DDD', false],
    ['98765-4321', null, 'invalido', null, false, 'número sem DDD', false],
    ['987-6543', null, 'invalido', null, false, 'número incompleto (7 dígitos)', false],
    ['(11) 9876-543', null, 'invalido', null, false, 'número incompleto (9 dígitos)', false],
    ['123456789012345', null, 'invalido', null, false, 'número longo demais (15 dígitos)', false],
    ['(11) 1234-5678', null, 'invalido', null, false, 'número inválido', false],
    [
      '(11) 08765-4321',
      null,
      'invalido',
      null,
      false,
      'número inválido: 9 dígitos após o DDD devem começar com 9',
      false,
    ],
    ['11 9876-ABCD', null, 'invalido', null, false, 'número inválido: contém letras', false],
    [
      '1.19877E+10',
      null,
      'invalido',
      null,
      false,
      'número perdeu precisão na planilha (notação científica); formate a coluna como texto',
      false,
    ],
    ['', null, 'invalido', null, false, 'vazio', false],
    ['-', null, 'invalido', null, false, 'vazio', false],
    ['sem telefone', null, 'invalido', null, false, 'vazio', false],
    // Foreign numbers: parsed, never dispatched.
    ['+1 415 555 2671', '+14155552671', 'desconhecido', null, false, 'número estrangeiro', false],
    ['+351 912 345 678', '+351912345678', 'movel', null, false, 'número estrangeiro', false],
    ['00 1 415 555 2671', '+14155552671', 'desconhecido', null, false, 'número estrangeiro', false],
    ['+99 123', null, 'invalido', null, false, 'número estrangeiro inválido', false],
  ];

  it.each(rows)('%j → %s %s', (raw, e164, tipo, ddd, valid, motivo, reparado) => {
    expect(normalizePhone(raw)).toEqual({
      numero_original: raw,
      numero_e164: e164,
      tipo,
      ddd,
      valido_para_disparo: valid,
      motivo_invalido: motivo,
      reparado,
    });
  });

  it('never leaves motivo_invalido empty when the number is not dispatchable', () => {
    const notValid = rows.map(([raw]) => normalizePhone(raw)).filter((r) => !r.valido_para_disparo);
    expect(notValid.length).toBeGreaterThan(20);
    for (const r of notValid) expect(r.motivo_invalido).toMatch(/\S/);
  });

  it.each([
    '20',
    '23',
    '25',
    '26',
    '29',
    '30',
    '36',
    '39',
    '40',
    '50',
    '52',
    '56',
    '57',
    '58',
    '59',
    '60',
    '70',
    '72',
    '76',
    '78',
    '80',
    '90',
  ])('rejects non-existent DDD %s', (ddd) => {
    expect(normalizePhone(`(${ddd}) 98765-4321`).motivo_invalido).toBe(`DDD inexistente: ${ddd}`);
  });
});

describe('splitPhones', () => {
  it.each([
    ['(11) 98765-4321 / (11) 3456-7890', ['(11) 98765-4321', '(11) 3456-7890']],
    ['11987654321;21988887777', ['11987654321', '21988887777']],
    ['Cel: 11 98765-4321 e Fixo: 11 3456-7890', ['11 98765-4321', '11 3456-7890']],
    ['Tel: 11 3456-7890 Cel: 11 98765-4321', ['11 3456-7890', '11 98765-4321']],
    ['11 98765-4321\n21 98888-7777', ['11 98765-4321', '21 98888-7777']],
    ['11 98765-4321\r\n\r\n21 98888-7777', ['11 98765-4321', '21 98888-7777']],
    ['(11) 98765-4321 ou (11) 3456-7890', ['(11) 98765-4321', '(11) 3456-7890']],
    ['11 98765-4321, 11 3456-7890 | 21 98888-7777', ['11 98765-4321', '11 3456-7890', '21 98888-7777']],
    ['11987654321 21988887777', ['11987654321', '21988887777']],
    ['(11) 98765-4321 (11) 3456-7890', ['(11) 98765-4321', '(11) 3456-7890']],
    ['11 98765-4321 - 11 3456-7890', ['11 98765-4321', '11 3456-7890']],
    ['WhatsApp 11 98765-4321', ['11 98765-4321']],
    ['sem telefone / 11 98765-4321', ['11 98765-4321']],
    // Never split inside one number.
    ['(11) 98765-4321', ['(11) 98765-4321']],
    ['11 9 8765 4321', ['11 9 8765 4321']],
    ['+55 21 9 8888-7777', ['+55 21 9 8888-7777']],
    ['0 15 11 98765-4321', ['0 15 11 98765-4321']],
    ['(11) 3456-7890 ramal 23', ['(11) 3456-7890 ramal 23']],
    ['11987654321.0', ['11987654321.0']],
    // Nothing to dispatch to.
    ['', []],
    ['-', []],
    ['não possui', []],
  ])('splitPhones(%j) → %j', (cell, expected) => {
    expect(splitPhones(cell)).toEqual(expected);
  });

  it('every piece of a mixed cell normalises on its own', () => {
    const pieces = splitPhones('Cel: 11 98765-4321 e Fixo: 11 3456-7890').map((p) => normalizePhone(p));
    expect(pieces.map((p) => [p.numero_e164, p.tipo])).toEqual([
      ['+5511987654321', 'movel'],
      ['+551134567890', 'fixo'],
    ]);
  });
});

describe('phoneVariants', () => {
  it.each([
    ['+5511987654321', ['+5511987654321', '+551187654321']],
    ['+551187654321', ['+551187654321', '+5511987654321']],
    ['5511987654321@s.whatsapp.net', ['+5511987654321', '+551187654321']],
    ['+551134567890', ['+551134567890']], // landline: no ninth-digit twin
    ['+14155552671', ['+14155552671']],
    ['', []],
  ])('phoneVariants(%j) → %j', (input, expected) => {
    expect(phoneVariants(input)).toEqual(expected);
  });
});

describe('dddOf', () => {
  it.each([
    ['+5511987654321', '11'],
    ['+556899991234', '68'],
    ['+551134567890', '11'],
    ['+558001234567', null],
    ['+5520987654321', null],
    ['+14155552671', null],
    ['', null],
  ])('dddOf(%j) → %j', (input, expected) => {
    expect(dddOf(input)).toBe(expected);
  });
});
