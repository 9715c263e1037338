import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * The shared-destination check at the end of an import (core/ingest/sql/shared-destinations.ts) across
 * two imports: leads of an earlier import counted as "lead(s) de importações anteriores", a lead of the
 * earlier import that a row of this one merges into (its old phone is then this file's too), and a
 * destination confirmed as one lead's (not reported).
 */
const FIRST =
  'Empresa;CNPJ;Celular;Email\n' +
  'Loja Um Ltda;11.444.777/0001-61;(21) 98888-0001;financeiro@grupo.com.br\n' +
  'Loja Dois Ltda;45.997.418/0001-53;21 988880001;outro@loja2.com.br\n' +
  'Loja Tres Ltda;07.526.557/0001-00;(21) 97777-0003;contato@tres.com.br\n';
const SECOND =
  'Empresa;CNPJ;Celular;Email\n' +
  'Loja Quatro Ltda;12.345.678/0001-95;(21) 98888-0001;novo@quatro.com.br\n' +
  'Loja Cinco Ltda;23.456.789/0001-95;(21) 97777-0003;financeiro@grupo.com.br\n' +
  'Loja Seis Ltda;34.567.890/0001-30;(21) 97777-0003;seis@seis.com.br\n' +
  'Loja Tres Ltda;07.526.557/0001-00;(21) 96666-0009;\n';
const TAIL = '): nenhuma cobrança vai a ele até confirmar o dono (manage_suppression confirm_destination)';

describe(`shared destinations across imports (${testDbKind()})`, () => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof connectClient>>;
  let tenantId: string;

  const ingest = async (csv: string, filename: string) => {
    const res = await client.callTool({
      name: 'ingest_leads',
      arguments: { content_base64: Buffer.from(csv).toString('base64'), filename },
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    const jobId = (res.structuredContent as any).job.job_id;
    const st = (await client.callTool({ name: 'job_status', arguments: { job_id: jobId } })).structuredContent as any;
    expect(st.jobs[0].status, st.jobs[0].error).toBe('concluido');
    return st.jobs[0].problems_sample
      .filter((p: any) => /compartilhado/.test(p.reason))
      .map((p: any) => [p.row, p.column, p.value, p.reason]);
  };

  beforeAll(async () => {
    db = await openTestDb();
    const deps = await makeDeps(db, { tenantSlug: 'shared-dest' });
    tenantId = deps.tenant.tenant_id;
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('names the rows of this file and counts the leads of earlier imports; a confirmed destination is not reported', async () => {
    expect(await ingest(FIRST, 'primeiro.csv')).toEqual([
      [2, 'telefone', '+5521988880001', `telefone compartilhado com outro documento (linha(s) 3${TAIL}`],
      [3, 'telefone', '+5521988880001', `telefone compartilhado com outro documento (linha(s) 2${TAIL}`],
    ]);
    const [um] = await asOwner(db.kysely, (tx) =>
      sql<{ lead_id: string }>`select lead_id from leads where tenant_id = ${tenantId} and nome = 'Loja Um Ltda'`
        .execute(tx)
        .then((r) => r.rows),
    );
    const res = await client.callTool({
      name: 'manage_suppression',
      arguments: { action: 'confirm_destination', lead_id: um.lead_id, value: '(21) 98888-0001' },
    });
    expect(res.isError, textOf(res)).toBeFalsy();

    // Row 5 is Loja Tres of the first file: its phone (21) 97777-0003 is now this file's too.
    expect(await ingest(SECOND, 'segundo.csv')).toEqual([
      [
        3,
        'email',
        'financeiro@grupo.com.br',
        `email compartilhado com outro documento (1 lead(s) de importações anteriores${TAIL}`,
      ],
      [3, 'telefone', '+5521977770003', `telefone compartilhado com outro documento (linha(s) 4, 5${TAIL}`],
      [4, 'telefone', '+5521977770003', `telefone compartilhado com outro documento (linha(s) 3, 5${TAIL}`],
      [5, 'telefone', '+5521977770003', `telefone compartilhado com outro documento (linha(s) 3, 4${TAIL}`],
    ]);
  });

  it('a row sharing with rows of this file and with an earlier lead says both', async () => {
    const THIRD =
      'Empresa;CNPJ;Celular\n' +
      'Loja Sete Ltda;11.222.333/0001-81;(21) 95555-0007\n' +
      'Loja Oito Ltda;45.723.174/0001-10;(21) 95555-0007\n';
    const FOURTH =
      'Empresa;CNPJ;Celular\nLoja Nove Ltda;04.252.011/0001-10;(21) 95555-0007\n' +
      'Loja Dez Ltda;33.000.167/0001-01;(21) 95555-0007\n';
    await ingest(THIRD, 'terceiro.csv');
    expect(await ingest(FOURTH, 'quarto.csv')).toEqual([
      [
        2,
        'telefone',
        '+5521955550007',
        `telefone compartilhado com outro documento (linha(s) 3 e 2 lead(s) de importações anteriores${TAIL}`,
      ],
      [
        3,
        'telefone',
        '+5521955550007',
        `telefone compartilhado com outro documento (linha(s) 2 e 2 lead(s) de importações anteriores${TAIL}`,
      ],
    ]);
  });
});
