import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '@modelcontextprotocol/client';
import type { ServerDeps } from '../../src/deps.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { withTenant } from '../../src/db/tenant.js';
import { cnpjFor, mobileFor } from '../helpers/leads-data.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';

/*
 * A file too large to finish within the tool call: ingest_leads must come back with the job still
 * 'processando' (after a progress notification, so the client does not time out), and the job must go on
 * in the background until job_status shows it finished with every row accounted for.
 *
 * The workbook, built here so that every count is known (the pipeline merges in chunks of 5 000 rows):
 *   row 1            header Empresa | Contato | CNPJ | Celular | Email
 *   12 000 leads     "Empresa Teste <i> Ltda", even i with a valid CNPJ, odd i without; one mobile and one
 *                    e-mail each, all distinct                                  → 12 000 new leads
 *   12 unusable rows (only "123" as document and "abc" as phone), one after every 1 000th lead
 *                                                                                → 12 linhas_invalidas
 *   300 repeats of leads 0–299 at the end: their originals were merged two chunks earlier, so they are
 *                    merged into existing leads (by CNPJ for even i, by name + phone for odd i)
 *                                                                                → 300 duplicados, 300 leads_atualizados
 *   200 repeats of leads 11 800–11 999, in the same chunk as their originals (grouped in memory)
 *                                                                                → 200 duplicados
 * rows_read 12 512 = 12 000 created + 500 duplicates + 12 unusable. Phones/e-mails: one valid each
 * per usable row (12 500); unusable rows are not counted. Problems: 2 per unusable row (the document
 * "123" and "não virou lead").
 */

const LEADS = 12_000;
const FILE = 'grande.xlsx';
const EXPECTED_COUNTS = {
  rows_read: 12_512,
  leads_created: 12_000,
  leads_updated: 300,
  duplicates: 500,
  invalid_rows: 12,
  rows_without_channel: 0,
  valid_phones: 12_500,
  invalid_phones: 0,
  valid_emails: 12_500,
  invalid_emails: 0,
};
const WAIT_MS = 300;
const POLL_MS = 50;
const POLL_DEADLINE_MS = 240_000;

const leadRow = (i: number) => [
  `Empresa Teste ${i} Ltda`,
  `Contato ${i}`,
  i % 2 === 0 ? cnpjFor(i) : '',
  mobileFor(i),
  `contato${i}@empresa${i}.com.br`,
];

/** Writes the workbook; returns the row numbers (as Excel shows them) of the unusable rows. */
async function writeWorkbook(path: string): Promise<number[]> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false });
  const ws = wb.addWorksheet('Leads');
  let rowNumber = 0;
  const add = (cells: string[]) => {
    ws.addRow(cells).commit();
    return ++rowNumber;
  };
  const unusable: number[] = [];
  add(['Empresa', 'Contato', 'CNPJ', 'Celular', 'Email']);
  for (let i = 0; i < LEADS; i++) {
    add(leadRow(i).map(String));
    if (i % 1000 === 999) unusable.push(add(['', '', '123', 'abc', '']));
  }
  for (let i = 0; i < 300; i++) add(leadRow(i).map(String));
  for (let i = LEADS - 200; i < LEADS; i++) add(leadRow(i).map(String));
  ws.commit();
  await wb.commit();
  return unusable;
}

describe(`ingest_leads on a file larger than the call's wait (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let client: Awaited<ReturnType<typeof connectClient>>;
  let dir: string;
  let path: string;
  let size: number;
  let unusableRows: number[];
  const savedWait = process.env.AGENTE_INGEST_WAIT_MS;

  beforeAll(async () => {
    db = await openTestDb();
    dir = tempDir('progress-');
    path = join(dir, FILE);
    unusableRows = await writeWorkbook(path);
    expect(unusableRows).toHaveLength(12);
    size = statSync(path).size;
    deps = await makeDeps(db, { config: { ingestDirs: [dir] } });
    client = await connectClient(deps);
    process.env.AGENTE_INGEST_WAIT_MS = String(WAIT_MS);
  });
  afterAll(async () => {
    if (savedWait === undefined) delete process.env.AGENTE_INGEST_WAIT_MS;
    else process.env.AGENTE_INGEST_WAIT_MS = savedWait;
    await deps?.tasks.drain();
    await client?.closeAll();
    await db?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('returns the running job after a progress notification, then finishes in the background with every row accounted for', async () => {
    const notes: Progress[] = [];
    const res = await client.callTool(
      { name: 'ingest_leads', arguments: { file_path: path } },
      {
        onprogress: (p) => notes.push(p),
        timeout: 60_000,
      },
    );
    expect(res.isError, textOf(res)).toBeFalsy();
    const job = (res.structuredContent as any).job;

    // 1. The call came back before the import finished, and says what to do next.
    expect(job.status, job.error).toBe('processando');
    expect(job.finished_at).toBeNull();
    expect(job.started_at).not.toBeNull();
    expect(textOf(res)).toMatch(
      new RegExp(
        `^Import ${job.job_id} of ${FILE} is still running \\([\\d.]+%, \\d+ rows so far\\)\\. Poll job_status with this job_id\\.$`,
      ),
    );
    expect(deps.tasks.size).toBe(1); // the import goes on in the background

    // 2. While the call waited, the tool sent progress in bytes of the file.
    expect(notes.length).toBeGreaterThanOrEqual(1);
    for (const n of notes) {
      expect(n.total).toBe(size);
      expect(n.progress).toBeGreaterThanOrEqual(0);
      expect(n.progress).toBeLessThanOrEqual(size);
      expect(n.message).toBe(`importando ${FILE}: ${Math.round((n.progress / size) * 100)}%`);
    }

    // 3. job_status, polled, shows the job moving.
    const seen: any[] = [];
    const deadline = Date.now() + POLL_DEADLINE_MS;
    let last: any;
    for (;;) {
      const st = await client.callTool({ name: 'job_status', arguments: { job_id: job.job_id } });
      expect(st.isError, textOf(st)).toBeFalsy();
      last = (st.structuredContent as any).jobs[0];
      seen.push(last);
      if (last.status !== 'processando' || Date.now() > deadline) break;
      await sleep(POLL_MS);
    }
    expect(last.status, `${last.error} after ${seen.length} polls`).toBe('concluido');

    const running = seen.filter((s) => s.status === 'processando');
    const pcts = running.map((s) => s.progress_pct as number);
    const rowsRead = running.map((s) => s.counts.rows_read as number);
    const trace = running.map((s) => `${s.progress_pct}%/${s.counts.rows_read}`).join(', ');
    expect(
      pcts.every((p) => typeof p === 'number' && p >= 0 && p <= 100),
      trace,
    ).toBe(true);
    // Never goes backwards, and moved while the job was running.
    expect(
      pcts.every((p, i) => i === 0 || p >= pcts[i - 1]),
      trace,
    ).toBe(true);
    expect(
      rowsRead.every((n, i) => i === 0 || n >= rowsRead[i - 1]),
      trace,
    ).toBe(true);
    expect(new Set(pcts).size, trace).toBeGreaterThanOrEqual(2);
    expect(pcts[0], trace).toBeLessThan(100);
    // Partial counts are visible while running, with a rate and an ETA.
    const partial = running.filter((s) => s.counts.rows_read > 0 && s.counts.rows_read < EXPECTED_COUNTS.rows_read);
    expect(partial.length, trace).toBeGreaterThanOrEqual(1);
    for (const s of partial) {
      expect(s.rows_per_second).toBeGreaterThan(0);
      expect(s.eta_seconds).toEqual(expect.any(Number));
      expect(s.counts.leads_created + s.counts.duplicates + s.counts.invalid_rows).toBeLessThanOrEqual(
        s.counts.rows_read,
      );
    }

    // 4. Finished: every row read is a new lead, a duplicate or an unusable row.
    expect(last.counts).toEqual(EXPECTED_COUNTS);
    const c = last.counts;
    expect(c.leads_created + c.duplicates + c.invalid_rows).toBe(c.rows_read);
    expect(last).toMatchObject({ progress_pct: 100, eta_seconds: 0, error: null, problems_total: 24 });
    expect(last.rows_per_second).toBeGreaterThan(0);
    expect(last.finished_at).not.toBeNull();
    expect([...new Set(last.problems_sample.map((p: any) => p.row))]).toEqual(unusableRows.slice(0, 10));
    expect(last.problems_sample.filter((p: any) => p.column === 'linha')[0]).toMatchObject({
      row: unusableRows[0],
      reason: expect.stringContaining('não virou lead'),
    });

    await deps.tasks.drain();
    expect(deps.tasks.size).toBe(0);

    // 5. The database agrees with the counts; the staging rows are gone.
    const t = deps.tenant.tenant_id;
    const { rows } = await withTenant(db.kysely, t, (tx) =>
      sql<{ leads: number; docs: number; phones: number; emails: number; staged: number }>`
      select (select count(*)::int from leads where tenant_id = ${t}) as leads,
             (select count(distinct documento)::int from leads where tenant_id = ${t} and documento_valido) as docs,
             (select count(*)::int from lead_telefones where tenant_id = ${t}) as phones,
             (select count(*)::int from lead_emails where tenant_id = ${t}) as emails,
             (select count(*)::int from ingest_linhas where job_id = ${job.job_id}) as staged`.execute(tx),
    );
    expect(rows[0]).toEqual({ leads: 12_000, docs: 6_000, phones: 12_000, emails: 12_000, staged: 0 });

    // A lead repeated two chunks later has both rows in origem.
    const page = (await client.callTool({ name: 'query_leads', arguments: { text: 'Empresa Teste 1 Ltda' } }))
      .structuredContent as any;
    expect(page.leads.map((l: any) => l.name)).toEqual(['Empresa Teste 1 Ltda']);
    const view = (await client.callTool({ name: 'query_leads', arguments: { lead_id: page.leads[0].lead_id } }))
      .structuredContent as any;
    const lead = { ...view.leads[0], ...view.lead };
    // Lead 1 is on row 3; its repeat comes after 12 000 leads + 12 unusable rows + header + repeat of lead 0.
    expect(lead.origin.map((o: any) => o.row)).toEqual([3, 1 + LEADS + 12 + 2]);
    expect(lead.document).toBeNull();
    expect(lead.phones).toHaveLength(1);
  }, 300_000);
});
