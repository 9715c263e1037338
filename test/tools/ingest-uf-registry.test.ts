import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, fixedClock, makeDeps, textOf } from '../helpers/server.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * Issue 17 steps 5 and 6 at import: the lead's UF from a city/UF column (the sheet's UF wins over the
 * phone's DDD, a conflict is a row problem), and an opt-out registry file (bad numbers are row problems,
 * good ones kept in E.164 whatever their form, a newer file replaces the source's entries).
 */
describe(`UF column and opt-out registry import (${testDbKind()})`, () => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof connectClient>>;
  let tenantId: string;

  const call = async (name: string, args: Record<string, unknown>) => {
    const res = await client.callTool({ name, arguments: args });
    expect(res.isError, textOf(res)).toBeFalsy();
    return res.structuredContent as any;
  };
  const csv = (text: string, filename: string) => ({
    content_base64: Buffer.from(text).toString('base64'),
    filename,
  });

  beforeAll(async () => {
    db = await openTestDb();
    const deps = await makeDeps(db, { tenantSlug: 'uf-reg', clock: fixedClock('2026-11-24T13:00:00Z') });
    tenantId = deps.tenant.tenant_id;
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('stores the sheet’s UF, reports a conflict with the DDD and an unknown UF, and keeps every row', async () => {
    const { job } = await call(
      'ingest_leads',
      csv(
        'Empresa;Celular;Cidade/UF\n' +
          'Alfa Ltda;(11) 98765-1001;Campinas/SP\n' +
          'Beta Ltda;(11) 98765-1002;Manaus - AM\n' +
          'Gama Ltda;(21) 98765-1003;Niterói\n' +
          'Delta Ltda;(31) 98765-1004;\n' +
          'Epsilon Ltda;;Rio de Janeiro\n',
        'uf.csv',
      ),
    );
    expect(job.status, job.error).toBe('concluido');
    expect(job.counts).toMatchObject({ rows_read: 5, leads_created: 5 });
    const leads = await asOwner(db.kysely, (tx) =>
      tx
        .selectFrom('leads')
        .select(['nome', 'uf', 'timezone'])
        .where('tenant_id', '=', tenantId)
        .orderBy('nome')
        .execute(),
    );
    expect(leads).toEqual([
      { nome: 'Alfa Ltda', uf: 'SP', timezone: 'America/Sao_Paulo' },
      { nome: 'Beta Ltda', uf: 'AM', timezone: 'America/Manaus' },
      { nome: 'Delta Ltda', uf: null, timezone: 'America/Sao_Paulo' },
      { nome: 'Epsilon Ltda', uf: 'RJ', timezone: 'America/Sao_Paulo' },
      { nome: 'Gama Ltda', uf: null, timezone: 'America/Sao_Paulo' },
    ]);
    const st = await call('job_status', { job_id: job.job_id });
    expect(st.jobs[0].problems_sample).toEqual([
      {
        row: 3,
        sheet: expect.any(String),
        column: 'uf',
        value: 'Manaus - AM',
        reason: 'UF da planilha (AM) difere da UF do DDD 11 (SP): vale a da planilha',
      },
      {
        row: 4,
        sheet: expect.any(String),
        column: 'uf',
        value: 'Niterói',
        reason: 'UF não reconhecida na coluna cidade/UF: usado o DDD do telefone',
      },
    ]);
  });

  it('reads a UF column named otherwise through column_map (state)', async () => {
    const { job } = await call('ingest_leads', {
      ...csv('Empresa;Celular;Localidade\nOmega Ltda;(11) 98765-1009;Recife, PE\n', 'mapa.csv'),
      column_map: { Localidade: 'state' },
    });
    expect(job.status, job.error).toBe('concluido');
    const omega = await asOwner(db.kysely, (tx) =>
      tx.selectFrom('leads').select(['uf', 'timezone']).where('nome', '=', 'Omega Ltda').executeTakeFirstOrThrow(),
    );
    expect(omega).toEqual({ uf: 'PE', timezone: 'America/Recife' });
  });

  it('imports a registry: numbers in any form to E.164, bad ones as row problems, dates +30 days', async () => {
    const out = await call('manage_suppression', {
      action: 'import_registry',
      ...csv(
        'Telefone;Data de cadastro\n' +
          '(11) 98765-2001;01/11/2026\n' +
          '5511987652002;\n' +
          '+55 21 3456-7890;\n' +
          '12345678901;\n' +
          'abc\n' +
          '11 98765-2001;15/10/2026\n',
        'nao-me-ligue.csv',
      ),
      registry_date: '2026-11-20',
    });
    expect(out.registries[0]).toMatchObject({
      source: 'sp_nao_me_ligue',
      numbers: 3,
      replaced: 0,
      effective_from: '2026-11-14',
    });
    expect(out.registries[0].problems).toEqual([
      'linha 5: 12345678901: número inválido: 9 dígitos após o DDD devem começar com 9: número não importado',
    ]);
    const rows = await asOwner(db.kysely, (tx) =>
      sql<{ numero_e164: string; vigente_desde: string }>`
        select numero_e164, vigente_desde::text as vigente_desde from registros_opt_out
        where tenant_id = ${tenantId} order by numero_e164`.execute(tx),
    );
    expect(rows.rows).toEqual([
      { numero_e164: '+5511987652001', vigente_desde: '2026-11-14' },
      { numero_e164: '+5511987652002', vigente_desde: '2026-12-20' },
      { numero_e164: '+552134567890', vigente_desde: '2026-12-20' },
    ]);
    const list = await call('manage_suppression', { action: 'list' });
    expect(list.registries).toEqual([
      expect.objectContaining({ source: 'sp_nao_me_ligue', numbers: 3, effective_from: '2026-11-14' }),
    ]);
  });

  it('replaces the source’s entries with a newer file, and leaves another source alone', async () => {
    await call('manage_suppression', {
      action: 'import_registry',
      ...csv('Telefone\n(11) 98765-3001\n', 'outro.csv'),
      registry: 'procon_rj',
    });
    const out = await call('manage_suppression', {
      action: 'import_registry',
      ...csv('Telefone\n(11) 98765-2009\n', 'nao-me-ligue-dez.csv'),
      registry_date: '2026-12-01',
    });
    expect(out.registries[0]).toMatchObject({ numbers: 1, replaced: 3, effective_from: '2026-12-31' });
    const list = await call('manage_suppression', { action: 'list' });
    expect(list.registries.map((r: any) => [r.source, r.numbers, r.file])).toEqual([
      ['procon_rj', 1, 'outro.csv'],
      ['sp_nao_me_ligue', 1, 'nao-me-ligue-dez.csv'],
    ]);
  });

  it('refuses a registry date that is not a date, naming the field', async () => {
    const res = await client.callTool({
      name: 'manage_suppression',
      arguments: {
        action: 'import_registry',
        ...csv('Telefone\n(11) 98765-3001\n', 'x.csv'),
        registry_date: '31/02/2026',
      },
    });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/registry_date "31\/02\/2026" is not a date/);
  });
});
