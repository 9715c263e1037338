import { describe, expect, it } from 'vitest';
import {
  CONTATO_FALLBACK,
  firstName,
  leadVariables,
  type LeadForTemplate,
} from '../../src/core/templates/variables.js';

describe('firstName', () => {
  it.each<[string | null, string | null]>([
    ['MARIA DA SILVA', 'Maria'],
    ['maria da silva', 'Maria'],
    ['  João   Pedro ', 'João'],
    ['JOÃO', 'João'],
    ['ANA-CLARA SOUZA', 'Ana-Clara'],
    ['DeAndre Costa', 'DeAndre'], // mixed case kept as typed
    ['Sr. José Almeida', 'José'],
    ['DRA. ANA LIMA', 'Ana'],
    ['Dona Maria', 'Maria'],
    ['Maria/João', 'Maria'],
    ['Maria, financeiro', 'Maria'],
    ['Financeiro', null],
    ['Setor de Compras', null],
    ['Responsável', null],
    ['J. Silva', null], // an initial is not a name to greet
    ['Sr.', null],
    ['N/A', null],
    ['não informado', null],
    ['123', null],
    ['', null],
    [null, null],
  ])('%j → %j', (input, expected) => {
    expect(firstName(input)).toBe(expected);
  });
});

describe('leadVariables', () => {
  const lead = (patch: Partial<LeadForTemplate>): LeadForTemplate => ({
    nome: 'Padaria Pão Quente Ltda',
    contato_nome: 'MARIA DA SILVA',
    documento: '11222333000181',
    documento_tipo: 'cnpj',
    ...patch,
  });

  it.each<[string, Partial<LeadForTemplate>, string, Record<string, string>]>([
    [
      'CNPJ lead with contact',
      {},
      'Cobra Fácil',
      {
        contato: 'Maria',
        empresa: 'Padaria Pão Quente Ltda',
        documento_mascarado: '11.222.***/****-81',
        remetente: 'Cobra Fácil',
      },
    ],
    [
      'CPF lead without contact: greets the person by the lead name',
      { nome: 'JOSÉ CARLOS PEREIRA', contato_nome: null, documento: '52998224725', documento_tipo: 'cpf' },
      'Cobra Fácil',
      {
        contato: 'José',
        empresa: 'JOSÉ CARLOS PEREIRA',
        documento_mascarado: '***.982.247-**',
        remetente: 'Cobra Fácil',
      },
    ],
    [
      'CNPJ lead without contact: generic greeting, never the company name',
      { contato_nome: null },
      'Cobra Fácil',
      {
        contato: CONTATO_FALLBACK,
        empresa: 'Padaria Pão Quente Ltda',
        documento_mascarado: '11.222.***/****-81',
        remetente: 'Cobra Fácil',
      },
    ],
    [
      'contact is a department',
      { contato_nome: 'Financeiro' },
      'Cobra Fácil',
      {
        contato: 'cliente',
        empresa: 'Padaria Pão Quente Ltda',
        documento_mascarado: '11.222.***/****-81',
        remetente: 'Cobra Fácil',
      },
    ],
    [
      'ALL-CAPS company name kept as typed; spaces cleaned',
      { nome: '  ABC COMERCIO  DE ALIMENTOS ME ' },
      ' Cobra Fácil ',
      {
        contato: 'Maria',
        empresa: 'ABC COMERCIO DE ALIMENTOS ME',
        documento_mascarado: '11.222.***/****-81',
        remetente: 'Cobra Fácil',
      },
    ],
    [
      'alphanumeric CNPJ is masked too',
      { documento: '12ABC34501DE35' },
      'Cobra Fácil',
      {
        contato: 'Maria',
        empresa: 'Padaria Pão Quente Ltda',
        documento_mascarado: '12.ABC.***/****-35',
        remetente: 'Cobra Fácil',
      },
    ],
    [
      'no document and blank sender are left out (rendering reports them)',
      { documento: null, documento_tipo: null },
      '  ',
      { contato: 'Maria', empresa: 'Padaria Pão Quente Ltda' },
    ],
  ])('%s', (_label, patch, remetente, expected) => {
    expect(leadVariables(lead(patch), remetente)).toEqual(expected);
  });
});
