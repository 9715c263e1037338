import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerDeps } from '../../src/deps.js';
import { insertLead } from '../helpers/fixtures.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';

/*
 * query_leads and update_lead, directly: every filter, keyset pagination across pages, a cursor
 * that is not ours, one lead in full in its English shape, and a move recorded with the caller as actor.
 * (The import-heavy suites reach these tools only on the way to something else.)
 */
describe(`query_leads and update_lead (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let client: Awaited<ReturnType<typeof connectClient>>;
  const ids: Record<string, string> = {};
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: args });
    expect(r.isError, textOf(r)).toBeFalsy();
    return r.structuredContent as any;
  };
  const names = (page: { leads: Array<{ name: string }> }) => page.leads.map((l) => l.name).sort();

  beforeAll(async () => {
    db = await openTestDb();
    deps = await makeDeps(db, { tenantSlug: 'query-leads' });
    client = await connectClient(deps);
    const t = deps.tenant.tenant_id;
    ids.zap = await insertLead(db.kysely, t, {
      nome: 'zap ltda',
      contato: 'Bia Reis',
      phones: [{ e164: '+5511987650101' }],
    });
    ids.mail = await insertLead(db.kysely, t, { nome: 'mail sa', emails: [{ email: 'a@mail.com.br' }] });
    ids.both = await insertLead(db.kysely, t, {
      nome: 'ambos me',
      documento: '11222333000181',
      phones: [{ e164: '+5511987650102' }],
      emails: [{ email: 'b@ambos.com.br' }],
    });
    ids.fixo = await insertLead(db.kysely, t, {
      nome: 'fixo eireli',
      status: 'contatado',
      phones: [{ e164: '+551134567890', valido: false }],
    });
    ids.none = await insertLead(db.kysely, t, { nome: 'nada ltda', status: 'perdido' });
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('pages through every lead, newest first, with no lead twice; the last page has no cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await call('query_leads', { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.leads.map((l: any) => l.lead_id));
      cursor = page.next_cursor ?? undefined;
      if (!cursor) break;
      expect(page.leads).toHaveLength(2);
    }
    expect(cursor).toBeUndefined();
    expect(new Set(seen).size).toBe(5);
    expect(new Set(seen)).toEqual(new Set(Object.values(ids)));
    // The same order as one page of everything (created_at, then lead_id, descending).
    expect(seen).toEqual((await call('query_leads', { limit: 100 })).leads.map((l: any) => l.lead_id));
  });

  it('refuses a cursor it did not make, saying to omit it', async () => {
    const r = await client.callTool({ name: 'query_leads', arguments: { cursor: 'bm90LWEtY3Vyc29y' } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^invalid_argument: cursor is not one this tool returned; omit it/);
  });

  it('filters by status, WhatsApp, e-mail and text (name, contact, document)', async () => {
    expect(names(await call('query_leads', { status: ['contatado', 'perdido'] }))).toEqual([
      'fixo eireli',
      'nada ltda',
    ]);
    expect(names(await call('query_leads', { has_whatsapp: true }))).toEqual(['ambos me', 'zap ltda']);
    expect(names(await call('query_leads', { has_whatsapp: false }))).toEqual(['fixo eireli', 'mail sa', 'nada ltda']);
    expect(names(await call('query_leads', { has_email: true, has_whatsapp: true }))).toEqual(['ambos me']);
    expect(names(await call('query_leads', { text: 'eireli' }))).toEqual(['fixo eireli']);
    expect(names(await call('query_leads', { text: 'bia' }))).toEqual(['zap ltda']);
    expect(names(await call('query_leads', { text: '11.222.333' }))).toEqual(['ambos me']);
    const none = await client.callTool({ name: 'query_leads', arguments: { text: 'inexistente' } });
    expect(textOf(none)).toBe('0 lead(s) match.');
  });

  it('source_job_id: the leads of one import; lead_id: one lead in full, in English, with its origin', async () => {
    const dir = tempDir('query-leads-');
    writeFileSync(join(dir, 'novos.csv'), 'Empresa;Celular;CNPJ\nImportada Ltda;(21) 99876-5432;11.444.777/0001-61\n');
    const importer = await connectClient({ ...deps, config: { ...deps.config, ingestDirs: [dir] } });
    const job = (await importer.callTool({ name: 'ingest_leads', arguments: { file_path: join(dir, 'novos.csv') } }))
      .structuredContent as any;
    await importer.closeAll();
    const page = await call('query_leads', { source_job_id: job.job.job_id });
    expect(names(page)).toEqual(['Importada Ltda']);

    const r = await client.callTool({ name: 'query_leads', arguments: { lead_id: page.leads[0].lead_id } });
    const { lead, leads } = r.structuredContent as any;
    expect(leads).toHaveLength(1);
    expect({ ...leads[0], ...lead }).toMatchObject({
      name: 'Importada Ltda',
      document: '11444777000161',
      document_type: 'cnpj',
      document_valid: true,
      status: 'novo',
      legal_basis: 'legitimo_interesse',
      external_id: null,
      extra: {},
      phones: [{ original: '(21) 99876-5432', e164: '+5521998765432', type: 'movel', sendable: true, repaired: false }],
      emails: [],
    });
    expect(lead.origin).toEqual([
      {
        file: 'novos.csv',
        sheet: 'novos.csv',
        row: 2,
        job_id: job.job.job_id,
        imported_at: expect.any(String),
        legal_basis: 'legitimo_interesse', // none given, no debt: art. 7 IX
      },
    ]);
    expect(lead.history).toEqual([
      expect.objectContaining({
        type: 'importacao',
        from_status: null,
        to_status: 'novo',
        actor: `ingest:${job.job.job_id}`,
      }),
    ]);
    // The text carries the lead itself: its row, document, phones, e-mails and history as a table.
    const text = textOf(r);
    expect(text).toContain(`${leads[0].lead_id} | Importada Ltda | - | novo | +5521998765432 | - | -`);
    expect(text).toContain('document: 11444777000161 (cnpj)');
    expect(text).toContain('phones: +5521998765432 movel');
    expect(text).toMatch(/history \(1\):\nat \| type \| from \| to \| reason\n.* \| importacao \| - \| novo \|/);
  });

  it('update_lead moves a lead, says where it came from, and records the reason and the caller', async () => {
    const out = await call('update_lead', { lead_id: ids.zap, status: 'contatado', reason: 'ligação feita' });
    expect(out).toEqual({ lead_id: ids.zap, previous_status: 'novo', status: 'contatado', changed: [] });
    const { leads, lead } = await call('query_leads', { lead_id: ids.zap });
    expect(leads[0].status).toBe('contatado');
    expect(lead.history.at(-1)).toMatchObject({
      type: 'transicao',
      from_status: 'novo',
      to_status: 'contatado',
      reason: 'ligação feita',
      actor: 'stdio:query-leads',
    });
    const missing = await client.callTool({
      name: 'update_lead',
      arguments: { lead_id: '6f1c1a3e-0000-4000-8000-000000000009', status: 'perdido', reason: 'não existe' },
    });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/^not_found: Lead 6f1c1a3e-0000-4000-8000-000000000009 was not found/);
    const optOut = await client.callTool({
      name: 'update_lead',
      arguments: { lead_id: ids.zap, status: 'opt_out', reason: 'pediu' },
    });
    expect(optOut.isError).toBe(true); // opt-out is recorded by manage_suppression, with the suppression entry
    expect(textOf(optOut)).toMatch(/status/);
  });
});
