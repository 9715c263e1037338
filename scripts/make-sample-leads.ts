/**
 * Writes sample lead spreadsheets (XLSX) for tests, demos and benchmarks.
 *
 *   npx tsx scripts/make-sample-leads.ts OUT.xlsx [rows]            messy, realistic sheet
 *   npx tsx scripts/make-sample-leads.ts OUT.xlsx 1000000 --plain   N plain rows, fast, flat memory
 *   --inline / --shared: strings inline (as openpyxl writes them) or in a shared-string table (as
 *   Excel does). Defaults: messy → shared, plain → inline (a shared table grows with the file, in the
 *   writer and in every reader: 1M plain rows take ~150 MB inline, ~3 GB shared to write).
 *
 * Deterministic: the same arguments always give the same cells (seeded PRNG).
 * Rows of the messy sheet (1-based, as Excel shows them):
 *   1 title merged A1:H1, 2 blank, 3 header, 4–10 hand-made tricky rows (see MESSY_ROWS),
 *   11 blank, 12… `rows` random leads, then a blank row and a "Total: N registros" footer.
 */
import { pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';

export const SAMPLE_TITLE = 'Relatório de Leads — Exportado em 12/11/2026';
export const SAMPLE_HEADERS = [
  'Razão Social',
  'Nome do Responsável',
  'CNPJ/CPF',
  'Telefone 1',
  'Telefone 2',
  'E-mail',
  'Cidade',
  'Observações',
];
export const PLAIN_HEADERS = ['Empresa', 'Contato', 'CNPJ', 'Telefone', 'Email'];
/** First row of random leads in the messy sheet. */
export const FIRST_RANDOM_ROW = 12;

type Cell = ExcelJS.CellValue;

/** Hand-made rows 4–10: each one is a case the ingest must get right. */
const MESSY_ROWS: Cell[][] = [
  // 4: CNPJ 04567890000179 stored as a number (leading zero lost); two phones in one cell; mailto link
  [
    'Padaria Pão Quente Ltda',
    'Maria da Silva',
    4567890000179,
    '(11) 98765-4321 / (11) 3456-7890',
    '',
    { text: 'contato@paoquente.com.br', hyperlink: 'mailto:contato@paoquente.com.br' },
    'São Paulo',
    'Cliente desde 2019',
  ],
  // 5: rich-text name, stray spaces, CPF with punctuation, old 8-digit mobile, 0800, placeholder e-mail
  [
    { richText: [{ text: 'Auto Peças ', font: { bold: true } }, { text: 'Irmãos Souza' }] },
    '  João   Souza ',
    '123.456.789-09',
    '11 8765-4321',
    '0800 123 4567',
    'sem email',
    'Campinas',
    '',
  ],
  // 6: NBSP in the name, "-" contact, CNPJ from a formula, two e-mails in one cell, N/A phone, phone as a number
  [
    'Mercado\u00A0Boa Vista',
    '-',
    { formula: 'CONCATENATE("11222333","000181")', result: '11222333000181' },
    'N/A',
    21998765432,
    'joao@boavista.com.br; vendas@boavista.com.br',
    'Rio de Janeiro',
    '',
  ],
  // 7: #N/A document, invalid DDD, broken e-mail
  [
    'Farmácia Saúde',
    'Ana Paula',
    { error: '#N/A' },
    '(00) 98765-4321',
    '',
    'ana.paula@@farmacia',
    'Belo Horizonte',
    'DDD inválido',
  ],
  // 8: same CNPJ as row 4 (formatted), different phone
  [
    'Padaria Pão Quente',
    'Maria Silva',
    '04.567.890/0001-79',
    '(11) 97777-6666',
    '',
    '',
    'São Paulo',
    'Duplicado (mesmo CNPJ)',
  ],
  // 9 and 10: same name and phone, no document
  ['Oficina do Zé', '', '', '(31) 98888-7777', '', 'ze@oficina.com', 'Contagem', ''],
  ['Oficina do Zé', '', '', '(31) 98888-7777', '', '', 'Contagem', 'Duplicado (nome + telefone)'],
];

export interface SampleOptions {
  rows?: number;
  seed?: number;
  /** true: strings inline; false: shared-string table. Default: false for the messy sample, true for plain. */
  inline?: boolean;
}

/** The messy sample. Returns the number of the footer row. */
export async function writeSampleLeads(path: string, opts: SampleOptions = {}): Promise<{ footerRow: number }> {
  const rows = opts.rows ?? 50;
  const rand = mulberry32(opts.seed ?? 20261112);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: !opts.inline,
    useStyles: true,
  });
  const ws = wb.addWorksheet('Leads');
  const width = SAMPLE_HEADERS.length;

  const title = ws.addRow([SAMPLE_TITLE]);
  title.font = { bold: true, size: 14 };
  ws.mergeCells(1, 1, 1, width); // before commit: the streaming writer cannot touch committed rows
  title.commit();
  ws.addRow([]).commit();
  const header = ws.addRow(SAMPLE_HEADERS);
  header.font = { bold: true };
  header.commit();
  for (const cells of MESSY_ROWS) ws.addRow(cells).commit();
  ws.addRow([]).commit();
  for (let i = 0; i < rows; i++) {
    ws.addRow(randomLead(rand, i)).commit();
    if (i % 1_000 === 999) await drained(ws);
  }
  ws.addRow([]).commit();
  const footer = ws.addRow([`Total: ${rows + MESSY_ROWS.length} registros`]);
  const footerRow = footer.number;
  ws.mergeCells(footerRow, 1, footerRow, width);
  footer.commit();
  ws.commit();
  await wb.commit();
  return { footerRow };
}

/** `rows` plain leads under PLAIN_HEADERS, streamed: memory stays flat even for millions of rows. */
export async function writePlainLeads(path: string, opts: SampleOptions = {}): Promise<void> {
  const rows = opts.rows ?? 100_000;
  const rand = mulberry32(opts.seed ?? 1);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: opts.inline === false,
    useStyles: false,
  });
  const ws = wb.addWorksheet('Leads');
  ws.addRow(PLAIN_HEADERS).commit();
  for (let i = 0; i < rows; i++) {
    const ddd = pick(rand, DDDS);
    ws.addRow([
      `${pick(rand, COMPANY_A)} ${pick(rand, COMPANY_B)} ${i + 1} Ltda`,
      `${pick(rand, FIRST_NAMES)} ${pick(rand, LAST_NAMES)}`,
      Number(cnpj(rand)),
      `(${ddd}) 9${digits(rand, 4)}-${digits(rand, 4)}`,
      `contato${i + 1}@${pick(rand, DOMAINS)}`,
    ]).commit();
    if (i % 1_000 === 999) await drained(ws);
  }
  ws.commit();
  await wb.commit();
}

/**
 * exceljs's streaming writer ignores backpressure: rows pile up in memory while zlib compresses.
 * Wait until the sheet's pending bytes fall under a few MB (StreamBuf internals, exceljs 4.4).
 */
async function drained(ws: ExcelJS.Worksheet): Promise<void> {
  type Pipe = { _writableState?: { length?: number } };
  const pipes = (ws as unknown as { stream?: { pipes?: Pipe[] } }).stream?.pipes ?? [];
  const pending = () => pipes.reduce((n, p) => n + (p._writableState?.length ?? 0), 0);
  do await new Promise((r) => setTimeout(r, pending() > 0 ? 1 : 0));
  while (pending() > 4 * 1024 * 1024);
}

const COMPANY_A = [
  'Comercial',
  'Distribuidora',
  'Padaria',
  'Mercado',
  'Auto Peças',
  'Farmácia',
  'Oficina',
  'Construtora',
  'Papelaria',
  'Clínica',
  'Restaurante',
  'Transportadora',
  'Academia',
  'Ótica',
  'Pet Shop',
];
const COMPANY_B = [
  'São Jorge',
  'Boa Vista',
  'Primavera',
  'Estrela',
  'Ipê',
  'Nova Era',
  'Central',
  'do Vale',
  'Paulista',
  'Mineira',
  'Atlântico',
  'Aurora',
];
const FIRST_NAMES = [
  'Ana',
  'João',
  'Maria',
  'José',
  'Francisco',
  'Antônia',
  'Carlos',
  'Paulo',
  'Luíza',
  'Márcia',
  'Pedro',
  'Fernanda',
  'Raimundo',
  'Conceição',
];
const LAST_NAMES = [
  'Silva',
  'Santos',
  'Oliveira',
  'Souza',
  'Rodrigues',
  'Ferreira',
  'Alves',
  'Pereira',
  'Lima',
  'Gomes',
  'Araújo',
  'Conceição',
];
const CITIES = [
  'São Paulo',
  'Rio de Janeiro',
  'Belo Horizonte',
  'Salvador',
  'Fortaleza',
  'Curitiba',
  'Manaus',
  'Recife',
  'Porto Alegre',
  'Goiânia',
  'Cuiabá',
  'Rio Branco',
];
const DDDS = ['11', '21', '31', '71', '85', '41', '92', '81', '51', '62', '65', '68'];
const DOMAINS = ['gmail.com', 'hotmail.com', 'empresa.com.br', 'uol.com.br', 'yahoo.com.br', 'outlook.com'];
const NOTES = ['', '', '', 'Ligar pela manhã', 'Prefere WhatsApp', 'Indicação', 'Retornar em dezembro'];

function randomLead(rand: () => number, i: number): Cell[] {
  const city = Math.floor(rand() * CITIES.length);
  const ddd = DDDS[city];
  const person = `${pick(rand, FIRST_NAMES)} ${pick(rand, LAST_NAMES)}`;
  const company = `${pick(rand, COMPANY_A)} ${pick(rand, COMPANY_B)}`;
  const r = rand();
  const documento: Cell =
    r < 0.3 ? Number(cnpj(rand)) : r < 0.6 ? formatCnpj(cnpj(rand)) : r < 0.8 ? formatCpf(cpf(rand)) : '';
  const mobile = `(${ddd}) 9${digits(rand, 4)}-${digits(rand, 4)}`;
  const second = rand() < 0.3 ? `(${ddd}) 3${digits(rand, 3)}-${digits(rand, 4)}` : '';
  const slug = company
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');
  const email = rand() < 0.8 ? `${slug}${i + 1}@${pick(rand, DOMAINS)}` : pick(rand, ['', '-', 'N/A']);
  return [`${company} ${i + 1}`, person, documento, mobile, second, email, CITIES[city], pick(rand, NOTES)];
}

function cnpj(rand: () => number): string {
  const base = `${digits(rand, 8)}0001`;
  return withCheckDigits(
    withCheckDigits(base, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]),
    [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2],
  );
}

function cpf(rand: () => number): string {
  const base = digits(rand, 9);
  return withCheckDigits(withCheckDigits(base, [10, 9, 8, 7, 6, 5, 4, 3, 2]), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
}

function withCheckDigits(base: string, weights: number[]): string {
  const sum = weights.reduce((s, w, k) => s + w * Number(base[k]), 0);
  const rest = sum % 11;
  return base + (rest < 2 ? 0 : 11 - rest);
}

const formatCnpj = (d: string) => `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}/${d.slice(8, 12)}-${d.slice(12)}`;
const formatCpf = (d: string) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}`;

function digits(rand: () => number, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += Math.floor(rand() * 10);
  return s;
}

function pick<T>(rand: () => number, list: T[]): T {
  return list[Math.floor(rand() * list.length)];
}

/** Small seeded PRNG (public-domain mulberry32): the same seed, the same numbers (tests use it too). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main(argv: string[]): Promise<void> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const [out, rowsArg] = argv.filter((a) => !a.startsWith('--'));
  if (!out) {
    process.stderr.write('usage: npx tsx scripts/make-sample-leads.ts OUT.xlsx [rows] [--plain] [--inline|--shared]\n');
    process.exitCode = 2;
    return;
  }
  const rows = rowsArg === undefined ? undefined : Number(rowsArg);
  if (rows !== undefined && !(Number.isInteger(rows) && rows >= 0))
    throw new Error(`rows must be a whole number, got ${rowsArg}`);
  const started = Date.now();
  const opts = { rows, inline: flags.has('--inline') ? true : flags.has('--shared') ? false : undefined };
  if (flags.has('--plain')) await writePlainLeads(out, opts);
  else await writeSampleLeads(out, opts);
  process.stderr.write(`wrote ${out} in ${Date.now() - started} ms\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
