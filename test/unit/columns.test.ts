import { describe, expect, it } from 'vitest';
import {
  detectHeader,
  mapRow,
  matchHeader,
  normalizeHeader,
  type ColumnMapping,
  type LeadField,
  type SheetRow,
} from '../../src/core/ingest/columns.js';

const SHEET = 'Leads';
const row = (rowNumber: number, cells: string[], sheet = SHEET): SheetRow => ({ sheet, rowNumber, cells });
const fields = (m: ColumnMapping | null) => m?.columns.map((c) => c.field);

describe('matchHeader', () => {
  const table: Array<[LeadField | null, string[]]> = [
    [
      'nome',
      [
        'Empresa',
        'Razão Social',
        'RAZAO SOCIAL',
        'razão  social ',
        'Nome Fantasia',
        'Cliente',
        'Nome',
        'Nome da Empresa',
        'Companhia',
        'Razão Social / Nome',
      ],
    ],
    [
      'contato_nome',
      [
        'Contato',
        'Responsável',
        'Nome do Responsável',
        'Nome do Contato',
        'Pessoa de Contato',
        'Nome do contato principal',
      ],
    ],
    [
      'documento',
      [
        'CNPJ/CPF',
        'CPF/CNPJ',
        'CNPJ',
        'CPF',
        'Documento',
        'Doc',
        'CNPJ_CPF',
        'C.N.P.J.',
        'CNPJ do cliente',
        'CPF ou CNPJ (só números)',
      ],
    ],
    [
      'telefone',
      [
        'Telefone',
        'Telefones',
        'Celular',
        'WhatsApp',
        'Whats',
        'Fone',
        'Tel',
        'Telefone Fixo',
        'Telefone 1',
        'Telefone 2',
        'Tel. 2',
        'Cel',
        'Contato Telefônico',
        'Telefone (com DDD)',
        '2º Telefone',
        'Telefone\ncomercial',
      ],
    ],
    [
      'email',
      [
        'Email',
        'E-mail',
        'Emails',
        'E-mails',
        'Correio Eletrônico',
        'Email 1',
        'Email 2',
        'E-MAIL 3',
        'E-mail do responsável',
      ],
    ],
    ['lead_id_externo', ['ID', 'Código', 'Cod', 'Cód.', 'ID Externo', 'Código do Cliente']],
    ['uf', ['UF', 'Cidade/UF', 'Cidade - UF', 'Município/UF', 'Estado', 'Cidade/Estado', 'UF do cliente']],
    [
      null,
      [
        'Cidade',
        'Observações',
        'Endereço',
        'Cargo',
        'Data de cadastro',
        '',
        '   ',
        'Relatório de Leads — Exportado em 12/11/2026',
        'Lista de clientes com telefone e e-mail atualizados em novembro',
      ],
    ],
  ];
  for (const [field, headers] of table) {
    it.each(headers)(`%j → ${field}`, (header) => {
      expect(matchHeader(header)).toBe(field);
    });
  }

  it('normalises accents, case, punctuation and spacing', () => {
    expect(normalizeHeader('  Razão\u00A0Social/Nome ')).toBe('razao social nome');
    expect(normalizeHeader('E-mail 2')).toBe('email 2');
    expect(normalizeHeader('C.N.P.J.')).toBe('cnpj');
  });
});

describe('detectHeader', () => {
  const sample = [
    row(1, ['Relatório de Leads — Exportado em 12/11/2026']), // merged title: text only in A1
    row(2, []),
    row(3, [
      'Razão Social',
      'Nome do Responsável',
      'CNPJ/CPF',
      'Telefone 1',
      'Telefone 2',
      'E-mail',
      'Cidade',
      'Observações',
    ]),
    row(4, ['Padaria Pão Quente Ltda', 'Maria', '4567890000179', '(11) 98765-4321', '', 'a@b.com', 'São Paulo', '']),
  ];

  it('skips the title and blank rows and maps the header', () => {
    const mapping = detectHeader(sample);
    expect(mapping?.headerRowNumber).toBe(3);
    expect(mapping?.sheet).toBe(SHEET);
    expect(mapping?.columns).toEqual([
      { index: 0, header: 'Razão Social', field: 'nome' },
      { index: 1, header: 'Nome do Responsável', field: 'contato_nome' },
      { index: 2, header: 'CNPJ/CPF', field: 'documento' },
      { index: 3, header: 'Telefone 1', field: 'telefone' },
      { index: 4, header: 'Telefone 2', field: 'telefone' },
      { index: 5, header: 'E-mail', field: 'email' },
      { index: 6, header: 'Cidade', field: null },
      { index: 7, header: 'Observações', field: null },
    ]);
  });

  it.each([
    [
      ['Empresa', 'Nome', 'Telefone'],
      ['nome', 'contato_nome', 'telefone'],
    ],
    [
      ['Nome', 'Empresa', 'Telefone'],
      ['contato_nome', 'nome', 'telefone'],
    ],
    [
      ['Nome Fantasia', 'Razão Social', 'CNPJ'],
      [null, 'nome', 'documento'],
    ],
    [
      ['Razão Social', 'Nome Fantasia', 'Nome', 'Celular'],
      ['nome', null, 'contato_nome', 'telefone'],
    ],
    [
      ['Empresa', 'Contato', 'Nome', 'Email'],
      ['nome', 'contato_nome', null, 'email'],
    ],
    [
      ['Cliente', 'Responsável', 'Responsável Financeiro', 'Email'],
      ['nome', 'contato_nome', null, 'email'],
    ],
    [
      ['ID', 'Código', 'Nome', 'WhatsApp'],
      ['lead_id_externo', null, 'nome', 'telefone'],
    ],
    [
      ['CNPJ', 'CPF', 'Nome'],
      ['documento', 'documento', 'nome'],
    ],
    [['Telefone'], ['telefone']],
  ])('resolves %j → %j', (headers, expected) => {
    expect(fields(detectHeader([row(1, headers)]))).toEqual(expected);
  });

  it('needs a name, document, phone or e-mail column', () => {
    expect(detectHeader([row(1, ['Cidade', 'UF']), row(2, ['São Paulo', 'SP'])])).toBeNull();
    expect(detectHeader([row(1, ['ID', 'Cidade']), row(2, ['17', 'Santos'])])).toBeNull();
    expect(detectHeader([])).toBeNull();
  });

  it('prefers the row that maps the most fields', () => {
    const rows = [row(1, ['Contato']), row(2, ['Empresa', 'Contato', 'Telefone', 'Email'])];
    expect(detectHeader(rows)?.headerRowNumber).toBe(2);
  });

  it('ignores data-looking cells and rows past the first 30', () => {
    expect(detectHeader([row(1, ['ana@x.com', '11987654321'])])).toBeNull();
    const late = [
      ...Array.from({ length: 30 }, (_, i) => row(i + 1, [`Instrução ${i + 1}`])),
      row(31, ['Nome', 'Telefone']),
    ];
    expect(detectHeader(late)).toBeNull();
  });

  it('looks only at the sheet of the first row', () => {
    const rows = [row(1, ['Leia-me'], 'Instruções'), row(1, ['Empresa', 'Telefone'], 'Leads')];
    expect(detectHeader(rows)).toBeNull();
    expect(detectHeader(rows.slice(1))?.sheet).toBe('Leads');
  });

  it('lets columnMap override the synonyms, by header text compared loosely', () => {
    const headers = ['Cliente Final', 'Celular', 'Fone Recado', 'Apelido', 'Razão Social'];
    const mapping = detectHeader([row(1, headers)], {
      columnMap: { 'cliente final': 'nome', 'FONE RECADO': null, 'Apelido ': 'contato_nome' },
    });
    expect(fields(mapping)).toEqual(['nome', 'telefone', null, 'contato_nome', null]);
  });

  it('finds a header by columnMap alone', () => {
    expect(
      fields(detectHeader([row(1, ['Fulano', 'Numero'])], { columnMap: { Fulano: 'nome', Numero: 'telefone' } })),
    ).toEqual(['nome', 'telefone']);
  });
});

describe('mapRow', () => {
  const mapping = detectHeader([
    row(3, [
      'Razão Social',
      'Nome do Responsável',
      'CNPJ/CPF',
      'Telefone 1',
      'Telefone 2',
      'E-mail',
      'Cidade',
      'Observações',
    ]),
  ])!;

  it('maps a row, keeping unmapped columns in extras', () => {
    const lead = mapRow(
      mapping,
      row(4, [
        'Padaria Pão Quente Ltda',
        'Maria da Silva',
        '4567890000179',
        '(11) 98765-4321 / (11) 3456-7890',
        '',
        'contato@paoquente.com.br',
        'São Paulo',
        'Cliente desde 2019',
      ]),
    );
    expect(lead).toEqual({
      rowNumber: 4,
      sheet: SHEET,
      nome: 'Padaria Pão Quente Ltda',
      contato_nome: 'Maria da Silva',
      documento: '4567890000179',
      telefones: ['(11) 98765-4321 / (11) 3456-7890'],
      emails: ['contato@paoquente.com.br'],
      lead_id_externo: '',
      extras: { Cidade: 'São Paulo', Observações: 'Cliente desde 2019' },
    });
  });

  it('trims NBSP and stray spaces and treats placeholders as empty', () => {
    const lead = mapRow(
      mapping,
      row(5, ['Mercado\u00A0Boa  Vista ', ' - ', 'N/A', ' 11 8765-4321\u00A0', '0800 123 4567', 'sem email', '', 'x']),
    );
    expect(lead).toMatchObject({
      nome: 'Mercado Boa Vista',
      contato_nome: '',
      documento: '',
      telefones: ['11 8765-4321', '0800 123 4567'],
      emails: [],
      extras: { Observações: 'x' },
    });
  });

  it('does not split cells with several phones or e-mails', () => {
    const lead = mapRow(mapping, row(6, ['ACME', '', '', '11 98765-4321; 11 3456-7890', '', 'a@acme.com, b@acme.com']));
    expect(lead?.telefones).toEqual(['11 98765-4321; 11 3456-7890']);
    expect(lead?.emails).toEqual(['a@acme.com, b@acme.com']);
  });

  it.each([
    [['Total: 123 registros']],
    [['TOTAL DE LEADS', '123']],
    [['Total de leads']],
    [['Subtotal: 45']],
    [['Gerado em 12/11/2026 às 10:32 por CRM']],
    [['Fonte: RD Station']],
    [['123 registros']],
    [['', '', '\u00A0', ' ']],
    [[]],
  ])('returns null for footer or blank row %j', (cells) => {
    expect(mapRow(mapping, row(40, cells))).toBeNull();
  });

  it('keeps leads whose names only look like footers', () => {
    expect(mapRow(mapping, row(41, ['Total Distribuidora Ltda']))?.nome).toBe('Total Distribuidora Ltda');
    expect(mapRow(mapping, row(42, ['Fonte Nova Comércio', '', '', '11 98765-4321']))?.nome).toBe(
      'Fonte Nova Comércio',
    );
  });

  it('returns null for rows at or above the header, of another sheet, or repeating the header', () => {
    expect(mapRow(mapping, row(2, ['Relatório', 'x', 'y']))).toBeNull();
    expect(mapRow(mapping, row(3, ['Razão Social', 'Nome do Responsável']))).toBeNull();
    expect(mapRow(mapping, row(9, ['ACME', '', '', '11 98765-4321'], 'Outra'))).toBeNull();
    expect(mapRow(mapping, row(60, ['RAZÃO SOCIAL', 'Nome do responsável', 'CNPJ/CPF', 'Telefone 1']))).toBeNull();
  });

  it('names extras of blank, repeated and extra columns', () => {
    const m = detectHeader([row(1, ['Empresa', 'Obs', '', 'Obs', 'Telefone'])])!;
    const lead = mapRow(m, row(2, ['ACME', 'um', 'dois', 'três', '11 98765-4321', '', 'cinco']));
    expect(lead?.extras).toEqual({ Obs: 'um', 'Coluna C': 'dois', 'Obs (2)': 'três', 'Coluna G': 'cinco' });
  });

  it('takes the first filled document column, CNPJ before CPF, and keeps the other in extras', () => {
    const m = detectHeader([row(1, ['Nome', 'CPF', 'CNPJ'])])!;
    expect(mapRow(m, row(2, ['Ana', '123.456.789-09', '']))).toMatchObject({ documento: '123.456.789-09', extras: {} });
    expect(mapRow(m, row(3, ['ACME', '123.456.789-09', '11.222.333/0001-81']))).toMatchObject({
      documento: '11.222.333/0001-81',
      extras: { CPF: '123.456.789-09' },
    });
  });

  it('completes phones from a DDD column', () => {
    const m = detectHeader([row(1, ['Nome', 'DDD', 'Telefone', 'Celular'])])!;
    expect(mapRow(m, row(2, ['Ana', '11', '3456-7890', '98765-4321']))?.telefones).toEqual([
      '(11) 3456-7890',
      '(11) 98765-4321',
    ]);
    expect(mapRow(m, row(3, ['Bia', '011', '1134567890', '']))?.telefones).toEqual(['1134567890']);
    expect(mapRow(m, row(4, ['Cris', '', '3456-7890', '']))?.telefones).toEqual(['3456-7890']);
  });

  it('returns a lead even without contact data, for the caller to reject with its row number', () => {
    expect(mapRow(mapping, row(70, ['', '', '', '', '', '', 'Recife', 'sem dados']))).toMatchObject({
      rowNumber: 70,
      nome: '',
      telefones: [],
      emails: [],
      extras: { Cidade: 'Recife', Observações: 'sem dados' },
    });
  });
});
