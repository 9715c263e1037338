import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { withTenant } from '../../src/db/tenant.js';
import { leadsCsv } from '../helpers/leads-data.js';
import { connectClient, makeDeps } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';

describe(`two overlapping imports at the same time (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  it('create no duplicate lead', { timeout: 300_000 }, async () => {
    const dir = tempDir('concurrent-');
    writeFileSync(join(dir, 'a.csv'), leadsCsv(0, 12_000));
    writeFileSync(join(dir, 'b.csv'), leadsCsv(6_000, 18_000));
    const deps = await makeDeps(db, { config: { ingestDirs: [dir] } });
    const [c1, c2] = await Promise.all([connectClient(deps), connectClient(deps)]);
    const [r1, r2] = await Promise.all([
      c1.callTool(
        { name: 'ingest_leads', arguments: { file_path: join(dir, 'a.csv') } },
        {
          timeout: 300_000,
        },
      ),
      c2.callTool(
        { name: 'ingest_leads', arguments: { file_path: join(dir, 'b.csv') } },
        {
          timeout: 300_000,
        },
      ),
    ]);
    await deps.tasks.drain();
    const jobs = [r1, r2].map((r) => (r.structuredContent as any).job.job_id);
    const final = await Promise.all(
      jobs.map(
        async (id) => (await c1.callTool({ name: 'job_status', arguments: { job_id: id } })).structuredContent as any,
      ),
    );
    for (const f of final) expect(f.jobs[0].status, f.jobs[0].error).toBe('concluido');
    const created = final.reduce((acc, f) => acc + f.jobs[0].counts.leads_created, 0);
    expect(created).toBe(18_000);

    const t = deps.tenant.tenant_id;
    const counts = await withTenant(db.kysely, t, (tx) =>
      sql<{ leads: number; docs: number; keys: number; phones: number }>`
      select (select count(*)::int from leads where tenant_id = ${t}) as leads,
             (select count(distinct documento)::int from leads where tenant_id = ${t} and documento_valido) as docs,
             (select count(distinct nome_chave)::int from leads where tenant_id = ${t}) as keys,
             (select count(*)::int from lead_telefones where tenant_id = ${t}) as phones`.execute(tx),
    );
    expect(counts.rows[0]).toEqual({ leads: 18_000, docs: 9_000, keys: 18_000, phones: 18_000 });
    await c1.closeAll();
    await c2.closeAll();
  });
});
