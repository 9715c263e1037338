import { plantingFixtures } from '../helpers/transition-guard.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import type { ServerDeps } from '../../src/deps.js';
import { withTenant } from '../../src/db/tenant.js';

describe(`MCP server through a real client (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let client: Client & { closeAll(): Promise<void> };
  beforeAll(async () => {
    db = await openTestDb();
    deps = await makeDeps(db, { env: { MICRO_AGENT_DISPARO_ENABLED: 'TRUE' } });
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('lists tools whose schemas match the snapshot', async () => {
    const { tools } = await client.listTools();
    await expect(JSON.stringify(tools, null, 2)).toMatchFileSnapshot('../__snapshots__/tools-list.json');
  });

  it('gives every tool a title, a usable description, an output schema and all four annotations', async () => {
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(1);
    for (const t of tools) {
      expect(t.title, t.name).toBeTruthy();
      expect(t.description?.length, t.name).toBeGreaterThan(40);
      expect(t.outputSchema?.type, t.name).toBe('object');
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof t.annotations?.[hint], `${t.name}.${hint}`).toBe('boolean');
      }
      expect(t.name).toMatch(/^[a-z]+(_[a-z]+)+$/);
    }
  });

  it('reports status: database, migrations, tenant, and sending off unless the flag is exactly "true"', async () => {
    const res = await client.callTool({ name: 'get_status', arguments: {} });
    const s = res.structuredContent as any;
    expect(res.isError).toBeFalsy();
    expect(s.database.kind).toBe(testDbKind());
    expect(s.database.migrations_pending).toEqual([]);
    expect(s.database.migrations_applied.length).toBeGreaterThanOrEqual(9);
    expect(s.tenant.slug).toBe('default');
    expect(s.dispatch.enabled).toBe(false);
    expect(s.dispatch.note).toContain('"TRUE"');
    expect(textOf(res)).toContain('OFF (dry run)');
  });

  it('job_status: an unknown job is an isError result that says it was not found', async () => {
    const res = await client.callTool({
      name: 'job_status',
      arguments: { job_id: '6f1c1a3e-0000-4000-8000-000000000001' },
    });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/not_found: Job 6f1c1a3e-0000-4000-8000-000000000001 was not found/);
  });

  it('job_status: a malformed id is refused by the schema with a message naming the field', async () => {
    const res = await client.callTool({ name: 'job_status', arguments: { job_id: 'abc' } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/job_id/);
  });

  it("job_status: shows progress, rate and ETA of a running job, and only this tenant's jobs", async () => {
    const started = new Date(Date.now() - 10_000);
    const job = await withTenant(db.kysely, deps.tenant.tenant_id, async (tx) =>
      (await plantingFixtures(tx), tx)
        .insertInto('ingest_jobs')
        .values({
          tenant_id: deps.tenant.tenant_id,
          tipo: 'xlsx',
          arquivo: 'leads.xlsx',
          status: 'processando',
          bytes_total: 1000,
          bytes_lidos: 250,
          linhas_lidas: 5000,
          iniciado_em: started,
          erros_amostra: JSON.stringify([{ row: 7, column: 'Telefone', value: '123', reason: 'número incompleto' }]),
          problemas_total: 1,
        })
        .returning('job_id')
        .executeTakeFirstOrThrow(),
    );
    const res = await client.callTool({ name: 'job_status', arguments: { job_id: job.job_id } });
    const j = (res.structuredContent as any).jobs[0];
    expect(j.progress_pct).toBe(25);
    expect(j.rows_per_second).toBeGreaterThan(400);
    expect(j.rows_per_second).toBeLessThan(600);
    expect(j.eta_seconds).toBeGreaterThan(25);
    expect(j.eta_seconds).toBeLessThan(35);
    expect(j.problems_sample).toEqual([{ row: 7, column: 'Telefone', value: '123', reason: 'número incompleto' }]);
    expect(textOf(res)).toMatch(
      new RegExp(`\n${job.job_id} \\| import \\| processando \\| 25 \\| \\d+ \\| leads.xlsx \\| 5000 rows`),
    );
    // job://{id} serves the same job as JSON.
    const read = await client.readResource({ uri: `job://${job.job_id}` });
    const resource = JSON.parse((read.contents[0] as { text: string }).text);
    expect(resource).toMatchObject({ job_id: job.job_id, kind: 'ingest', status: 'processando', counts: j.counts });

    const other = await makeDeps(db, { tenantSlug: 'outro' });
    const otherClient = await connectClient(other);
    const denied = await otherClient.callTool({ name: 'job_status', arguments: { job_id: job.job_id } });
    expect(denied.isError).toBe(true);
    const list = await otherClient.callTool({ name: 'job_status', arguments: {} });
    expect((list.structuredContent as any).jobs).toEqual([]);
    await expect(otherClient.readResource({ uri: `job://${job.job_id}` })).rejects.toThrow(/Job .* was not found/);
    await otherClient.closeAll();
  });

  it('serves the status resource and the planejar_campanha prompt', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain('agente://status');
    const read = await client.readResource({ uri: 'agente://status' });
    expect(JSON.parse((read.contents[0] as { text: string }).text).tenant.slug).toBe('default');
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain('planejar_campanha');
  });
});
