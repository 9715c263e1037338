import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { ServerDeps } from '../../src/deps.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';
import { bombDeflate, makeXlsx, makeZip, xlsxParts } from '../helpers/zip.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * Hostile files through ingest_leads, with a real MCP client: each ends in a clear error (a tool
 * error or a job that failed with a message saying what to send instead) or a clean import, and
 * the server keeps answering. Memory of the same inputs in a real server process: test/e2e/ingest-memory.test.ts.
 */

const HYPERLINK = '=HYPERLINK("http://x","y")';
const DDE = "=cmd|' /C calc'!A0";
const SQL_TEXT = "'; drop table leads; --";

type Job = { job_id: string; status: string; error: string | null; counts: Record<string, number> };

describe(`ingest_leads with hostile input (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let client: Client & { closeAll(): Promise<void> };
  let dir: string;

  beforeAll(async () => {
    db = await openTestDb();
    dir = tempDir('hostile-');
    deps = await makeDeps(db, { config: { ingestDirs: [dir] } });
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await deps?.tasks.drain?.();
    await db?.destroy();
  });

  const upload = (buf: Buffer, filename: string) =>
    client.callTool({ name: 'ingest_leads', arguments: { content_base64: buf.toString('base64'), filename } });
  const fromDisk = (buf: Buffer, filename: string) => {
    const path = join(dir, filename);
    writeFileSync(path, buf);
    return client.callTool({ name: 'ingest_leads', arguments: { file_path: path } });
  };
  const jobOf = (res: Awaited<ReturnType<typeof upload>>): Job => {
    expect(res.isError, textOf(res)).toBeFalsy();
    return (res.structuredContent as { job: Job }).job;
  };
  /** The server still answers a call after the hostile one. */
  const alive = async () => {
    const res = await client.callTool({ name: 'get_status', arguments: {} });
    expect(res.isError).toBeFalsy();
  };
  const problemsCsv = async (jobId: string) =>
    ((await client.readResource({ uri: `job-problems://${jobId}` })).contents[0] as { text: string }).text;

  it('random bytes named .xlsx: a tool error that says what the file is and what to send', async () => {
    const res = await upload(randomBytes(64 * 1024), 'leads.xlsx');
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/not a spreadsheet this tool can read.*\.xlsx or \.csv/);
    await alive();
  });

  it('a zip signature followed by garbage, and a truncated workbook: the job fails as damaged', async () => {
    const garbage = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(32 * 1024).map((b) => b || 1)]);
    const a = jobOf(await upload(garbage, 'lixo.xlsx'));
    expect(a.status).toBe('falhou');
    expect(a.error).toMatch(/damaged or incomplete \(no zip directory/);

    const good = makeXlsx([
      ['Empresa', 'Telefone'],
      ...Array.from({ length: 2000 }, (_, i) => [`Empresa ${i}`, `(11) 9${String(i).padStart(4, '0')}-1234`]),
    ]);
    const b = jobOf(await fromDisk(good.subarray(0, Math.floor(good.length / 2)), 'cortado.xlsx'));
    expect(b.status).toBe('falhou');
    expect(b.error).toMatch(/damaged or incomplete.*cut off during upload/);
    await alive();
  });

  it('a valid zip whose sheet holds corrupt deflate data: the job fails naming the part', async () => {
    // The first block's header says type 3, which deflate reserves: inflate fails before it writes a byte.
    // (All-random bytes sometimes decode a little garbage first; the sheet's XML parser then fails on it,
    // and that error — also "damaged", without the part's name — came first: seen once in CI, 2026-12-06.)
    const parts = xlsxParts({ deflated: Buffer.concat([Buffer.from([0x07]), randomBytes(4095)]), size: 100_000 });
    const job = jobOf(await upload(makeZip(parts), 'estragado.xlsx'));
    expect(job.status).toBe('falhou');
    expect(job.error).toMatch(/damaged.*(cannot decompress|expands past).*xl\/worksheets\/sheet1\.xml/);
    await alive();
  });

  it('a zip bomb (a 2 MB file whose sheet inflates to 2 GB) is refused before it is read', async () => {
    const head =
      '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
      '<row r="1"><c r="A1" t="inlineStr"><is><t>Empresa</t></is></c></row>';
    const bomb = bombDeflate(
      head,
      '<row/>'.repeat((1024 * 1024) / 8) + ' '.repeat(256 * 1024),
      2048,
      '</sheetData></worksheet>',
    );
    expect(bomb.size).toBeGreaterThan(2 ** 31);
    expect(bomb.deflated.length).toBeLessThan(8 * 1024 * 1024);
    const started = Date.now();
    const job = jobOf(await fromDisk(makeZip(xlsxParts(bomb)), 'bomba.xlsx'));
    expect(job.status).toBe('falhou');
    expect(job.error).toMatch(/xl\/worksheets\/sheet1\.xml would expand from .* to 2\d{3}\.\d MB .*zip bomb/);
    expect(Date.now() - started).toBeLessThan(30_000); // refused from the directory, not after inflating
    await alive();
  });

  it('a zip bomb that lies about its size is cut off at the size it declares', async () => {
    const head =
      '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
    const bomb = bombDeflate(head, ' '.repeat(1024 * 1024), 2048, '</sheetData></worksheet>');
    const job = jobOf(
      await fromDisk(makeZip(xlsxParts({ deflated: bomb.deflated, size: 1024 * 1024 })), 'mentirosa.xlsx'),
    );
    expect(job.status).toBe('falhou');
    expect(job.error).toMatch(/damaged.*sheet1\.xml expands past its declared size of 1048576 bytes/);
    await alive();
  });

  it('16,384 columns (the most Excel allows): a clean import of the lead columns', async () => {
    const width = 16_384;
    const header = Array.from({ length: width }, (_, i) => (i === 0 ? 'Empresa' : i === 1 ? 'Celular' : `Coluna ${i}`));
    const rows = Array.from({ length: 5 }, (_, r) =>
      Array.from({ length: width }, (_, i) => (i === 0 ? `Larga ${r}` : i === 1 ? `(11) 98000-000${r}` : `v${r}.${i}`)),
    );
    const job = jobOf(await fromDisk(makeXlsx([header, ...rows]), 'larga.xlsx'));
    expect(job.status, job.error ?? '').toBe('concluido');
    expect(job.counts).toMatchObject({ rows_read: 5, leads_created: 5, valid_phones: 5 });
    await alive();
  });

  it('1 MB cells: an .xlsx imports (long values kept or reported), a CSV row over 1 MB is refused clearly', async () => {
    const big = 'A'.repeat(1024 * 1024);
    const xlsx = makeXlsx([
      ['Empresa', 'Celular', 'Observações', 'E-mail'],
      [`Empresa ${big}`, '(11) 98111-2222', big, 'ok@exemplo.com.br'],
      ['Empresa Normal', '(11) 98111-3333', big, `${big}@exemplo.com.br`],
    ]);
    const job = jobOf(await fromDisk(xlsx, 'celulas-grandes.xlsx'));
    expect(job.status, job.error ?? '').toBe('concluido');
    expect(job.counts.rows_read).toBe(2);

    const csv = Buffer.from(`Empresa;Celular\nEmpresa ${big};(11) 98111-4444\n`);
    const c = jobOf(await fromDisk(csv, 'celulas-grandes.csv'));
    expect(c.status).toBe('falhou');
    expect(c.error).toMatch(/row is larger than 1 MB/);
    await alive();
  });

  it('formulas are stored as text, never evaluated, and neutralised in the problems CSV', async () => {
    const xlsx = makeXlsx([
      ['Empresa', 'Celular', 'E-mail', 'Observações'],
      [HYPERLINK, DDE, HYPERLINK, DDE],
      [
        'Fórmula Ltda',
        { formula: 'HYPERLINK("http://x","y")', result: 'y' },
        { formula: "cmd|' /C calc'!A0", result: '=2+3' },
        '@SUM(1+1)',
      ],
    ]);
    const job = jobOf(await fromDisk(xlsx, 'formulas.xlsx'));
    expect(job.status, job.error ?? '').toBe('concluido');
    expect(job.counts.leads_created).toBe(2);

    const csv = Buffer.from(
      `Empresa,Celular,E-mail\n"${HYPERLINK.replace(/"/g, '""')}",${DDE},+55 11 9-cmd\n-2+3,"=1+1",@x\n`,
    );
    const cjob = jobOf(await fromDisk(csv, 'formulas.csv'));
    expect(cjob.status, cjob.error ?? '').toBe('concluido');

    const names = await asOwner(db.kysely, (tx) =>
      tx.selectFrom('leads').select('nome').where('tenant_id', '=', deps.tenant.tenant_id).execute(),
    );
    expect(names.map((n) => n.nome)).toEqual(expect.arrayContaining([HYPERLINK, 'Fórmula Ltda', '-2+3']));

    for (const id of [job.job_id, cjob.job_id]) {
      const text = await problemsCsv(id);
      const lines = text.trimEnd().split('\n').slice(1);
      expect(lines.length).toBeGreaterThan(0);
      // No field of any line starts with a character a spreadsheet would evaluate.
      for (const line of lines) {
        for (const field of parseCsvLine(line)) expect(field, line).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
    const xproblems = await problemsCsv(job.job_id);
    // Cells are split into phones / e-mails at separators ("/", ","), so the values are pieces of them.
    expect(xproblems).toContain(`"'=HYPERLINK(""http:"`);
    expect(xproblems).toContain(`'=2+3`);
    expect(await problemsCsv(cjob.job_id)).toContain(`'=1+1`);
    await alive();
  });

  it('SQL-looking text is stored verbatim and does nothing', async () => {
    const csv = Buffer.from(`Empresa;Contato;E-mail\n"${SQL_TEXT}";"Robert'); DROP TABLE leads;--";x@y.com.br\n`);
    const job = jobOf(await fromDisk(csv, 'sql.csv'));
    expect(job.status, job.error ?? '').toBe('concluido');
    const lead = await asOwner(db.kysely, (tx) =>
      tx.selectFrom('leads').select(['nome', 'contato_nome']).where('nome', '=', SQL_TEXT).executeTakeFirst(),
    );
    expect(lead).toEqual({ nome: SQL_TEXT, contato_nome: "Robert'); DROP TABLE leads;--" });
    const found = await client.callTool({ name: 'query_leads', arguments: { text: SQL_TEXT } });
    expect((found.structuredContent as { leads: Array<{ name: string }> }).leads.map((l) => l.name)).toEqual([
      SQL_TEXT,
    ]);
    const { rows } = await asOwner(db.kysely, (tx) =>
      sql<{ n: number }>`select count(*)::int as n from leads`.execute(tx),
    );
    expect(rows[0].n).toBeGreaterThan(0);
    await alive();
  });

  it('backslashes, \\N, \\. and JSON-looking text reach the database verbatim (COPY escaping)', async () => {
    const name = 'Back\\slash \\N Ltda \\\\ fim\\';
    const obs = '\\.';
    const path = 'C:\\temp\\novo {"a":"b\\"c"}';
    const csv = Buffer.from(
      `Empresa;Celular;Obs;Caminho\n"${name.replaceAll('"', '""')}";(11) 98111-2222;${obs};"${path.replaceAll('"', '""')}"\n`,
    );
    const job = jobOf(await fromDisk(csv, 'barras.csv'));
    expect(job.status, job.error ?? '').toBe('concluido');
    expect(job.counts).toMatchObject({ rows_read: 1, leads_created: 1 });
    const lead = await asOwner(db.kysely, (tx) =>
      tx.selectFrom('leads').select(['nome', 'dados_extras']).where('nome', '=', name).executeTakeFirst(),
    );
    expect(lead).toEqual({ nome: name, dados_extras: { Obs: obs, Caminho: path } });
    // The same row again: merged into that lead (found by its name and phone), nothing new.
    const again = jobOf(await fromDisk(csv, 'barras.csv'));
    expect(again.counts).toMatchObject({ rows_read: 1, leads_created: 0, duplicates: 1 });
    await alive();
  });

  it('invalid UTF-8 in a CSV: read (as Windows-1252), imported cleanly', async () => {
    const csv = Buffer.concat([
      Buffer.from('Empresa;Celular\nPadaria '),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80]),
      Buffer.from(' Ltda;(11) 98222-3333\n'),
      Buffer.from('Mercado '),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from(';(11) 98222-4444\n'),
    ]);
    const job = jobOf(await fromDisk(csv, 'utf8-invalido.csv'));
    expect(job.status, job.error ?? '').toBe('concluido');
    expect(job.counts).toMatchObject({ rows_read: 2, leads_created: 2 });
    await alive();
  });

  it('oversized base64: refused with the limit named, before decoding', async () => {
    const over = 'QUFB'.repeat(7_100_000); // 28.4M characters, past the schema's bound
    const a = await client.callTool({
      name: 'ingest_leads',
      arguments: { content_base64: over, filename: 'grande.xlsx' },
    });
    expect(a.isError).toBe(true);
    expect(textOf(a)).toMatch(/content_base64/);
    expect(textOf(a)).toMatch(/28000000/);

    const b = await upload(Buffer.alloc(20 * 1024 * 1024 + 10_000, 0x41), 'grande.csv'); // over 20 MB, inside the schema bound
    expect(b.isError).toBe(true);
    expect(textOf(b)).toMatch(/content_base64 is over 20 MB; put the file on the server and use file_path/);
    await alive();
  });
});

/** Fields of one CSV line (RFC 4180 quoting). */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') ((cur += '"'), i++);
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (out.push(cur), (cur = ''));
    else cur += ch;
  }
  out.push(cur);
  return out;
}
