import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestJob, failOrphanedJobs, updateIngestJob } from '../../src/core/ingest/job-store.js';
import { savePolicy } from '../../src/core/outreach/policy.js';
import { DISPARO_STATUSES, JOB_FINAL, type JobStatus } from '../../src/core/model/index.js';
import { withTenant } from '../../src/db/tenant.js';
import { insertLead } from '../helpers/fixtures.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { meetingsEnv, type MeetingsEnv } from '../helpers/meetings-setup.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';

/*
 * Issue 13, point 4: the statuses a client reads are the statuses the schema says. Every kind of job
 * is driven to each end it can reach through the product — an import to concluido and to falhou (bad
 * file; interrupted by a process that died), a dry-run campaign (sending off), a real campaign to
 * concluido, pausado and cancelado (sending on, the bundled sandbox servers, the executor in-process)
 * — and every job_status answer is validated against the outputSchema published in tools/list (a JSON
 * Schema validator, not our zod schema). A final job has finished_at; a campaign's text reports the
 * campaign's own counts (disparos by status), never an import's rows and leads.
 * Not reachable through the product, so not driven: an import cancelado (nothing cancels an import) and
 * a campaign falhou (nothing fails a campaign); the model allows both for when something does.
 */
describe(`job_status answers within its published schema for every job kind and end (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  /** job_status for one job (and the list): both valid against the published schema; the job returned. */
  async function jobStatus(client: Client, jobId: string, expected: JobStatus) {
    const { tools } = await client.listTools();
    const schema = tools.find((t) => t.name === 'job_status')!.outputSchema!;
    const validate = new AjvJsonSchemaValidator().getValidator(schema as never);
    const res = await client.callTool({ name: 'job_status', arguments: { job_id: jobId } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const verdict = validate(res.structuredContent);
    expect(verdict.errorMessage, JSON.stringify(res.structuredContent)).toBeUndefined();
    const list = await client.callTool({ name: 'job_status', arguments: {} });
    expect(validate(list.structuredContent).errorMessage).toBeUndefined();
    const job = (res.structuredContent as { jobs: any[] }).jobs[0];
    expect(job.status).toBe(expected);
    if (JOB_FINAL.includes(job.status)) expect(job.finished_at, `${job.kind} ${job.status}`).not.toBeNull();
    else expect(job.finished_at).toBeNull();
    const text = textOf(res);
    if (job.kind === 'dispatch') {
      expect(text).toMatch(new RegExp(`^${job.job_id} \\| campaign( \\(dry run\\))? \\| ${expected} \\|`, 'm'));
      expect(text).not.toMatch(/\brows\b|leads created|duplicates/);
      for (const s of DISPARO_STATUSES) if (job.counts[s] > 0) expect(text).toContain(`${job.counts[s]} ${s}`);
    } else {
      expect(text).toMatch(new RegExp(`^${job.job_id} \\| import \\| ${expected} \\|`, 'm'));
      expect(text).toContain(`${job.counts.rows_read} rows, ${job.counts.leads_created} leads created`);
    }
    return job;
  }

  it('imports: concluido, falhou for a file without lead columns, falhou when the importing process died', async () => {
    const dir = tempDir('job-enum-');
    writeFileSync(join(dir, 'leads.csv'), 'Empresa;Celular\nPadaria Sol;(11) 98765-4321\nLoja Lua;(21) 99876-5432\n');
    writeFileSync(join(dir, 'sem-cabecalho.csv'), 'x;y\n1;2\n');
    const deps = await makeDeps(db, { tenantSlug: 'job-enum-ingest', config: { ingestDirs: [dir] } });
    const client = await connectClient(deps);
    const ok = await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dir, 'leads.csv') } });
    const done = await jobStatus(client, (ok.structuredContent as any).job.job_id, 'concluido');
    expect(done.counts).toMatchObject({ rows_read: 2, leads_created: 2 });

    const bad = await client.callTool({
      name: 'ingest_leads',
      arguments: { file_path: join(dir, 'sem-cabecalho.csv') },
    });
    const failed = await jobStatus(client, (bad.structuredContent as any).job.job_id, 'falhou');
    expect(failed.error).toMatch(/No sheet has recognisable lead columns/);

    // A job left processando by a process that died: the next start marks it falhou (main.ts serve).
    const t = deps.tenant.tenant_id;
    const orphan = await withTenant(db.kysely, t, async (tx) => {
      const id = await createIngestJob(tx, {
        tenantId: t,
        tipo: 'csv',
        arquivo: 'grande.csv',
        sourceLabel: null,
        validateOnly: false,
        bytesTotal: 1000,
      });
      await updateIngestJob(tx, t, id, { status: 'processando', startedAt: deps.clock.now() });
      return id;
    });
    await jobStatus(client, orphan, 'processando');
    expect(await failOrphanedJobs(db.kysely, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    const interrupted = await jobStatus(client, orphan, 'falhou');
    expect(interrupted.error).toMatch(/^interrompido/);
    await client.closeAll();
  });

  it('a dry-run campaign (sending off) is concluido at once, with its batch and nothing sent', async () => {
    const dir = tempDir('job-enum-dry-');
    writeFileSync(join(dir, 'leads.csv'), 'Empresa;Celular\nPadaria Sol;(11) 98765-4321\n');
    const deps = await makeDeps(db, { tenantSlug: 'job-enum-dry', config: { ingestDirs: [dir] } });
    const client = await connectClient(deps);
    await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dir, 'leads.csv') } });
    const started = await client.callTool({ name: 'start_dispatch', arguments: { filter: {} } });
    expect(started.isError, textOf(started)).toBeFalsy();
    const job = await jobStatus(client, (started.structuredContent as any).job_id, 'concluido');
    expect(job).toMatchObject({ kind: 'dispatch', mode: 'dry_run', progress_pct: 100 });
    expect(job.dry_run_batch_id).not.toBeNull();
    await client.closeAll();
  });

  describe('real campaigns (sending on, sandbox servers)', () => {
    let e: MeetingsEnv;
    beforeAll(async () => {
      e = await meetingsEnv(db, { now: '2026-11-24T13:00:00Z' });
      // The templates sign with the sender's name; the window is open all week (as seedCampaign does).
      await withTenant(db.kysely, e.tenantId, (tx) =>
        savePolicy(tx, e.tenantId, {
          remetente: 'Teste',
          janela: { dias: Array(7).fill({ inicio: '00:00', fim: '24:00' }), respeitar_feriados: false },
          maxPorLead24h: 1,
        }),
      );
    });
    afterAll(async () => e?.close());

    const start = async (leadIds: string[], key: string) => {
      const r = await e.client.callTool({
        name: 'start_dispatch',
        arguments: { lead_ids: leadIds, campaign_key: key },
      });
      expect(r.isError, textOf(r)).toBeFalsy();
      expect((r.structuredContent as any).queued, textOf(r)).toBe(leadIds.length);
      return (r.structuredContent as any).job_id as string;
    };
    // The collections template names the lead's document: leads with one, a mobile and a contact.
    const lead = (nome: string, documento: string, phone: string) =>
      insertLead(db.kysely, e.tenantId, { nome, contato: 'Ana Souza', documento, phones: [{ e164: phone }] });
    const control = async (jobId: string, action: string) => {
      const r = await e.client.callTool({ name: 'control_dispatch', arguments: { job_id: jobId, action } });
      expect(r.isError, textOf(r)).toBeFalsy();
    };

    it('runs to concluido once every disparo is sent', { timeout: 60_000 }, async () => {
      const a = await lead('Padaria Envio', '11222333000181', '+5511987650001');
      const b = await lead('Mercado Envio', '11444777000161', '+5511987650002');
      const id = await start([a, b], 'enum-concluido');
      const running = await jobStatus(e.client, id, 'processando');
      expect(running.counts).toMatchObject({ pendente: 2, total: 2 });
      await e.drain();
      const done = await jobStatus(e.client, id, 'concluido');
      expect(done).toMatchObject({ mode: 'real', counts: { enviado: 2, total: 2 }, progress_pct: 100 });
      expect(e.record('whatsapp')).toHaveLength(2);
    });

    it('is pausado after a pause (not final: no finished_at), and cancelado after a cancel', async () => {
      const c = await lead('Loja Pausa', '04567890000179', '+5511987650003');
      const id = await start([c], 'enum-pausa');
      await control(id, 'pause');
      const paused = await jobStatus(e.client, id, 'pausado');
      expect(paused.counts).toMatchObject({ adiado: 1, total: 1 });
      await control(id, 'cancel');
      const cancelled = await jobStatus(e.client, id, 'cancelado');
      expect(cancelled.counts).toMatchObject({ cancelado: 1, total: 1 });
    });
  });
});
