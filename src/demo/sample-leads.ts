import ExcelJS from 'exceljs';

/**
 * A compact copy of scripts/make-sample-leads.ts for the demo: the demo runs from dist/, and scripts/
 * is neither compiled nor shipped, so it cannot be imported at run time. Same spirit — a messy,
 * realistic export — in a dozen hand-made rows, each one a trap the import must get right.
 * Rows as Excel shows them: 1 title (merged), 2 blank, 3 header, 4… leads, then blank + footer.
 */
export const DEMO_HEADERS = [
  'Razão Social',
  'Nome do Responsável',
  'CNPJ/CPF',
  'Telefone 1',
  'Telefone 2',
  'E-mail',
  'Cidade',
  'Valor em aberto',
  'Vencimento',
];

type Cell = ExcelJS.CellValue;

/** [cells, what the row is about] — the notes are printed by the demo, they are not in the sheet. */
export const DEMO_ROWS: Array<[Cell[], string]> = [
  [
    [
      'Padaria Pão Quente Ltda',
      'Maria da Silva',
      4567890000179,
      '(11) 98765-4321 / (11) 3456-7890',
      '',
      { text: 'contato@paoquente.com.br', hyperlink: 'mailto:contato@paoquente.com.br' },
      'São Paulo',
    ],
    'CNPJ typed as a number (lost its leading zero), a mobile and a landline in one cell, mailto link',
  ],
  [
    [
      'Auto Peças Irmãos Souza',
      '  João   Souza ',
      '123.456.789-09',
      '11 8123-4567',
      '0800 123 4567',
      'sem email',
      'Campinas',
    ],
    'CPF, an old 8-digit mobile, a 0800 number, "sem email"',
  ],
  [
    [
      'Mercado\u00A0Boa Vista',
      '-',
      '11.222.333/0001-81',
      '(21) 3456-7890',
      '',
      'joao@boavista.com.br',
      'Rio de Janeiro',
    ],
    'contact "-", only a landline → e-mail',
  ],
  [
    ['Farmácia Saúde', 'Ana Paula', '', '(00) 98765-4321', '', 'ana.paula@@farmacia', 'Belo Horizonte'],
    'invalid DDD 00 and a broken e-mail → no channel',
  ],
  [
    ['Padaria Pão Quente', 'Maria Silva', '04.567.890/0001-79', '(11) 97777-6666', '', '', 'São Paulo'],
    'same CNPJ as row 4 (formatted) → merged into it',
  ],
  [
    [
      'Distribuidora Amazonas Ltda',
      'Raimundo Lima',
      '31.415.926/0001-71',
      '(92) 99123-4567',
      '',
      'compras@amazonasdist.com.br',
      'Manaus',
    ],
    'DDD 92 → America/Manaus time zone',
  ],
  [
    ['Construtora Ipê', 'Fernanda Alves', 27182818000129, '(31) 99876-5432', '(31) 3222-1100', '', 'Belo Horizonte'],
    'CNPJ as a number, mobile + landline',
  ],
  [
    ['Ótica Primavera', 'Carlos Pereira', '16.180.339/0001-57', '-', '', 'carlos@oticaprimavera.com.br', 'Curitiba'],
    'phone "-" → e-mail',
  ],
  [['Clínica Estrela', 'Luíza Gomes', '314.159.265-90', '(71) 98111-2233', '', 'N/A', 'Salvador'], 'CPF, e-mail "N/A"'],
  [
    [
      'Pet Shop Aurora',
      'Pedro Santos',
      '14.142.135/0001-04',
      '(85) 99700-1122',
      '',
      'pedro@petaurora.com.br',
      'Fortaleza',
    ],
    'plain, well-filled row',
  ],
  [['Restaurante Nova Era', 'Márcia Oliveira', '', '', '', 'sem email', 'Recife'], 'no phone, no e-mail → no channel'],
  [
    [
      'Academia Central',
      'José Rodrigues',
      '17.320.508/0001-70',
      '(51) 99345-6789',
      '',
      'jose@academiacentral.com.br',
      'Porto Alegre',
    ],
    'plain, well-filled row',
  ],
];

/** Writes the sheet; returns the number of lead rows (including the duplicate). */
export async function writeDemoLeads(path: string): Promise<number> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Leads');
  const width = DEMO_HEADERS.length;
  ws.addRow(['Relatório de Leads — Exportado em 12/11/2026']).font = { bold: true, size: 14 };
  ws.mergeCells(1, 1, 1, width);
  ws.addRow([]);
  ws.addRow(DEMO_HEADERS).font = { bold: true };
  DEMO_ROWS.forEach(([cells], i) => {
    // Every lead owes something: an Excel currency cell and a date cell, as finance exports have them.
    const row = ws.addRow([...cells, 350 + i * 127.45, new Date(Date.UTC(2026, 9, 5 + i))]);
    row.getCell(width - 1).numFmt = '"R$" #,##0.00';
    row.getCell(width).numFmt = 'dd/mm/yyyy';
  });
  ws.addRow([]);
  const footer = ws.addRow([`Total: ${DEMO_ROWS.length} registros`]);
  ws.mergeCells(footer.number, 1, footer.number, width);
  await wb.xlsx.writeFile(path);
  return DEMO_ROWS.length;
}
