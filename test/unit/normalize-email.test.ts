import { describe, expect, it } from 'vitest';
import { normalizeEmail, splitEmails } from '../../src/core/normalize/index.js';

describe('normalizeEmail', () => {
  it.each([
    ['MAILTO:Joao@Empresa.com.br', 'joao@empresa.com.br'],
    [' joao@empresa.com.br ', 'joao@empresa.com.br'],
    ['\u00A0Joao.Silva+leads@Empresa.COM.BR\u200B', 'joao.silva+leads@empresa.com.br'],
    ['<joao@empresa.com.br>', 'joao@empresa.com.br'],
    ['"João Silva" <Joao@X.com.br>', 'joao@x.com.br'],
    ["'joao@empresa.com.br'", 'joao@empresa.com.br'],
    ['joao@empresa.com.br.', 'joao@empresa.com.br'],
    ['joao@empresa.com.br;', 'joao@empresa.com.br'],
    ['maria_souza-1@sub.dominio.org', 'maria_souza-1@sub.dominio.org'],
  ])('%j is valid as %j', (raw, normalizado) => {
    expect(normalizeEmail(raw)).toEqual({
      email_original: raw,
      email_normalizado: normalizado,
      valido_para_disparo: true,
      motivo_invalido: null,
    });
  });

  it.each([
    ['', null, 'vazio'],
    ['-', null, 'vazio'],
    ['--', null, 'vazio'],
    ['sem email', null, 'placeholder'],
    ['Sem E-mail', null, 'placeholder'],
    ['N/A', null, 'placeholder'],
    ['não possui', null, 'placeholder'],
    ['joao@@x.com', 'joao@@x.com', 'e-mail com mais de um @'],
    ['joao@gmail.con', 'joao@gmail.con', 'domínio com erro de digitação provável: gmail.con'],
    ['Joao@Hotmal.com', 'joao@hotmal.com', 'domínio com erro de digitação provável: hotmal.com'],
    ['joao@empresa.com.rb', 'joao@empresa.com.rb', 'domínio com erro de digitação provável: empresa.com.rb'],
    ['joao.empresa.com.br', 'joao.empresa.com.br', 'e-mail sem @'],
    ['joao silva@x.com', 'joao silva@x.com', 'e-mail contém espaços'],
    ['joão@x.com', 'joão@x.com', 'e-mail com acento ou caractere especial'],
    ['joao.@x.com', 'joao.@x.com', 'parte antes do @ inválida'],
    ['@x.com', '@x.com', 'parte antes do @ inválida'],
    ['joao@x', 'joao@x', 'domínio inválido: x'],
    ['joao@x..com', 'joao@x..com', 'domínio inválido: x..com'],
    ['joao@-x.com', 'joao@-x.com', 'domínio inválido: -x.com'],
    ['joao@x.c', 'joao@x.c', 'domínio inválido: x.c'],
    ['joao@x.123', 'joao@x.123', 'domínio inválido: x.123'],
  ])('%j is invalid (%j): %s', (raw, normalizado, motivo) => {
    expect(normalizeEmail(raw)).toEqual({
      email_original: raw,
      email_normalizado: normalizado,
      valido_para_disparo: false,
      motivo_invalido: motivo,
    });
  });
});

describe('splitEmails', () => {
  it.each([
    ['a;b', ['a', 'b']],
    ['joao@x.com; maria@y.com', ['joao@x.com', 'maria@y.com']],
    ['joao@x.com / maria@y.com | ana@z.com', ['joao@x.com', 'maria@y.com', 'ana@z.com']],
    ['joao@x.com, maria@y.com', ['joao@x.com', 'maria@y.com']],
    ['joao@x.com maria@y.com', ['joao@x.com', 'maria@y.com']],
    ['joao@x.com e maria@y.com', ['joao@x.com', 'maria@y.com']],
    ['joao@x.com ou maria@y.com', ['joao@x.com', 'maria@y.com']],
    ['joao@x.com\nmaria@y.com', ['joao@x.com', 'maria@y.com']],
    ['Email: João <joao@x.com>', ['<joao@x.com>']],
    ['sem email; joao@x.com', ['joao@x.com']],
    ['joao.empresa.com', ['joao.empresa.com']], // no "@": kept whole so it is reported once
    ['sem email', []],
    ['não possui', []],
    ['', []],
  ])('splitEmails(%j) → %j', (cell, expected) => {
    expect(splitEmails(cell)).toEqual(expected);
  });
});
