import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { writeSampleLeads } from '../../scripts/make-sample-leads.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';
import { pythonWithOpenpyxl } from '../helpers/openpyxl.js';

/*
 * End to end through the MCP tools (real SDK client, in-memory transport) on the two XLSX writers the
 * project cares about: exceljs (scripts/make-sample-leads.ts, the messy sample) and openpyxl
 * (test/fixtures/make_openpyxl.py). Every number below is derived from what the generators write:
 *
 * Messy sample, writeSampleLeads(path, { rows: 80 }) (seed 20261112, deterministic):
 *   row 1 title (merged A1:H1), 2 blank, 3 header, 4–10 the seven hand-made rows, 11 blank,
 *   12–91 eighty random leads, 92 blank, 93 footer "Total: 87 registros" (merged).
 *   Hand-made rows (phones valid/invalid, e-mails valid/invalid as the pipeline counts them per row):
 *     4  Padaria Pão Quente Ltda, CNPJ 4567890000179 (number, lost its 0), "(11) 98765-4321 / (11) 3456-7890",
 *        mailto link                                                        phones 1/1  e-mails 1/0
 *     5  rich text "Auto Peças " + "Irmãos Souza", CPF 123.456.789-09, "11 8765-4321" (old 8-digit mobile),
 *        "0800 123 4567", "sem email"                                       phones 1/1  e-mails 0/0
 *     6  "Mercado\u00A0Boa Vista", contact "-", CNPJ from a formula, "N/A", 21998765432 (number),
 *        two e-mails in one cell                                            phones 1/0  e-mails 2/0
 *     7  Farmácia Saúde, #N/A document, "(00) 98765-4321", "ana.paula@@farmacia"  phones 0/1  e-mails 0/1
 *     8  same CNPJ as row 4 (formatted), "(11) 97777-6666"  → merged into row 4's lead  phones 1/0
 *     9  Oficina do Zé, "(31) 98888-7777", ze@oficina.com                   phones 1/0  e-mails 1/0
 *     10 Oficina do Zé, same phone → merged into row 9's lead               phones 1/0
 *   → 7 rows, 5 leads, 2 duplicates, 0 unusable; phones 6 valid / 3 not; e-mails 4 valid / 1 not.
 *   Random rows (all distinct names "<Company> <i>", random documents): each is one lead with one valid
 *   mobile "(DDD) 9XXXX-XXXX"; 25 of the 80 also have a landline "(DDD) 3XXX-XXXX" (fixo, not valid);
 *   66 have an address "<slug><i>@<domain>", the other 14 have "" (7), "N/A" (4) or "-" (3).
 *   → 80 rows, 80 leads; phones 80 valid / 25 not; e-mails 66 valid / 0 not.
 *   Totals: rows_read 87, leads_created 85, duplicates 2, invalid_rows 0, leads_updated 0,
 *   phones 86 / 28, e-mails 70 / 1. (Checked by counting the raw cells with exceljs's own reader.)
 *
 * openpyxl workbook: sheet "Instruções" (two lines of text, no header), sheet "Leads" (title, blank,
 * header row 3, leads on rows 4–6, footer on row 8), hidden sheet "Listas".
 *   4 Silva & Filhos Ltda (inline rich text), CNPJ 4567890000179 (number), 11987654321, mailto link
 *   5 Beta Comércio, CPF, 1134567890 (landline), cell text "Enviar e-mail" with mailto:ana@beta.com.br
 *   6 "Gama\u00A0Serviços", (21) 99876-5432
 *   → 3 rows, 3 leads, 0 duplicates; phones 2 valid / 1 not; e-mails 2 valid / 0 not; no problems.
 */

const SAMPLE_ROWS = 80;
const SAMPLE_FILE = 'leads-baguncados.xlsx';
const SAMPLE_COUNTS = {
  rows_read: 87,
  leads_created: 85,
  leads_updated: 0,
  duplicates: 2,
  invalid_rows: 0,
  rows_without_channel: 1, // no WhatsApp mobile and no valid e-mail
  valid_phones: 86,
  invalid_phones: 28,
  valid_emails: 70,
  invalid_emails: 1,
};
const OPENPYXL_FILE = 'cadastro-openpyxl.xlsx';
const OPENPYXL_COUNTS = {
  rows_read: 3,
  leads_created: 3,
  leads_updated: 0,
  duplicates: 0,
  invalid_rows: 0,
  rows_without_channel: 0, // row 5 has a landline but an e-mail
  valid_phones: 2,
  invalid_phones: 1,
  valid_emails: 2,
  invalid_emails: 0,
};

type TestClient = Client & { closeAll(): Promise<void> };

async function tool(client: TestClient, name: string, args: Record<string, unknown>): Promise<any> {
  return client.callTool({ name, arguments: args });
}

async function ingestOk(client: TestClient, args: Record<string, unknown>): Promise<any> {
  const res = await tool(client, 'ingest_leads', args);
  expect(res.isError, textOf(res)).toBeFalsy();
  return res.structuredContent.job;
}

async function jobStatus(client: TestClient, jobId: string): Promise<any> {
  const res = await tool(client, 'job_status', { job_id: jobId });
  expect(res.isError, textOf(res)).toBeFalsy();
  return res.structuredContent.jobs[0];
}

async function allLeads(client: TestClient): Promise<{ leads: any[]; next_cursor: string | null }> {
  const res = await tool(client, 'query_leads', { limit: 100 });
  expect(res.isError, textOf(res)).toBeFalsy();
  return res.structuredContent;
}

/** The one lead that `text` finds (fails if it finds none or several), in full. */
async function oneLead(client: TestClient, text: string): Promise<any> {
  const page = await tool(client, 'query_leads', { text, limit: 100 });
  expect(page.isError, textOf(page)).toBeFalsy();
  const leads = page.structuredContent.leads;
  expect(
    leads.map((l: any) => l.name),
    `query_leads text=${text}`,
  ).toHaveLength(1);
  const res = await tool(client, 'query_leads', { lead_id: leads[0].lead_id });
  expect(res.isError, textOf(res)).toBeFalsy();
  return { ...res.structuredContent.leads[0], ...res.structuredContent.lead };
}

const phonesOf = (lead: any) => lead.phones.map((t: any) => [t.original, t.e164, t.type, t.sendable, t.repaired]);
const rowsOf = (lead: any) => lead.origin.map((o: any) => [o.file, o.sheet, o.row]);

describe(`ingest_leads on XLSX files, end to end (${testDbKind()})`, () => {
  let db: TestDb;
  let dir: string;
  let samplePath: string;
  let openpyxlPath: string;
  const clients: TestClient[] = [];
  const dirs: string[] = [];

  /** A client of its own tenant, so that each scenario starts with no leads. */
  async function session(tenantSlug: string) {
    const deps = await makeDeps(db, { tenantSlug, config: { ingestDirs: [dir] } });
    const client = await connectClient(deps);
    clients.push(client);
    return { deps, client };
  }

  beforeAll(async () => {
    db = await openTestDb();
    dir = tempDir('xlsx-');
    dirs.push(dir);
    samplePath = join(dir, SAMPLE_FILE);
    const { footerRow } = await writeSampleLeads(samplePath, { rows: SAMPLE_ROWS });
    expect(footerRow).toBe(93);
    openpyxlPath = join(dir, OPENPYXL_FILE);
    execFileSync(pythonWithOpenpyxl(), [
      fileURLToPath(new URL('../fixtures/make_openpyxl.py', import.meta.url)),
      openpyxlPath,
    ]);
  });
  afterAll(async () => {
    for (const c of clients) await c.closeAll();
    await db?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  describe('the messy exceljs sample', () => {
    let client: TestClient;
    let job: any;
    beforeAll(async () => {
      ({ client } = await session('exceljs-sample'));
      job = await ingestOk(client, { file_path: samplePath });
    });

    it('finishes in the call with the counts derived from the generator', () => {
      expect(job.status, job.error).toBe('concluido');
      expect(job.file).toBe(SAMPLE_FILE);
      expect(job.validate_only).toBe(false);
      expect(job.error).toBeNull();
      expect(job.counts).toEqual(SAMPLE_COUNTS);
      expect(job.progress_pct).toBe(100);
      expect(job.finished_at).not.toBeNull();
    });

    it('job_status shows the unusable phone and e-mail of row 7 with its row number, and nothing else', async () => {
      const status = await jobStatus(client, job.job_id);
      expect(status.status).toBe('concluido');
      expect(status.counts).toEqual(SAMPLE_COUNTS);
      expect(status.problems_sample).toContainEqual(
        expect.objectContaining({
          row: 7,
          sheet: 'Leads',
          column: 'telefone',
          value: '(00) 98765-4321',
          reason: expect.any(String),
        }),
      );
      expect(status.problems_sample).toContainEqual({
        row: 7,
        sheet: 'Leads',
        column: 'email',
        value: 'ana.paula@@farmacia',
        reason: 'e-mail com mais de um @',
      });
      // Rows 4/8 (one lead) and 5 are different companies with one mobile: row 5's old 8-digit "11 8765-4321"
      // is row 4's (11) 98765-4321. Collections will not go to it (issue 17): a problem of each of those rows.
      const shared = status.problems_sample.filter((p: any) => /compartilhado/.test(p.reason));
      expect(shared.map((p: any) => [p.row, p.column, p.value])).toEqual([
        [4, 'telefone', '+5511987654321'],
        [5, 'telefone', '+5511987654321'],
        [8, 'telefone', '+5511987654321'],
      ]);
      expect(shared[1].reason).toMatch(/^telefone compartilhado com outro documento \(linha\(s\) 4, 8\)/);
      // Every other row of the file is clean: no problem points anywhere else.
      const others = status.problems_sample.filter((p: any) => !/compartilhado/.test(p.reason));
      expect(others.map((p: any) => p.row)).toEqual(others.map(() => 7));
      expect(status.problems_total).toBe(status.problems_sample.length);
    });

    it('row 4 + row 8 (same CNPJ, one stored as a number without its leading zero) are one lead with both phones and both rows', async () => {
      // Found by the padded document: the number 4567890000179 was stored as 04567890000179.
      const lead = await oneLead(client, '04567890000179');
      expect(lead).toMatchObject({
        name: 'Padaria Pão Quente Ltda', // the first row's name
        contact_name: 'Maria da Silva',
        document: '04567890000179',
        document_type: 'cnpj',
        document_valid: true,
        timezone: 'America/Sao_Paulo',
        whatsapp: '+5511987654321',
        email: 'contato@paoquente.com.br', // from the mailto: hyperlink
        status: 'novo',
      });
      expect(phonesOf(lead)).toEqual([
        ['(11) 98765-4321', '+5511987654321', 'movel', true, false],
        ['(11) 3456-7890', '+551134567890', 'fixo', false, false], // landline: kept, not dispatchable
        ['(11) 97777-6666', '+5511977776666', 'movel', true, false], // from row 8
      ]);
      expect(lead.phones[1].invalid_reason).toBe('telefone fixo não recebe WhatsApp');
      expect(lead.emails).toEqual([
        {
          original: 'contato@paoquente.com.br',
          normalized: 'contato@paoquente.com.br',
          sendable: true,
          invalid_reason: null,
        },
      ]);
      expect(rowsOf(lead)).toEqual([
        [SAMPLE_FILE, 'Leads', 4],
        [SAMPLE_FILE, 'Leads', 8],
      ]);
      expect(lead.origin.every((o: any) => o.job_id === job.job_id)).toBe(true);
      // Extra columns kept; for a column both rows fill, the first row's value wins.
      expect(lead.extra).toEqual({ Cidade: 'São Paulo', Observações: 'Cliente desde 2019' });
      expect(lead.history).toEqual([
        expect.objectContaining({
          type: 'importacao',
          to_status: 'novo',
          reason: `importado de ${SAMPLE_FILE} (aba Leads), linha 4`,
        }),
      ]);
      // The unpadded form finds nothing: the document is stored padded only.
      const unpadded = await tool(client, 'query_leads', { text: '4567890000179' });
      expect(unpadded.structuredContent.leads).toEqual([]);
    });

    it('row 5: rich-text name whole, old 8-digit mobile repaired, 0800 kept as toll_free, "sem email" gives no e-mail', async () => {
      const lead = await oneLead(client, 'Irmãos Souza');
      expect(lead).toMatchObject({
        name: 'Auto Peças Irmãos Souza', // both runs of the rich text
        contact_name: 'João Souza', // "  João   Souza " cleaned
        document: '12345678909',
        document_type: 'cpf',
        document_valid: true,
        timezone: 'America/Sao_Paulo',
        whatsapp: '+5511987654321',
        email: null,
      });
      expect(lead.phones).toEqual([
        {
          original: '11 8765-4321',
          e164: '+5511987654321',
          type: 'movel',
          sendable: true,
          invalid_reason: null,
          repaired: true,
        },
        {
          original: '0800 123 4567',
          e164: '+558001234567',
          type: 'toll_free',
          sendable: false,
          invalid_reason: 'número 0800 não é telefone de contato',
          repaired: false,
        },
      ]);
      expect(lead.emails).toEqual([]); // "sem email" is a placeholder, not an address
      expect(lead.extra).toEqual({ Cidade: 'Campinas' }); // empty Observações not kept
      expect(rowsOf(lead)).toEqual([[SAMPLE_FILE, 'Leads', 5]]);
    });

    it('row 6: NBSP name, CNPJ from a formula, "-" contact and "N/A" phone dropped, number-typed phone, two e-mails in one cell', async () => {
      const lead = await oneLead(client, '11222333000181');
      expect(lead).toMatchObject({
        name: 'Mercado Boa Vista',
        contact_name: null,
        document: '11222333000181',
        document_valid: true,
        timezone: 'America/Sao_Paulo', // DDD 21: Rio is on São Paulo time
        whatsapp: '+5521998765432',
        email: 'joao@boavista.com.br',
      });
      expect(phonesOf(lead)).toEqual([['21998765432', '+5521998765432', 'movel', true, false]]);
      expect(lead.emails.map((e: any) => [e.normalized, e.sendable])).toEqual([
        ['joao@boavista.com.br', true],
        ['vendas@boavista.com.br', true],
      ]);
      expect(lead.extra).toEqual({ Cidade: 'Rio de Janeiro' });
    });

    it('row 7: the #N/A document, the invalid-DDD phone and the broken e-mail are kept as unusable, the lead is still made', async () => {
      const lead = await oneLead(client, 'Farmácia Saúde');
      expect(lead).toMatchObject({
        name: 'Farmácia Saúde',
        contact_name: 'Ana Paula',
        document: null,
        document_valid: false,
        timezone: 'America/Sao_Paulo', // no usable phone: the default
        whatsapp: null,
        email: null,
      });
      expect(lead.phones).toEqual([
        expect.objectContaining({
          original: '(00) 98765-4321',
          e164: null,
          type: 'invalido',
          sendable: false,
        }),
      ]);
      expect(lead.emails).toEqual([
        {
          original: 'ana.paula@@farmacia',
          normalized: 'ana.paula@@farmacia',
          sendable: false,
          invalid_reason: 'e-mail com mais de um @',
        },
      ]);
      expect(lead.extra).toEqual({ Cidade: 'Belo Horizonte', Observações: 'DDD inválido' });
    });

    it('rows 9 + 10 (same name and phone, no document) are one lead', async () => {
      const lead = await oneLead(client, 'Oficina do Zé');
      expect(lead).toMatchObject({
        name: 'Oficina do Zé',
        document: null,
        whatsapp: '+5531988887777',
        email: 'ze@oficina.com',
      });
      expect(phonesOf(lead)).toEqual([['(31) 98888-7777', '+5531988887777', 'movel', true, false]]);
      expect(rowsOf(lead)).toEqual([
        [SAMPLE_FILE, 'Leads', 9],
        [SAMPLE_FILE, 'Leads', 10],
      ]);
      // Row 9 has no Observações, so row 10's is kept.
      expect(lead.extra).toEqual({ Cidade: 'Contagem', Observações: 'Duplicado (nome + telefone)' });
    });

    it('random rows: the time zone follows the first phone\'s DDD; "-" / "N/A" / "" e-mails give no e-mail rows', async () => {
      // Row 12: DDD 68 (Acre), CNPJ written as a full 14-digit number.
      const acre = await oneLead(client, '98537749000177');
      expect(acre).toMatchObject({
        name: 'Restaurante Primavera 1',
        timezone: 'America/Rio_Branco',
        whatsapp: '+5568931032580',
        email: 'restauranteprimavera1@uol.com.br',
        extra: { Cidade: 'Rio Branco' },
      });
      // Row 27: DDD 92 (Amazonas), no document.
      const manaus = await oneLead(client, 'Papelaria Mineira 16');
      expect(manaus).toMatchObject({ document: null, timezone: 'America/Manaus', whatsapp: '+5592977840299' });
      expect(rowsOf(manaus)).toEqual([[SAMPLE_FILE, 'Leads', 27]]);
      // Row 85: DDD 92 and e-mail "-".
      const dash = await oneLead(client, 'Farmácia Estrela 74');
      expect(dash).toMatchObject({
        document: '54865914625',
        document_type: 'cpf',
        timezone: 'America/Manaus',
        email: null,
        emails: [],
      });
      // Row 88: DDD 71 (Bahia) and e-mail "N/A".
      const na = await oneLead(client, 'Distribuidora Mineira 77');
      expect(na).toMatchObject({ timezone: 'America/Bahia', email: null, emails: [] });
      // Row 13: another CNPJ that lost its leading zero (7303806000106).
      const padded = await oneLead(client, '07303806000106');
      expect(padded).toMatchObject({
        name: 'Restaurante Ipê 2',
        document_valid: true,
        timezone: 'America/Sao_Paulo',
      });
      // Row 90: landline second phone, e-mail "-".
      const landline = await oneLead(client, 'Papelaria Aurora 79');
      expect(phonesOf(landline)).toEqual([
        ['(62) 91276-7878', '+5562912767878', 'movel', true, false],
        ['(62) 3158-0320', '+556231580320', 'fixo', false, false],
      ]);
      expect(landline.emails).toEqual([]);
    });

    it('the title, header and "Total: 87 registros" footer are not leads: 85 leads in all', async () => {
      const page = await allLeads(client);
      expect(page.leads).toHaveLength(85);
      expect(page.next_cursor).toBeNull();
      const names = page.leads.map((l: any) => l.name);
      expect(names.filter((n: string) => /total|registros|relat[óo]rio|raz[ãa]o social/i.test(n))).toEqual([]);
      expect(new Set(names).size).toBe(85);
      const viaJob = await tool(client, 'query_leads', { source_job_id: job.job_id, limit: 100 });
      expect(viaJob.structuredContent.leads).toHaveLength(85);
    });

    // Runs last in this block: it appends rows to the leads' origem.
    it('importing the same file again creates nothing and merges every row into the existing leads', async () => {
      const again = await ingestOk(client, { file_path: samplePath });
      expect(again.status, again.error).toBe('concluido');
      expect(again.counts).toEqual({ ...SAMPLE_COUNTS, leads_created: 0, duplicates: 87, leads_updated: 85 });
      expect((await allLeads(client)).leads).toHaveLength(85);
      const padaria = await oneLead(client, '04567890000179');
      expect(padaria.origin.map((o: any) => [o.row, o.job_id])).toEqual([
        [4, job.job_id],
        [8, job.job_id],
        [4, again.job_id],
        [8, again.job_id],
      ]);
      expect(padaria.phones).toHaveLength(3); // no phone twice
      expect(padaria.history).toHaveLength(1); // one 'importacao' entry, from the import that created it
    });
  });

  describe('the openpyxl workbook (leads on the second sheet)', () => {
    let client: TestClient;
    let job: any;
    beforeAll(async () => {
      ({ client } = await session('openpyxl'));
      job = await ingestOk(client, { file_path: openpyxlPath });
    });

    it('skips the instructions sheet and the hidden sheet, imports the three leads of "Leads"', async () => {
      expect(job.status, job.error).toBe('concluido');
      expect(job.counts).toEqual(OPENPYXL_COUNTS);
      expect(job.problems_total).toBe(0);
      expect(job.problems_sample).toEqual([]);
      const page = await allLeads(client);
      expect(page.leads.map((l: any) => l.name).sort()).toEqual([
        'Beta Comércio',
        'Gama Serviços',
        'Silva & Filhos Ltda',
      ]);
    });

    it('row 4: inline rich text whole, padded CNPJ, number-typed mobile, mailto e-mail, date as ISO in dados_extras', async () => {
      const lead = await oneLead(client, 'Silva & Filhos');
      expect(lead).toMatchObject({
        name: 'Silva & Filhos Ltda',
        contact_name: 'José Silva', // "Nome" next to "Empresa" is the contact person
        document: '04567890000179',
        document_type: 'cnpj',
        document_valid: true,
        timezone: 'America/Sao_Paulo',
        whatsapp: '+5511987654321',
        email: 'jose@silvaefilhos.com.br',
        extra: { Cidade: 'São Paulo', Cadastro: '2026-11-12' },
      });
      expect(phonesOf(lead)).toEqual([['11987654321', '+5511987654321', 'movel', true, false]]);
      expect(rowsOf(lead)).toEqual([[OPENPYXL_FILE, 'Leads', 4]]);
    });

    it('row 5: a cell showing "Enviar e-mail" gives the mailto address; a landline is fixo and not dispatchable', async () => {
      const lead = await oneLead(client, 'Beta Comércio');
      expect(lead).toMatchObject({
        document: '12345678909',
        document_type: 'cpf',
        whatsapp: null,
        email: 'ana@beta.com.br',
      });
      expect(lead.phones).toEqual([
        {
          original: '1134567890',
          e164: '+551134567890',
          type: 'fixo',
          sendable: false,
          invalid_reason: 'telefone fixo não recebe WhatsApp',
          repaired: false,
        },
      ]);
      expect(lead.emails.map((e: any) => e.normalized)).toEqual(['ana@beta.com.br']);
      // The formula "=1+1" has no cached value in an openpyxl file: the Cadastro cell is empty.
      expect(lead.extra).toEqual({ Cidade: 'Niterói' });
    });

    it('row 6: NBSP in the name, no contact, no document', async () => {
      const lead = await oneLead(client, 'Gama Serviços');
      expect(lead).toMatchObject({
        name: 'Gama Serviços',
        contact_name: null,
        document: null,
        whatsapp: '+5521998765432',
        email: null,
        extra: { Cidade: 'Rio de Janeiro', Cadastro: 'true' },
      });
      expect(rowsOf(lead)).toEqual([[OPENPYXL_FILE, 'Leads', 6]]);
    });
  });

  describe('validate_only', () => {
    it('writes no leads but reports the same row, phone and e-mail counts and the same problems', async () => {
      const { client } = await session('validate-only');
      const job = await ingestOk(client, { file_path: samplePath, validate_only: true });
      expect(job.status, job.error).toBe('concluido');
      expect(job.validate_only).toBe(true);
      expect(job.counts).toEqual({ ...SAMPLE_COUNTS, leads_created: 0, duplicates: 0 });
      const notShared = job.problems_sample.filter((p: any) => !/compartilhado/.test(p.reason));
      expect(notShared.map((p: any) => p.row)).toEqual(notShared.map(() => 7));
      expect(notShared.map((p: any) => p.column)).toEqual(expect.arrayContaining(['telefone', 'email']));
      expect((await allLeads(client)).leads).toEqual([]);
      const res = await tool(client, 'ingest_leads', { file_path: openpyxlPath, validate_only: true });
      expect(textOf(res)).toContain('validate only: nothing written');
      expect(res.structuredContent.job.counts).toEqual({ ...OPENPYXL_COUNTS, leads_created: 0 });
      expect((await allLeads(client)).leads).toEqual([]);
    });
  });

  describe('the sheet argument', () => {
    it('a sheet that does not exist: the job fails with a message listing the sheets that exist', async () => {
      const { client } = await session('sheet-missing');
      const res = await tool(client, 'ingest_leads', { file_path: openpyxlPath, sheet: 'Clientes' });
      // What the code does: not an isError result, but a job that ended 'falhou', and the text says so.
      expect(res.isError).toBeFalsy();
      const job = res.structuredContent.job;
      expect(job.status).toBe('falhou');
      expect(job.error).toBe(
        'Sheet "Clientes" was not found. The workbook has: "Instruções", "Leads", "Listas". Ask again with one of these names.',
      );
      expect(textOf(res)).toBe(`Import ${job.job_id} of ${OPENPYXL_FILE} failed: ${job.error}`);
      expect(job.counts.rows_read).toBe(0);
      expect((await allLeads(client)).leads).toEqual([]);
      const status = await jobStatus(client, job.job_id);
      expect(status).toMatchObject({ status: 'falhou', error: job.error });
    });

    it('naming the sheet (case and spaces ignored) imports only that sheet', async () => {
      const { client } = await session('sheet-named');
      const job = await ingestOk(client, { file_path: openpyxlPath, sheet: ' leads ' });
      expect(job.status, job.error).toBe('concluido');
      expect(job.counts).toEqual(OPENPYXL_COUNTS);
    });

    it('naming a sheet without lead columns fails with advice about the header and column_map', async () => {
      const { client } = await session('sheet-no-header');
      const res = await tool(client, 'ingest_leads', { file_path: openpyxlPath, sheet: 'Instruções' });
      const job = res.structuredContent.job;
      expect(job.status).toBe('falhou');
      expect(job.error).toContain('No sheet has recognisable lead columns');
      expect(job.error).toContain('"Instruções"');
      expect(job.error).toContain('column_map');
      expect((await allLeads(client)).leads).toEqual([]);
    });
  });

  describe('files that cannot be imported', () => {
    let client: TestClient;
    beforeAll(async () => {
      ({ client } = await session('unreadable'));
    });

    it('a legacy .xls (OLE2 bytes) is refused before any job, saying how to convert it', async () => {
      const path = join(dir, 'antigo.xls');
      writeFileSync(path, Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(1024)]));
      const before = (await tool(client, 'job_status', {})).structuredContent.jobs.length;
      const res = await tool(client, 'ingest_leads', { file_path: path });
      expect(res.isError).toBe(true);
      const text = textOf(res);
      expect(text).toMatch(/^unsupported_format: /);
      expect(text).toContain('"antigo.xls"');
      expect(text).toContain('Excel 97-2003 workbook (.xls)');
      expect(text).toContain('"Excel Workbook (.xlsx)"');
      expect((await tool(client, 'job_status', {})).structuredContent.jobs).toHaveLength(before);
    });

    it('a truncated .xlsx ends as a failed job that says the file is incomplete and to save it again', async () => {
      const whole = readFileSync(samplePath);
      const path = join(dir, 'cortado.xlsx');
      writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
      const res = await tool(client, 'ingest_leads', { file_path: path });
      expect(res.isError).toBeFalsy();
      const job = res.structuredContent.job;
      expect(job.status).toBe('falhou');
      expect(job.error).toMatch(
        /^The \.xlsx file is damaged or incomplete \(.+\); it may have been cut off during upload\./,
      );
      expect(job.error).toContain('save it as .xlsx (or .csv UTF-8) and send it again');
      expect(textOf(res)).toContain('failed:');
      expect(job.counts.rows_read).toBe(0);
    });

    it('an empty file is refused with a message to send it again', async () => {
      const path = join(dir, 'vazio.xlsx');
      writeFileSync(path, Buffer.alloc(0));
      const res = await tool(client, 'ingest_leads', { file_path: path });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toBe('unsupported_format: The file "vazio.xlsx" is empty (0 bytes). Send the file again.');
    });

    it('a CSV whose first rows have no recognisable header fails, asking to rename columns or pass column_map', async () => {
      const path = join(dir, 'sem-cabecalho.csv');
      writeFileSync(
        path,
        [
          'Padaria São João;(11) 98765-4321;maria@padaria.com.br',
          'Oficina do Zé;(21) 99888-7777;ze@oficina.com',
          'Mercado Bom Preço;(31) 98888-7777;ana@mercado.com.br',
        ].join('\r\n'),
      );
      const res = await tool(client, 'ingest_leads', { file_path: path });
      expect(res.isError).toBeFalsy();
      const job = res.structuredContent.job;
      expect(job.status).toBe('falhou');
      expect(job.error).toContain(
        'No sheet has recognisable lead columns (looked at the first 30 rows of "sem-cabecalho.csv")',
      );
      expect(job.error).toContain('Rename the columns, or pass column_map');
      expect(job.counts.leads_created).toBe(0);
      expect(job.counts.rows_read).toBe(0);
    });

    it('none of them wrote a lead, and no job was left running', async () => {
      expect((await allLeads(client)).leads).toEqual([]);
      const jobs = (await tool(client, 'job_status', {})).structuredContent.jobs;
      expect(jobs.map((j: any) => [j.file, j.status]).sort()).toEqual([
        ['cortado.xlsx', 'falhou'],
        ['sem-cabecalho.csv', 'falhou'],
      ]);
    });
  });

  describe('where the bytes come from', () => {
    it('content_base64 + filename gives the same import as file_path', async () => {
      const { client } = await session('base64');
      const job = await ingestOk(client, {
        content_base64: readFileSync(samplePath).toString('base64'),
        filename: 'enviado.xlsx',
      });
      expect(job.status, job.error).toBe('concluido');
      expect(job.file).toBe('enviado.xlsx');
      expect(job.counts).toEqual(SAMPLE_COUNTS);
      const notShared = job.problems_sample.filter((p: any) => !/compartilhado/.test(p.reason));
      expect(notShared.map((p: any) => p.row)).toEqual(notShared.map(() => 7));
      expect(notShared.map((p: any) => p.column)).toEqual(expect.arrayContaining(['telefone', 'email']));
      const lead = await oneLead(client, '04567890000179');
      expect(rowsOf(lead)).toEqual([
        ['enviado.xlsx', 'Leads', 4],
        ['enviado.xlsx', 'Leads', 8],
      ]);
      expect(lead.phones).toHaveLength(3);
    });

    it('content_base64 without filename is refused, saying what to add', async () => {
      const { client } = await session('base64-no-name');
      const res = await tool(client, 'ingest_leads', { content_base64: readFileSync(openpyxlPath).toString('base64') });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toContain('content_base64 needs filename');
    });

    it('a file_path outside the allowed directories is refused, naming the allowed ones', async () => {
      const { client } = await session('outside');
      const elsewhere = tempDir('xlsx-outside-');
      dirs.push(elsewhere);
      const path = join(elsewhere, 'leads.xlsx');
      writeFileSync(path, readFileSync(openpyxlPath));
      const res = await tool(client, 'ingest_leads', { file_path: path });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(
        new RegExp(
          `^forbidden: ${path} is outside the folder this server may read \\(${dir}\\)\\. .*AGENTE_INGEST_DIRS`,
        ),
      );
      // "../" out of the allowed directory is refused the same way.
      const sneaky = await tool(client, 'ingest_leads', { file_path: `${dir}/../${basename(elsewhere)}/leads.xlsx` });
      expect(sneaky.isError).toBe(true);
      expect(textOf(sneaky)).toContain(`outside the folder this server may read (${dir})`);
      expect((await allLeads(client)).leads).toEqual([]);
    });

    it('a relative file_path is refused: the caller names the file by its absolute path in an allowed folder', async () => {
      const { client } = await session('relative');
      const res = await tool(client, 'ingest_leads', { file_path: OPENPYXL_FILE });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toContain(`invalid_argument: file_path must be an absolute path inside`);
      expect((await allLeads(client)).leads).toEqual([]);
    });
  });

  // Bugs found while writing this file; each test failed before its fix in src/.
  describe('regressions (bugs found while writing this file, now fixed)', () => {
    let client: TestClient;
    let status: any;
    beforeAll(async () => {
      ({ client } = await session('bugs'));
      const job = await ingestOk(client, { file_path: samplePath, validate_only: true });
      status = await jobStatus(client, job.job_id);
    });

    it('"(00) 98765-4321" (row 7, invalid DDD 00) is reported as an invalid DDD, not as a foreign number', () => {
      // src/core/normalize/phone.ts:140 — every number whose digits start with "00" is taken as the
      // international prefix, even when the 00 is written as a DDD in parentheses. The row is the
      // generator's "DDD inválido" case; today the reason is 'número estrangeiro inválido'.
      const problem = status.problems_sample.find((p: any) => p.row === 7 && p.column === 'telefone');
      expect(problem?.reason).toBe('DDD inexistente: 00');
    });

    it("the #N/A error in row 7's CNPJ/CPF cell is reported as a problem of that row", () => {
      // The XLSX reader reports error cells in SheetRow.errors ({2: '#N/A'}), but nothing in
      // src/core/ingest (columns.ts mapRow / normalize-row.ts / pipeline.ts) reads `errors`: the
      // document silently becomes empty and the job's problems never mention it.
      expect(status.problems_sample).toContainEqual(expect.objectContaining({ row: 7, column: 'documento' }));
    });

    it('a phone with an invalid DDD "(01)" / "(09)" is not turned into a dispatchable mobile of another DDD', async () => {
      // src/core/normalize/phone.ts:156-158 strips the "0" of "(01)" as a trunk prefix, leaving
      // "1987654321": DDD 19 + an 8-digit number, which line 202 then "repairs" with a ninth digit.
      // Today "(01) 98765-4321" becomes +5519987654321 (Campinas) and "(09) 98765-4321" +5599987654321
      // (Maranhão), both valido_para_disparo true, reparado true: WhatsApp would go to strangers.
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Leads');
      ws.addRow(['Empresa', 'Celular']);
      ws.addRow(['DDD Zero Um Ltda', '(01) 98765-4321']);
      ws.addRow(['DDD Zero Nove Ltda', '(09) 98765-4321']);
      const buffer = Buffer.from(await wb.xlsx.writeBuffer());
      const { client: c } = await session('bug-ddd-0x');
      const job = await ingestOk(c, { content_base64: buffer.toString('base64'), filename: 'ddd-0x.xlsx' });
      expect(job.status, job.error).toBe('concluido');
      const one = await oneLead(c, 'DDD Zero Um');
      const nine = await oneLead(c, 'DDD Zero Nove');
      expect([one.whatsapp, nine.whatsapp]).toEqual([null, null]);
      expect(job.counts).toMatchObject({ valid_phones: 0, invalid_phones: 2 });
      expect(job.problems_sample.map((p: any) => [p.row, p.column])).toEqual([
        [2, 'telefone'],
        [3, 'telefone'],
      ]);
    });
  });
});
