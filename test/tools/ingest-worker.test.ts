import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleLeads } from '../../scripts/make-sample-leads.js';
import { preparedRows } from '../../src/app/ingest-prepare.js';
import type { Logger } from '../../src/core/ports.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { leadsCsv } from '../helpers/leads-data.js';
import { pythonWithOpenpyxl } from '../helpers/openpyxl.js';
import { connectClient, makeDeps } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * Large files are read and normalised in a worker thread (app/ingest-prepare.ts), small ones on the main
 * thread. The two paths must import exactly the same: each file below is imported once each way, into two
 * tenants, and the jobs (counts, every problem) and the stored leads (names, documents, status, time
 * zones, origin rows, extras, phones, e-mails) are compared.
 */
describe(`ingest_leads in a worker thread imports exactly what the main thread does (${testDbKind()})`, () => {
  let db: TestDb;
  let dir: string;
  const closers: Array<() => Promise<void>> = [];
  let n = 0;

  beforeAll(async () => {
    db = await openTestDb();
    dir = tempDir('ingest-worker-');
    // The messy sample (title, merged cells, rich text, formulas, placeholders, footer) with 3,000 random
    // rows: several worker batches (500 rows) and two merge chunks (2,500 rows).
    await writeSampleLeads(join(dir, 'baguncado.xlsx'), { rows: 3000 });
    // Another writer, leads on the second sheet after a sheet with no header, a hidden sheet.
    execFileSync(pythonWithOpenpyxl(), [fileURLToPath(new URL('../fixtures/make_openpyxl.py', import.meta.url)), join(dir, 'openpyxl.xlsx')]);
    // CSV with duplicates inside the file (rows 6,000–8,999 twice).
    writeFileSync(join(dir, 'leads.csv'), leadsCsv(0, 9000) + leadsCsv(6000, 9000).split('\n').slice(1).join('\n'));
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Imports a file into a tenant of its own, on the main thread or in the worker. */
  async function importOnce(file: string, inWorker: boolean, args: Record<string, unknown> = {}) {
    const threads: unknown[] = [];
    const logger: Logger = {
      debug() {}, warn() {}, error() {},
      info: (obj, msg) => msg === 'ingest started' && threads.push((obj as { thread?: unknown }).thread),
      child: () => logger,
    };
    const deps = await makeDeps(db, {
      logger,
      tenantSlug: `worker-${++n}`,
      config: { ingestDirs: [dir], ingestWorkerMinBytes: inWorker ? 0 : Number.POSITIVE_INFINITY },
    });
    const client = await connectClient(deps);
    closers.push(() => client.closeAll());
    const res = await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dir, file), ...args } }, undefined, { timeout: 120_000 });
    await deps.tasks.drain();
    expect(threads).toEqual([inWorker ? 'worker' : 'main']);
    const jobId = (res.structuredContent as { job: { job_id: string } }).job.job_id;
    const status = await client.callTool({ name: 'job_status', arguments: { job_id: jobId } });
    const job = (status.structuredContent as { jobs: Array<Record<string, unknown>> }).jobs[0];
    const problems = ((await client.readResource({ uri: `job-problems://${jobId}` })).contents[0] as { text: string }).text;
    return { job, problems, leads: await storedLeads(deps.tenant.tenant_id) };
  }

  /** Every lead of a tenant with its phones and e-mails, without ids, job ids or times. */
  async function storedLeads(tenantId: string) {
    const { rows } = await asOwner(db.kysely, (tx) => sql<Record<string, unknown>>`
      select l.nome, l.contato_nome, l.documento, l.documento_tipo, l.documento_valido, l.status, l.timezone,
             l.lead_id_externo, l.dados_extras,
             (select jsonb_agg(o - 'job_id' - 'importado_em' order by ord) from jsonb_array_elements(l.origem) with ordinality as x(o, ord)) as origem,
             (select jsonb_agg(jsonb_build_array(t.numero_original, t.numero_e164, t.tipo, t.valido_para_disparo, t.motivo_invalido, t.reparado) order by t.posicao)
                from lead_telefones t where t.lead_id = l.lead_id) as telefones,
             (select jsonb_agg(jsonb_build_array(e.email_original, e.email_normalizado, e.valido_para_disparo, e.motivo_invalido) order by e.posicao)
                from lead_emails e where e.lead_id = l.lead_id) as emails
      from leads l where l.tenant_id = ${tenantId}
      order by l.origem->0->>'aba', (l.origem->0->>'linha')::int`.execute(tx));
    return rows;
  }

  const comparable = (job: Record<string, unknown>) => ({ status: job.status, error: job.error ?? null, counts: job.counts });

  it.each([
    ['baguncado.xlsx', 3000 + 7],
    ['openpyxl.xlsx', 3],
    ['leads.csv', 12_000],
  ])('%s: same job, same problems, same leads', { timeout: 300_000 }, async (file, rowsRead) => {
    const inline = await importOnce(file, false);
    const worker = await importOnce(file, true);
    expect(inline.job.status).toBe('concluido');
    expect((inline.job.counts as { linhas_lidas: number }).linhas_lidas).toBe(rowsRead);
    expect(comparable(worker.job)).toEqual(comparable(inline.job));
    expect(worker.problems.replaceAll(String(worker.job.job_id), '')).toBe(inline.problems.replaceAll(String(inline.job.job_id), ''));
    expect(worker.leads.length).toBeGreaterThan(0);
    expect(worker.leads).toEqual(inline.leads);
  });

  it('a worker that runs out of memory before its first row hands the file to the main thread', { timeout: 120_000 }, async () => {
    const read = async (opts: Parameters<typeof preparedRows>[1]) => {
      const rows: unknown[] = [];
      for await (const b of preparedRows({ path: join(dir, 'baguncado.xlsx'), filename: 'baguncado.xlsx' }, opts)) rows.push(...b.rows);
      return rows;
    };
    const fallbacks: string[] = [];
    // A heap far too small for the worker to even load its modules.
    const starved = await read({ inWorker: true, heap: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 }, onFallback: (why) => fallbacks.push(why) });
    expect(fallbacks).toEqual([expect.stringContaining('2 MB heap was too small')]);
    expect(starved).toHaveLength(3007); // every usable row (duplicates are merged later, by the merge)
    expect(starved).toEqual(await read({ inWorker: false }));
    // With its normal heap the worker does the work itself.
    const normal: string[] = [];
    expect(await read({ inWorker: true, onFallback: (why) => normal.push(why) })).toEqual(starved);
    expect(normal).toEqual([]);
  });

  it('validate_only and column_map work the same in the worker', { timeout: 120_000 }, async () => {
    const args = { validate_only: true, column_map: { Observações: 'lead_id_externo' } };
    const inline = await importOnce('baguncado.xlsx', false, args);
    const worker = await importOnce('baguncado.xlsx', true, args);
    expect(worker.leads).toEqual([]);
    expect(comparable(worker.job)).toEqual(comparable(inline.job));
    expect(worker.problems.replaceAll(String(worker.job.job_id), '')).toBe(inline.problems.replaceAll(String(inline.job.job_id), ''));
  });

  it('a damaged file fails with the same message from the worker', { timeout: 120_000 }, async () => {
    const whole = readFileSync(join(dir, 'baguncado.xlsx'));
    writeFileSync(join(dir, 'cortado.xlsx'), whole.subarray(0, Math.floor(whole.length / 2)));
    const inline = await importOnce('cortado.xlsx', false);
    const worker = await importOnce('cortado.xlsx', true);
    expect(inline.job.status).toBe('falhou');
    expect(String(inline.job.error)).toMatch(/^The \.xlsx file is damaged or incomplete/);
    expect(comparable(worker.job)).toEqual(comparable(inline.job));
  });

  it('a sheet named in the call that does not exist fails with the same message from the worker', { timeout: 120_000 }, async () => {
    const inline = await importOnce('openpyxl.xlsx', false, { sheet: 'Clientes' });
    const worker = await importOnce('openpyxl.xlsx', true, { sheet: 'Clientes' });
    expect(String(inline.job.error)).toContain('Clientes');
    expect(comparable(worker.job)).toEqual(comparable(inline.job));
  });
});
