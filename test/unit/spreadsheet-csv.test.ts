import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRows, SpreadsheetError, type SheetRow, type SpreadsheetSource } from '../../src/files/spreadsheet.js';
import { SniffingDecoder, sniffDialect } from '../../src/files/text-sniff.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(src: SpreadsheetSource): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const row of readRows(src)) rows.push(row);
  return rows;
}

const csv = (buffer: Buffer, filename = 'leads.csv') => collect({ buffer, filename });
const cells = (rows: SheetRow[]) => rows.map((r) => r.cells);

describe('CSV files', () => {
  it("reads Excel's UTF-8 CSV with ';', quotes, a multi-line cell and decimal commas", async () => {
    const text =
      'Razão Social;CNPJ/CPF;Telefones;Valor\r\n' +
      'Ação & Cia Ltda;11.222.333/0001-81;"(11) 98765-4321 / (11) 3456-7890";"1.234,56"\r\n' +
      '\r\n' +
      '"Padaria ""Pão Quente""";;"linha 1\nlinha 2";10\r\n';
    const rows = await csv(Buffer.from(text, 'utf8'), 'uploads/Leads Novembro.csv');
    expect(rows).toEqual([
      { sheet: 'Leads Novembro.csv', rowNumber: 1, cells: ['Razão Social', 'CNPJ/CPF', 'Telefones', 'Valor'] },
      {
        sheet: 'Leads Novembro.csv',
        rowNumber: 2,
        cells: ['Ação & Cia Ltda', '11.222.333/0001-81', '(11) 98765-4321 / (11) 3456-7890', '1.234,56'],
      },
      { sheet: 'Leads Novembro.csv', rowNumber: 4, cells: ['Padaria "Pão Quente"', '', 'linha 1\nlinha 2', '10'] },
    ]);
  });

  it('reads Latin-1 / Windows-1252 with commas', async () => {
    const text = 'Empresa,Contato,Observação\nJoão & Filhos,Conceição,“ótimo” — 50€\n';
    const rows = await csv(Buffer.from(new Uint8Array([...encode1252(text)])));
    expect(cells(rows)).toEqual([
      ['Empresa', 'Contato', 'Observação'],
      ['João & Filhos', 'Conceição', '“ótimo” — 50€'],
    ]);
  });

  it('drops the UTF-8 BOM', async () => {
    const rows = await csv(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Nome;E-mail\nJosé;jose@x.com.br\n')]),
    );
    expect(cells(rows)).toEqual([
      ['Nome', 'E-mail'],
      ['José', 'jose@x.com.br'],
    ]);
  });

  it('reads UTF-16LE tab-separated text ("Texto Unicode" from Excel)', async () => {
    const rows = await csv(
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Nome\tTelefone\r\nJosé\t11987654321\r\n', 'utf16le')]),
      'leads.txt',
    );
    expect(cells(rows)).toEqual([
      ['Nome', 'Telefone'],
      ['José', '11987654321'],
    ]);
  });

  it('honours and hides the "sep=" line', async () => {
    const rows = await csv(Buffer.from('sep=,\nNome;Apelido,Email\nAna;Aninha,ana@x.com\n'));
    expect(rows.map((r) => [r.rowNumber, ...r.cells])).toEqual([
      [1, 'Nome;Apelido', 'Email'],
      [2, 'Ana;Aninha', 'ana@x.com'],
    ]);
  });

  it.each([
    ['utf-8', 'utf8' as const],
    ['windows-1252', 'latin1' as const],
  ])('decides the encoding at the first accent even deep into a large file (%s)', async (_label, encoding) => {
    const filler = 'Empresa;Telefone\n' + 'ACME Ltda;11987654321\n'.repeat(20_000); // ~440 KB of ASCII
    const path = join(dir, `late-accent-${encoding}.csv`);
    await writeFile(path, Buffer.concat([Buffer.from(filler), Buffer.from('São João Açaí;11912345678\n', encoding)]));
    const rows = await collect({ path, filename: 'late.csv' });
    expect(rows).toHaveLength(20_002);
    expect(rows.at(-1)).toEqual({ sheet: 'late.csv', rowNumber: 20_002, cells: ['São João Açaí', '11912345678'] });
  });

  it('reports progress in bytes read', async () => {
    const buffer = Buffer.from('Nome;Telefone\n' + 'Ana;11987654321\n'.repeat(1000));
    const seen: number[] = [];
    for await (const _ of readRows({ buffer, filename: 'p.csv' }, { onBytes: (n) => seen.push(n) })) {
      // consume
    }
    expect(seen.at(-1)).toBe(buffer.length);
  });

  it('reports an empty or blank file as empty', async () => {
    const empty = await csv(Buffer.alloc(0)).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(SpreadsheetError);
    expect((empty as SpreadsheetError).code).toBe('empty');
    const blank = await csv(Buffer.from('\r\n;;\r\n\r\n')).catch((e: unknown) => e);
    expect((blank as SpreadsheetError).code).toBe('empty');
  });

  it('reports an unclosed quote as corrupt, with the line', async () => {
    const err = await csv(Buffer.from('Nome;Telefone\nAna;"11 98765-4321\nBia;11 91234-5678\n')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpreadsheetError);
    expect((err as SpreadsheetError).code).toBe('corrupt');
    expect((err as SpreadsheetError).message).toMatch(/never closed/);
  });
});

describe('sniffDialect', () => {
  it.each([
    ['Empresa;Valor\nACME;1.234,56\nBeta;2,5\n', ';'],
    ['Nome,Email,Telefone\nAna,ana@x.com,"11 9876-5432, 11 3456-7890"\n', ','],
    ['Nome\tTelefone\nAna\t11\n', '\t'],
    ['Relatório de leads, novembro\nNome;Email;Fone\nAna;a@x.com;11\nBia;b@x.com;12\n', ';'],
    ['Nome|Email\nAna|a@x.com\n', '|'],
    ['Telefone\n11987654321\n', ','],
  ])('%j → %j', (head, delimiter) => {
    expect(sniffDialect(head).delimiter).toBe(delimiter);
  });
});

describe('SniffingDecoder', () => {
  it.each([
    ['utf-8', Buffer.from('Nome;Cidade\nJosé;São Paulo\n', 'utf8'), 'utf-8'],
    ['latin-1', Buffer.from('Nome;Cidade\nJosé;São Paulo\n', 'latin1'), 'windows-1252'],
    ['ascii', Buffer.from('Nome;Cidade\nJose;Sao Paulo\n'), undefined],
  ])('decodes %s fed one byte at a time', (_label, bytes, encoding) => {
    const decoder = new SniffingDecoder();
    let text = '';
    for (const byte of bytes) text += decoder.write(Buffer.from([byte]));
    text += decoder.end();
    expect(text).toBe(bytes.toString(encoding === 'windows-1252' ? 'latin1' : 'utf8'));
    expect(decoder.encoding).toBe(encoding);
  });
});

/** Windows-1252 bytes for text that may hold the few characters Latin-1 lacks. */
function encode1252(text: string): number[] {
  const extra: Record<string, number> = { '€': 0x80, '“': 0x93, '”': 0x94, '—': 0x97 };
  return [...text].map((ch) => extra[ch] ?? ch.charCodeAt(0));
}
