import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { ServerDeps } from '../../src/deps.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';

const CSV = [
  'Relatório de clientes;;;;;',
  ';;;;;',
  'Razão Social;Responsável;CNPJ/CPF;Telefone;Celular;E-mail',
  'Padaria São João Ltda;Maria Souza;11.222.333/0001-81;(11) 3456-7890;(11) 98765-4321;maria@padaria.com.br',
  'PADARIA SAO JOAO LTDA;;11222333000181;;11 8765-4321;sem email',
  'Oficina do Zé;José;;;(21) 99888-7777 / (21) 2555-1234;ze@oficina.com',
  'oficina do zé;;;;;ZE@OFICINA.COM',
  'Mercado Bom Preço;Ana;529.982.247-25;0800 123 4567;;',
  'Outra Empresa;Carlos;;;(21) 99888-7777;',
  ';;;;;',
  'Sem Contato Ltda;;;;;-',
  ';;123;abc;;',
  'Total: 7 registros;;;;;',
].join('\r\n');

describe(`ingest_leads on a CSV (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let client: Client & { closeAll(): Promise<void> };
  let file: string;
  beforeAll(async () => {
    db = await openTestDb();
    const dir = tempDir('csv-');
    file = join(dir, 'clientes.csv');
    writeFileSync(file, Buffer.from(CSV, 'latin1'));
    deps = await makeDeps(db, { config: { ingestDirs: [dir] } });
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('imports, normalises and deduplicates, reporting problems with row numbers', async () => {
    const res = await client.callTool({ name: 'ingest_leads', arguments: { file_path: file } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const job = (res.structuredContent as any).job;
    expect(job.status, job.error).toBe('concluido');
    expect(job.counts).toMatchObject({ rows_read: 8, leads_created: 5, duplicates: 2, invalid_rows: 1 });
    // Mercado Bom Preço (a 0800 number only) and Sem Contato Ltda: no channel reaches them.
    expect(job.counts.rows_without_channel).toBe(2);
    // One event for the whole import (not one per lead), with its counts.
    const evs = (
      await client.callTool({ name: 'list_events', arguments: { types: ['import.completed', 'import.failed'] } })
    ).structuredContent as any;
    expect(evs.events.filter((e: any) => e.subject === job.job_id)).toEqual([
      expect.objectContaining({
        type: 'br.com.alquimista.import.completed',
        data: expect.objectContaining({
          job_id: job.job_id,
          linhas_lidas: 8,
          leads_criados: 5,
          duplicados: 2,
          linhas_invalidas: 1,
        }),
      }),
    ]);
    expect(textOf(res)).toMatch(/^WARNING: 2 of 8 rows have no WhatsApp mobile and no valid e-mail/);
    expect(job.problems_sample).toContainEqual(
      expect.objectContaining({ row: 12, reason: expect.stringContaining('não virou lead') }),
    );
    const csv = await client.readResource({ uri: `job-problems://${job.job_id}` });
    const text = (csv.contents[0] as { text: string }).text;
    expect(text.split('\n')[0]).toBe('linha,aba,coluna,valor,motivo');
    expect(text).toMatch(/^12,clientes\.csv,documento,123,CPF com dígito verificador inválido$/m);
    expect(text).toMatch(
      /^12,clientes\.csv,linha,,"linha sem nome, documento, telefone ou e-mail utilizável: não virou lead"$/m,
    );

    const page = await client.callTool({ name: 'query_leads', arguments: { text: 'padaria' } });
    const leads = (page.structuredContent as any).leads;
    expect(leads).toHaveLength(1);
    const detail = (await client.callTool({ name: 'query_leads', arguments: { lead_id: leads[0].lead_id } }))
      .structuredContent as any;
    const lead = { ...detail.leads[0], ...detail.lead };
    expect(lead.document).toBe('11222333000181');
    expect(lead.contact_name).toBe('Maria Souza');
    expect(lead.whatsapp).toBe('+5511987654321');
    expect(lead.phones.map((t: any) => [t.e164, t.type, t.sendable])).toEqual([
      ['+551134567890', 'fixo', false],
      ['+5511987654321', 'movel', true],
    ]);
    expect(lead.origin.map((o: any) => o.row)).toEqual([4, 5]);
    expect(lead.history[0]).toMatchObject({ type: 'importacao', to_status: 'novo' });

    const ze = (await client.callTool({ name: 'query_leads', arguments: { text: 'oficina' } }))
      .structuredContent as any;
    expect(ze.leads).toHaveLength(1);
    expect(ze.leads[0].email).toBe('ze@oficina.com');
    // Same phone, different company: a different lead.
    const outra = (await client.callTool({ name: 'query_leads', arguments: { text: 'outra empresa' } }))
      .structuredContent as any;
    expect(outra.leads).toHaveLength(1);
  });

  it('re-importing the same file creates nothing and reports duplicates', async () => {
    const res = await client.callTool({ name: 'ingest_leads', arguments: { file_path: file } });
    const job = (res.structuredContent as any).job;
    expect(job.counts).toMatchObject({ rows_read: 8, leads_created: 0, duplicates: 7 });
    const all = (await client.callTool({ name: 'query_leads', arguments: { limit: 100 } })).structuredContent as any;
    expect(all.leads).toHaveLength(5);
  });

  it('a file where no row has a phone or an e-mail says so first, and counts every lead row as without a channel', async () => {
    const names = join(tempDir('csv-names-'), 'nomes.csv');
    writeFileSync(
      names,
      ['Empresa;Cidade', ...Array.from({ length: 500 }, (_, i) => `Empresa ${i};Recife`)].join('\n'),
    );
    const res = await client.callTool({
      name: 'ingest_leads',
      arguments: { content_base64: readFileSync(names).toString('base64'), filename: 'nomes.csv' },
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    const job = (res.structuredContent as any).job;
    expect(job.counts).toMatchObject({ rows_read: 500, leads_created: 500, rows_without_channel: 500 });
    expect(job.problems_total).toBe(0);
    expect(textOf(res).split('\n')[0]).toBe(
      'WARNING: no row of this file has a phone or an e-mail, so none of its 500 lead rows can be contacted. ' +
        'Check that the phone/e-mail columns were recognised (or map them with column_map) before any dispatch.',
    );
    const status = await client.callTool({ name: 'job_status', arguments: { job_id: job.job_id } });
    expect((status.structuredContent as any).jobs[0].counts.rows_without_channel).toBe(500);
    expect(textOf(status)).toContain('500 rows without any channel');
  });
});
