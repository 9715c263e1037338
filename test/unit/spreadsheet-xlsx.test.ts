import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIRST_RANDOM_ROW,
  SAMPLE_HEADERS,
  SAMPLE_TITLE,
  writePlainLeads,
  writeSampleLeads,
} from '../../scripts/make-sample-leads.js';
import { detectHeader, HEADER_SCAN_ROWS, mapRow, type RawLead } from '../../src/core/ingest/columns.js';
import {
  detectFormat,
  readRows,
  SpreadsheetError,
  type ReadRowsOptions,
  type SheetRow,
  type SpreadsheetSource,
} from '../../src/files/spreadsheet.js';
import { pythonWithOpenpyxl } from '../helpers/openpyxl.js';
import { makeZip } from '../helpers/zip.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xlsx-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(src: SpreadsheetSource, opts?: ReadRowsOptions): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const row of readRows(src, opts)) rows.push(row);
  return rows;
}

async function failure(src: SpreadsheetSource, opts?: ReadRowsOptions): Promise<SpreadsheetError> {
  try {
    await collect(src, opts);
  } catch (err) {
    if (err instanceof SpreadsheetError) return err;
    throw err;
  }
  throw new Error('expected a SpreadsheetError');
}

const byNumber = (rows: SheetRow[]) => new Map(rows.map((r) => [r.rowNumber, r]));

describe.each([
  ['shared strings', false],
  ['inline strings', true],
])('exceljs-written sample (%s)', (_label, inline) => {
  let path: string;
  let footerRow: number;
  beforeAll(async () => {
    path = join(dir, `sample-${inline ? 'inline' : 'shared'}.xlsx`);
    ({ footerRow } = await writeSampleLeads(path, { rows: 25, inline }));
  });

  it('emits every non-blank row with the row number Excel shows', async () => {
    const rows = await collect({ path, filename: 'sample.xlsx' });
    expect(rows.map((r) => r.rowNumber).slice(0, 9)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rows[0]).toEqual({ sheet: 'Leads', rowNumber: 1, cells: [SAMPLE_TITLE] });
    expect(rows[1].cells).toEqual(SAMPLE_HEADERS);
    expect(rows.at(-1)).toEqual({ sheet: 'Leads', rowNumber: footerRow, cells: ['Total: 32 registros'] });
    expect(rows).toHaveLength(2 + 7 + 25 + 1);
    expect(rows[9].rowNumber).toBe(FIRST_RANDOM_ROW);
  });

  it('turns every kind of cell into the text a person sees', async () => {
    const rows = byNumber(await collect({ path, filename: 'sample.xlsx' }));
    expect(rows.get(4)!.cells).toEqual([
      'Padaria Pão Quente Ltda',
      'Maria da Silva',
      '4567890000179',
      '(11) 98765-4321 / (11) 3456-7890',
      '',
      'contato@paoquente.com.br',
      'São Paulo',
      'Cliente desde 2019',
    ]);
    // rich text keeps every run, even when written inline (exceljs alone keeps only the last run)
    expect(rows.get(5)!.cells.slice(0, 5)).toEqual([
      'Auto Peças Irmãos Souza',
      '  João   Souza ',
      '123.456.789-09',
      '11 8765-4321',
      '0800 123 4567',
    ]);
    // NBSP kept, formula → cached result, phone stored as a number
    expect(rows.get(6)!.cells.slice(0, 6)).toEqual([
      'Mercado\u00A0Boa Vista',
      '-',
      '11222333000181',
      'N/A',
      '21998765432',
      'joao@boavista.com.br; vendas@boavista.com.br',
    ]);
    // #N/A reads as '' and is reported
    expect(rows.get(7)!.cells[2]).toBe('');
    expect(rows.get(7)!.errors).toEqual({ 2: '#N/A' });
    expect(rows.get(4)!.errors).toBeUndefined();
  });

  it('reads the same rows from a buffer as from the path', async () => {
    const fromPath = await collect({ path, filename: 'sample.xlsx' });
    const fromBuffer = await collect({ buffer: await readFile(path), filename: 'sample.xlsx' });
    expect(fromBuffer).toEqual(fromPath);
  });
});

describe('from file to raw leads', () => {
  function leadsOf(rows: SheetRow[]): RawLead[] {
    const mapping = detectHeader(rows.slice(0, HEADER_SCAN_ROWS));
    expect(mapping).not.toBeNull();
    return rows.map((r) => mapRow(mapping!, r)).filter((l): l is RawLead => l !== null);
  }

  it('maps the exceljs sample: title, blank rows and footer skipped, tricky cells kept raw', async () => {
    const path = join(dir, 'sample-e2e.xlsx');
    await writeSampleLeads(path, { rows: 25 });
    const leads = leadsOf(await collect({ path, filename: 'sample.xlsx' }));
    expect(leads).toHaveLength(32);
    expect(leads.map((l) => l.rowNumber).slice(0, 8)).toEqual([4, 5, 6, 7, 8, 9, 10, FIRST_RANDOM_ROW]);
    const byRow = new Map(leads.map((l) => [l.rowNumber, l]));
    expect(byRow.get(5)).toEqual({
      rowNumber: 5,
      sheet: 'Leads',
      nome: 'Auto Peças Irmãos Souza',
      contato_nome: 'João Souza',
      documento: '123.456.789-09',
      telefones: ['11 8765-4321', '0800 123 4567'],
      emails: [],
      lead_id_externo: '',
      extras: { Cidade: 'Campinas' },
    });
    expect(byRow.get(6)).toMatchObject({
      nome: 'Mercado Boa Vista',
      contato_nome: '',
      documento: '11222333000181',
      telefones: ['21998765432'],
      emails: ['joao@boavista.com.br; vendas@boavista.com.br'],
    });
    expect(byRow.get(7)).toMatchObject({
      documento: '',
      telefones: ['(00) 98765-4321'],
      emails: ['ana.paula@@farmacia'],
    });
  });

  it('maps the openpyxl workbook, whose data is on the second sheet', async () => {
    const path = join(dir, 'openpyxl-e2e.xlsx');
    const script = fileURLToPath(new URL('../fixtures/make_openpyxl.py', import.meta.url));
    execFileSync(pythonWithOpenpyxl(), [script, path]);
    const rows = await collect({ path, filename: 'openpyxl.xlsx' });
    expect(detectHeader(rows.filter((r) => r.sheet === 'Instruções'))).toBeNull();
    const leads = leadsOf(rows.filter((r) => r.sheet === 'Leads'));
    expect(leads).toEqual([
      {
        rowNumber: 4,
        sheet: 'Leads',
        nome: 'Silva & Filhos Ltda',
        contato_nome: 'José Silva',
        documento: '4567890000179',
        telefones: ['11987654321'],
        emails: ['jose@silvaefilhos.com.br'],
        lead_id_externo: '',
        extras: { Cidade: 'São Paulo', Cadastro: '2026-11-12' },
      },
      {
        rowNumber: 5,
        sheet: 'Leads',
        nome: 'Beta Comércio',
        contato_nome: 'Ana Lima',
        documento: '123.456.789-09',
        telefones: ['1134567890'],
        emails: ['ana@beta.com.br'],
        lead_id_externo: '',
        extras: { Cidade: 'Niterói' },
      },
      {
        rowNumber: 6,
        sheet: 'Leads',
        nome: 'Gama Serviços',
        contato_nome: '',
        documento: '',
        telefones: ['(21) 99876-5432'],
        emails: [],
        lead_id_externo: '',
        extras: { Cidade: 'Rio de Janeiro', Cadastro: 'true' },
      },
    ]);
  });
});

describe('mailto hyperlinks', () => {
  it('yields the address even when the cell shows other text', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Contatos');
    ws.addRow(['Empresa', 'E-mail', 'Site']);
    ws.addRow([
      'ACME',
      { text: 'Enviar e-mail', hyperlink: 'mailto:vendas@acme.com.br' },
      { text: 'acme.com.br', hyperlink: 'https://acme.com.br' },
    ]);
    const path = join(dir, 'links.xlsx');
    await wb.xlsx.writeFile(path);
    const rows = await collect({ path, filename: 'links.xlsx' });
    expect(rows[1].cells).toEqual(['ACME', 'vendas@acme.com.br', 'acme.com.br']);
  });
});

describe('openpyxl-written workbook (data on the second sheet)', () => {
  let path: string;
  beforeAll(() => {
    path = join(dir, 'openpyxl.xlsx');
    const script = fileURLToPath(new URL('../fixtures/make_openpyxl.py', import.meta.url));
    execFileSync(pythonWithOpenpyxl(), [script, path]);
  });

  it('reads visible sheets in workbook order with their real names', async () => {
    const rows = await collect({ path, filename: 'openpyxl.xlsx' });
    expect([...new Set(rows.map((r) => r.sheet))]).toEqual(['Instruções', 'Leads']);
    expect(rows.filter((r) => r.sheet === 'Leads').map((r) => r.rowNumber)).toEqual([1, 3, 4, 5, 6, 8]);
  });

  it('reads inline rich text, numbers, mailto links, dates, formulas without a cached value', async () => {
    const rows = byNumber(await collect({ path, filename: 'openpyxl.xlsx' }, { sheet: 'Leads' }));
    expect(rows.get(1)!.cells).toEqual(['Cadastro de clientes — novembro/2026']);
    expect(rows.get(3)!.cells).toEqual(['Empresa', 'Nome', 'CPF/CNPJ', 'Celular', 'Email', 'Cidade', 'Cadastro']);
    expect(rows.get(4)!.cells).toEqual([
      'Silva & Filhos Ltda',
      'José Silva',
      '4567890000179',
      '11987654321',
      'jose@silvaefilhos.com.br',
      'São Paulo',
      '2026-11-12',
    ]);
    expect(rows.get(5)!.cells).toEqual([
      'Beta Comércio',
      'Ana Lima',
      '123.456.789-09',
      '1134567890',
      'ana@beta.com.br',
      'Niterói',
    ]);
    expect(rows.get(6)!.cells).toEqual(['Gama\u00A0Serviços', '', '', '(21) 99876-5432', '', 'Rio de Janeiro', 'true']);
    expect(rows.get(8)!.cells).toEqual(['Total de leads: 3']);
  });

  it('picks one sheet by name, case-insensitively, hidden ones included', async () => {
    const leads = await collect({ path, filename: 'openpyxl.xlsx' }, { sheet: ' leads ' });
    expect(new Set(leads.map((r) => r.sheet))).toEqual(new Set(['Leads']));
    const lists = await collect({ path, filename: 'openpyxl.xlsx' }, { sheet: 'Listas' });
    expect(lists.map((r) => r.cells[0])).toEqual(['SP', 'RJ', 'MG']);
    const all = await collect({ path, filename: 'openpyxl.xlsx' }, { includeHidden: true });
    expect([...new Set(all.map((r) => r.sheet))]).toEqual(['Instruções', 'Leads', 'Listas']);
  });

  it('names the sheets that exist when the asked one does not', async () => {
    const err = await failure({ path, filename: 'openpyxl.xlsx' }, { sheet: 'Clientes' });
    expect(err.code).toBe('sheet_not_found');
    expect(err.message).toContain('"Clientes"');
    expect(err.message).toContain('"Instruções", "Leads", "Listas"');
  });
});

describe('large sheets', () => {
  it.each([
    ['inline strings', true],
    ['shared strings', false],
  ])('never splits an accented character at a chunk boundary (%s)', async (_label, inline) => {
    // Dense multi-byte text: exceljs's own reader decodes each 16 KB chunk on its own, so on this
    // file it breaks characters into U+FFFD in several rows (exceljs#2084); we must break none.
    const path = join(dir, `accents-${inline}.xlsx`);
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: !inline });
    const ws = wb.addWorksheet('Acentuação');
    for (let i = 0; i < 6_000; i++)
      ws.addRow([`${i} ${'Conceição Ação Órgão Fé'.repeat(6)}`, `São João ${i}`]).commit();
    await wb.commit();
    const rows = await collect({ path, filename: 'accents.xlsx' });
    expect(rows).toHaveLength(6_000);
    expect(rows.filter((r) => r.cells.join('').includes('\uFFFD'))).toEqual([]);
    expect(rows[5_999].cells).toEqual([`5999 ${'Conceição Ação Órgão Fé'.repeat(6)}`, 'São João 5999']);
    expect(rows[0].sheet).toBe('Acentuação');
  });

  it('reports progress in bytes of the file, ending at its size', async () => {
    const path = join(dir, 'progress.xlsx');
    await writePlainLeads(path, { rows: 20_000 });
    const size = (await readFile(path)).length;
    const seen: number[] = [];
    let rowsWhenHalf = 0;
    let count = 0;
    for await (const _ of readRows({ path, filename: 'progress.xlsx' }, { onBytes: (n) => seen.push(n) })) {
      count++;
      if (!rowsWhenHalf && seen.length && seen[seen.length - 1] >= size / 2) rowsWhenHalf = count;
    }
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every((n, i) => n > 0 && n <= size && (i === 0 || n >= seen[i - 1]))).toBe(true);
    expect(seen.at(-1)).toBe(size);
    expect(rowsWhenHalf).toBeGreaterThan(1_000); // progress moves with the rows, not all at once
    expect(rowsWhenHalf).toBeLessThan(19_000);
  });

  it('stops cleanly when the consumer breaks out early', async () => {
    const path = join(dir, 'early-break.xlsx');
    await writePlainLeads(path, { rows: 5_000 });
    const first: SheetRow[] = [];
    for await (const row of readRows({ path, filename: 'plain.xlsx' })) {
      first.push(row);
      if (first.length === 3) break;
    }
    expect(first.map((r) => r.rowNumber)).toEqual([1, 2, 3]);
    expect(first[0].cells).toEqual(['Empresa', 'Contato', 'CNPJ', 'Telefone', 'Email']);
    await rm(path); // the file is no longer held open by a reader
  });
});

describe('files that cannot be read', () => {
  let plain: Buffer;
  beforeAll(async () => {
    const path = join(dir, 'damaged-source.xlsx');
    await writePlainLeads(path, { rows: 2_000 });
    plain = await readFile(path);
  });

  it('refuses a legacy .xls by its magic bytes, whatever its name', async () => {
    const buffer = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(512)]);
    const err = await failure({ buffer, filename: 'leads.xlsx' });
    expect(err.code).toBe('unsupported_format');
    expect(err.message).toMatch(/\.xls\b/);
    expect(err.message).toContain('.xlsx');
  });

  it('reports a truncated workbook as corrupt instead of hanging', async () => {
    const err = await failure({ buffer: plain.subarray(0, Math.floor(plain.length / 2)), filename: 'cut.xlsx' });
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/damaged or incomplete/);
  });

  it('reports damaged compressed data as corrupt', async () => {
    const whole = Buffer.from(plain);
    for (let i = Math.floor(whole.length / 3); i < Math.floor(whole.length / 3) + 64; i++) whole[i] ^= 0x5a;
    const err = await failure({ buffer: whole, filename: 'flipped.xlsx' });
    expect(err.code).toBe('corrupt');
  });

  it('reports a zip that is not a workbook as unsupported', async () => {
    const err = await failure({
      buffer: makeZip([{ name: 'word/document.xml', data: '<w:document/>' }]),
      filename: 'carta.xlsx',
    });
    expect(err.code).toBe('unsupported_format');
    expect(err.message).toContain('not an Excel workbook');
  });

  it('reports an empty file and a workbook without data as empty', async () => {
    expect((await failure({ buffer: Buffer.alloc(0), filename: 'leads.xlsx' })).code).toBe('empty');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Planilha1');
    const path = join(dir, 'blank.xlsx');
    await wb.xlsx.writeFile(path);
    const err = await failure({ path, filename: 'blank.xlsx' });
    expect(err.code).toBe('empty');
  });

  it('refuses files above maxBytes', async () => {
    const err = await failure({ buffer: Buffer.alloc(2048, 'a'), filename: 'big.csv' }, { maxBytes: 1024 });
    expect(err.code).toBe('too_large');
  });
});

describe('detectFormat', () => {
  it.each([
    ['zip magic → xlsx, even named .csv', Buffer.from('504b0304', 'hex'), 'leads.csv', 'xlsx'],
    ['text named .xls → csv', Buffer.from('Nome\tTelefone\nAna\t11987654321\n'), 'export.xls', 'csv'],
    ['UTF-16 text → csv', Buffer.from('fffe4e006f006d006500', 'hex'), 'leads.txt', 'csv'],
  ])('%s', async (_name, buffer, filename, expected) => {
    expect(await detectFormat({ buffer, filename })).toBe(expected);
  });

  it.each([
    ['PDF', Buffer.from('%PDF-1.7\n'), /PDF/],
    ['HTML saved as .xls', Buffer.from('<html><body><table><tr><td>a</td></tr></table></body></html>'), /HTML/],
    [
      'OpenDocument',
      Buffer.concat([
        Buffer.from('504b0304', 'hex'),
        Buffer.alloc(26),
        Buffer.from('mimetypeapplication/vnd.oasis.opendocument.spreadsheet'),
      ]),
      /\.ods/,
    ],
    ['binary', Buffer.from([1, 2, 0, 0, 5, 6]), /binary/],
  ])('refuses %s', async (_name, buffer, message) => {
    const err = await detectFormat({ buffer, filename: 'leads.xls' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpreadsheetError);
    expect((err as SpreadsheetError).code).toBe('unsupported_format');
    expect((err as SpreadsheetError).message).toMatch(message);
  });
});
