import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { pythonWithOpenpyxl } from '../helpers/openpyxl.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * Debts as data (issue 17): an XLSX written by openpyxl with real Excel cells — a currency-formatted
 * number, a date-formatted cell, a plain number holding an Excel serial day — next to text cells in
 * pt-BR and ISO. Header row 1; rows:
 *   2 Alfa Ltda   1234.56 as a currency cell 'R$ #,##0.00'   date cell 2026-03-05        CT-1  Mensalidade
 *   3 Beta Ltda   'R$ 2.500,00' (text)                        '10/04/2026' (text)          NF 123
 *   4 Gama Ltda   99.9 (plain number)                         46086 (plain number: serial) CT-3
 *   5 Delta Ltda  '1.234.567,89' (text)                       '2026-07-15' (text, ISO)     CT-4
 *   6 Épsilon     'R$ abc'  → problem (valor), no debt, lead kept
 *   7 Zeta Ltda   '100,00'                                    '31/02/2026' → problem (vencimento)
 *   8 Alfa Ltda again (same CNPJ) 'R$ 10,00' '01/01/2027' CT-2 → a second debt of Alfa's lead
 */
const PY = `
import datetime, sys, openpyxl
wb = openpyxl.Workbook(); ws = wb.active; ws.title = 'Cobrança'
ws.append(['Razão Social', 'CNPJ', 'Celular', 'Valor em aberto', 'Data de vencimento', 'Contrato', 'Descrição'])
ws.append(['Alfa Ltda', '11.222.333/0001-81', '(11) 98765-0001', 1234.56, datetime.date(2026, 3, 5), 'CT-1', 'Mensalidade'])
ws['D2'].number_format = '"R$" #,##0.00'
ws['E2'].number_format = 'DD/MM/YYYY'
ws.append(['Beta Ltda', '45.723.174/0001-10', '(11) 98765-0002', 'R$ 2.500,00', '10/04/2026', 'NF 123', None])
ws.append(['Gama Ltda', '04.252.011/0001-10', '(21) 98765-0003', 99.9, 46086, 'CT-3', None])
ws.append(['Delta Ltda', '33.000.167/0001-01', '(31) 98765-0004', '1.234.567,89', '2026-07-15', 'CT-4', None])
ws.append(['Épsilon ME', '60.746.948/0001-12', '(41) 98765-0005', 'R$ abc', '01/05/2026', 'CT-5', None])
ws.append(['Zeta Ltda', '00.000.000/0001-91', '(51) 98765-0006', '100,00', '31/02/2026', 'CT-6', None])
ws.append(['Alfa Ltda', '11222333000181', '(11) 98765-0001', 'R$ 10,00', '01/01/2027', 'CT-2', None])
wb.save(sys.argv[1])
`;

describe(`debts from a spreadsheet (${testDbKind()})`, () => {
  let db: TestDb;
  let dir: string;
  let file: string;
  let client: Awaited<ReturnType<typeof connectClient>>;
  let tenantId: string;
  let job: any;

  const debts = () =>
    asOwner(db.kysely, (tx) =>
      sql<{ nome: string; valor: number | null; vencimento: string | null; contrato: string | null; linha: number }>`
        select l.nome, d.valor_centavos::float8 as valor, d.vencimento::text as vencimento, d.contrato, d.linha
        from dividas d join leads l on l.lead_id = d.lead_id
        where d.tenant_id = ${tenantId} order by d.linha`
        .execute(tx)
        .then((r) => r.rows),
    );

  beforeAll(async () => {
    db = await openTestDb();
    dir = tempDir('debts-');
    file = join(dir, 'cobranca.xlsx');
    const script = join(dir, 'make.py');
    writeFileSync(script, PY);
    execFileSync(pythonWithOpenpyxl(), [script, file]);
    const deps = await makeDeps(db, { tenantSlug: 'debts', config: { ingestDirs: [dir] } });
    tenantId = deps.tenant.tenant_id;
    client = await connectClient(deps);
    const res = await client.callTool({ name: 'ingest_leads', arguments: { file_path: file } });
    expect(res.isError, textOf(res)).toBeFalsy();
    job = (res.structuredContent as any).job;
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores each amount in exact centavos and each due date as a date, from all three formats of each', async () => {
    expect(job.status, job.error).toBe('concluido');
    expect(job.counts).toMatchObject({ rows_read: 7, leads_created: 6, duplicates: 1 });
    expect(await debts()).toEqual([
      { nome: 'Alfa Ltda', valor: 123456, vencimento: '2026-03-05', contrato: 'CT-1', linha: 2 },
      { nome: 'Beta Ltda', valor: 250000, vencimento: '2026-04-10', contrato: 'NF 123', linha: 3 },
      { nome: 'Gama Ltda', valor: 9990, vencimento: '2026-03-05', contrato: 'CT-3', linha: 4 },
      { nome: 'Delta Ltda', valor: 123456789, vencimento: '2026-07-15', contrato: 'CT-4', linha: 5 },
      { nome: 'Alfa Ltda', valor: 1000, vencimento: '2027-01-01', contrato: 'CT-2', linha: 8 },
    ]);
  });

  it('reports a bad amount and a bad date as problems of their rows, and keeps those leads', async () => {
    const res = await client.callTool({ name: 'job_status', arguments: { job_id: job.job_id } });
    const status = (res.structuredContent as any).jobs[0];
    expect(status.problems_sample).toEqual([
      {
        row: 6,
        sheet: 'Cobrança',
        column: 'valor',
        value: 'R$ abc',
        reason: 'valor não é um número: "R$ abc": dívida da linha não importada',
      },
      {
        row: 7,
        sheet: 'Cobrança',
        column: 'vencimento',
        value: '31/02/2026',
        reason: 'data inexistente: "31/02/2026": dívida da linha não importada',
      },
    ]);
    const names = await asOwner(db.kysely, (tx) =>
      tx.selectFrom('leads').select('nome').where('tenant_id', '=', tenantId).orderBy('nome').execute(),
    );
    expect(names.map((n) => n.nome)).toEqual([
      'Alfa Ltda',
      'Beta Ltda',
      'Delta Ltda',
      'Gama Ltda',
      'Zeta Ltda',
      'Épsilon ME',
    ]);
  });

  it('adds no debt when the same sheet is imported again', async () => {
    const res = await client.callTool({ name: 'ingest_leads', arguments: { file_path: file } });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect((res.structuredContent as any).job.counts).toMatchObject({ leads_created: 0, leads_updated: 6 });
    expect(await debts()).toHaveLength(5);
  });

  it('reads debt columns with other headers through column_map', async () => {
    const csv = 'Empresa;Celular;Montante;Prazo;Pedido\nOmega Ltda;(11) 98765-0099;"3.210,50";20/12/2026;P-77\n';
    const res = await client.callTool({
      name: 'ingest_leads',
      arguments: {
        content_base64: Buffer.from(csv).toString('base64'),
        filename: 'mapa.csv',
        column_map: { Montante: 'amount', Prazo: 'due_date', Pedido: 'contract' },
      },
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect((await debts()).filter((d) => d.nome === 'Omega Ltda')).toEqual([
      { nome: 'Omega Ltda', valor: 321050, vencimento: '2026-12-20', contrato: 'P-77', linha: 2 },
    ]);
  });

  it('flags a phone or e-mail shared by leads with different documents as problems naming the rows', async () => {
    const csv =
      'Empresa;CNPJ;Celular;Email;Valor em aberto;Vencimento\n' +
      'Loja Um Ltda;11.444.777/0001-61;(21) 98888-0001;financeiro@grupo.com.br;R$ 10,00;01/12/2026\n' +
      'Loja Dois Ltda;45.997.418/0001-53;21 988880001;outro@loja2.com.br;R$ 20,00;01/12/2026\n' +
      'Loja Tres Ltda;07.526.557/0001-00;(21) 97777-0003;FINANCEIRO@grupo.com.br;R$ 30,00;01/12/2026\n';
    const res = await client.callTool({
      name: 'ingest_leads',
      arguments: { content_base64: Buffer.from(csv).toString('base64'), filename: 'grupo.csv' },
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    const j = (res.structuredContent as any).job;
    const st = (await client.callTool({ name: 'job_status', arguments: { job_id: j.job_id } }))
      .structuredContent as any;
    const shared = st.jobs[0].problems_sample.filter((p: any) => /compartilhado/.test(p.reason));
    expect(shared.map((p: any) => [p.row, p.column, p.value])).toEqual([
      [2, 'email', 'financeiro@grupo.com.br'],
      [2, 'telefone', '+5521988880001'],
      [3, 'telefone', '+5521988880001'],
      [4, 'email', 'financeiro@grupo.com.br'],
    ]);
    expect(shared[0].reason).toBe(
      'email compartilhado com outro documento (linha(s) 4): nenhuma cobrança vai a ele até confirmar o dono ' +
        '(manage_suppression confirm_destination)',
    );
    expect(st.jobs[0].problems_total).toBe(4);
  });
});
