import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SheetRow } from '../../src/core/ingest/columns.js';
import { createIngestJob } from '../../src/core/ingest/job-store.js';
import { ingestRows } from '../../src/core/ingest/pipeline.js';
import { getLead } from '../../src/core/leads/query.js';
import { addSuppression } from '../../src/core/outreach/suppression.js';
import { copyTxFor } from '../../src/core/ingest/ports.js';
import { silentLogger, systemClock } from '../../src/core/ports.js';
import { createCopyTx } from '../../src/db/copy-tx.js';
import { ensureTenant, withTenant, type Tenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { asOwner } from '../helpers/tenant-seed.js';

// Two rows per chunk, so every dedup rule is exercised against leads written by an earlier chunk
// (lookups in SQL) as well as within a chunk (groupRows).
const SHEET: string[][] = [
  ['Empresa', 'Contato', 'CNPJ', 'Telefone', 'Email', 'Cidade'],
  ['Oficina do Zé', '', '', '(21) 99888-7777', '', 'Rio'], // 2
  ['Padaria Alfa', '', '11.222.333/0001-81', '', '', ''], // 3
  ['OFICINA DO ZE', 'José', '', '21 99888-7777', 'ze@oficina.com', 'Niterói'], // 4: row 2's lead (name + phone)
  ['Outra Empresa', '', '', '(21) 99888-7777', '', ''], // 5: only shares a phone: another lead
  ['Padaria Alfa Filial', 'Bia', '11222333000181', '(11) 98765-4321', '', ''], // 6: row 3's lead (document)
  ['Só Nome Ltda', '', '', '', '', ''], // 7
  ['so nome ltda', '', '', '', '-', ''], // 8: row 7's lead (name only)
  ['Oficina do Zé', '', '', '', 'ZE@oficina.com', ''], // 9: row 2's lead (name + e-mail)
  ['Só Nome Ltda', '', '', '(31) 99999-1111', '', ''], // 10: has a phone: not the name-only lead
  ['Bloqueada SA', '', '', '(11) 97777-6666', '', ''], // 11: suppressed phone: born opted out
];

async function* sheetRows(): AsyncGenerator<SheetRow> {
  for (const [i, cells] of SHEET.entries()) yield { sheet: 'Leads', rowNumber: i + 1, cells };
}

describe(`ingest in small chunks against leads of earlier chunks (${testDbKind()})`, () => {
  let db: TestDb;
  let tenant: Tenant;
  const importOnce = async () => {
    const jobId = await withTenant(db.kysely, tenant.tenant_id, (tx) =>
      createIngestJob(tx, {
        tenantId: tenant.tenant_id,
        tipo: 'xlsx',
        arquivo: 'leads.xlsx',
        sourceLabel: null,
        validateOnly: false,
        bytesTotal: null,
      }),
    );
    const result = await ingestRows(
      { store: copyTxFor(createCopyTx(db), tenant.tenant_id), logger: silentLogger, clock: systemClock, chunkSize: 2 },
      { jobId, tenantId: tenant.tenant_id, arquivo: 'leads.xlsx', validateOnly: false },
      sheetRows(),
    );
    return result.counts;
  };
  const leadByRow = async (linha: number) => {
    const { rows } = await asOwner(db.kysely, (tx) =>
      sql<{
        lead_id: string;
        nome: string;
        contato_nome: string | null;
        status: string;
        dados_extras: Record<string, string>;
        linhas: number[];
      }>`
      select lead_id, nome, contato_nome, status, dados_extras,
             (select array_agg((o->>'linha')::int order by ord) from jsonb_array_elements(origem) with ordinality as x(o, ord)) as linhas
      from leads where tenant_id = ${tenant.tenant_id} and origem @> ${JSON.stringify([{ linha }])}::jsonb`.execute(tx),
    );
    expect(rows).toHaveLength(1);
    const lead = rows[0];
    const phones = await asOwner(db.kysely, (tx) =>
      sql<{
        numero_e164: string;
      }>`select numero_e164 from lead_telefones where lead_id = ${lead.lead_id} order by posicao`.execute(tx),
    );
    const emails = await asOwner(db.kysely, (tx) =>
      sql<{
        email_normalizado: string;
      }>`select email_normalizado from lead_emails where lead_id = ${lead.lead_id} order by posicao`.execute(tx),
    );
    const events = await asOwner(db.kysely, (tx) =>
      sql<{
        tipo: string;
        status_para: string;
      }>`select tipo, status_para from lead_eventos where lead_id = ${lead.lead_id} order by evento_id`.execute(tx),
    );
    return {
      ...lead,
      phones: phones.rows.map((p) => p.numero_e164),
      emails: emails.rows.map((e) => e.email_normalizado),
      events: events.rows.map((e) => `${e.tipo}:${e.status_para}`),
    };
  };

  beforeAll(async () => {
    db = await openTestDb();
    tenant = await ensureTenant(db.kysely, 'chunks');
    await withTenant(db.kysely, tenant.tenant_id, (tx) =>
      addSuppression(tx, tenant.tenant_id, {
        tipo: 'telefone',
        valor: '(11) 97777-6666',
        motivo: 'pediu para sair',
        ator: 'test',
      }),
    );
  });
  afterAll(async () => db?.destroy());

  it('merges rows into the leads of earlier chunks by document, name + phone/e-mail and name only', async () => {
    const counts = await importOnce();
    expect(counts).toMatchObject({ linhas_lidas: 10, leads_criados: 6, duplicados: 4, leads_atualizados: 4 });

    const oficina = await leadByRow(2);
    expect(oficina).toMatchObject({
      nome: 'Oficina do Zé',
      contato_nome: 'José',
      status: 'novo',
      linhas: [2, 4, 9],
      phones: ['+5521998887777'],
      emails: ['ze@oficina.com'],
      events: [], // the import is in origem, not an event row
    });
    expect(oficina.dados_extras).toEqual({ Cidade: 'Rio' }); // first seen wins
    expect(await leadByRow(9)).toMatchObject({ lead_id: oficina.lead_id });

    const padaria = await leadByRow(3);
    expect(padaria).toMatchObject({
      nome: 'Padaria Alfa',
      contato_nome: 'Bia',
      linhas: [3, 6],
      phones: ['+5511987654321'],
    });
    expect(await leadByRow(5)).toMatchObject({ nome: 'Outra Empresa', linhas: [5], phones: ['+5521998887777'] });
    expect(await leadByRow(7)).toMatchObject({ linhas: [7, 8], phones: [], emails: [] });
    expect(await leadByRow(10)).toMatchObject({ linhas: [10], phones: ['+5531999991111'] });
    const optedOut = await leadByRow(11);
    expect(optedOut).toMatchObject({ status: 'opt_out', events: ['transicao:opt_out'] });
    // Its history: the import (read from origem), then the opt-out at birth.
    const detail = await withTenant(db.kysely, tenant.tenant_id, (tx) =>
      getLead(tx, tenant.tenant_id, optedOut.lead_id),
    );
    expect(detail!.historico.map((h) => `${h.tipo}:${h.status_para}:${h.motivo}`)).toEqual([
      'importacao:novo:importado de leads.xlsx (aba Leads), linha 11',
      `transicao:opt_out:documento, telefone ou e-mail na lista de supressão (opt-out anterior)`,
    ]);
  });

  it('a second import of the same rows creates nothing and keeps the opted-out lead opted out', async () => {
    const counts = await importOnce();
    expect(counts).toMatchObject({ linhas_lidas: 10, leads_criados: 0, duplicados: 10 });
    const { rows } = await asOwner(db.kysely, (tx) =>
      sql<{ n: number; phones: number; emails: number }>`
      select (select count(*)::int from leads where tenant_id = ${tenant.tenant_id}) as n,
             (select count(*)::int from lead_telefones where tenant_id = ${tenant.tenant_id}) as phones,
             (select count(*)::int from lead_emails where tenant_id = ${tenant.tenant_id}) as emails`.execute(tx),
    );
    expect(rows[0]).toEqual({ n: 6, phones: 5, emails: 1 });
    expect(await leadByRow(11)).toMatchObject({ status: 'opt_out', linhas: [11, 11] });
    expect((await leadByRow(2)).linhas).toEqual([2, 4, 9, 2, 4, 9]);
  });
  it('a new lead whose document is suppressed is born opted out also in a chunk of other documents', async () => {
    // The suppression flag is read with the chunk's document lookup (sql/match-existing.ts).
    const other = await ensureTenant(db.kysely, 'chunks-documents');
    await withTenant(db.kysely, other.tenant_id, (tx) =>
      addSuppression(tx, other.tenant_id, {
        tipo: 'documento',
        valor: '529.982.247-25',
        motivo: 'pediu',
        ator: 'test',
      }),
    );
    const jobId = await withTenant(db.kysely, other.tenant_id, (tx) =>
      createIngestJob(tx, {
        tenantId: other.tenant_id,
        tipo: 'xlsx',
        arquivo: 'docs.xlsx',
        sourceLabel: null,
        validateOnly: false,
        bytesTotal: null,
      }),
    );
    const rows: string[][] = [
      ['Empresa', 'CNPJ/CPF', 'Telefone'],
      ['Alfa Ltda', '11.222.333/0001-81', '(11) 98765-1111'],
      ['Pessoa Suprimida', '529.982.247-25', '(11) 98765-2222'],
    ];
    const result = await ingestRows(
      { store: copyTxFor(createCopyTx(db), other.tenant_id), logger: silentLogger, clock: systemClock, chunkSize: 2 },
      { jobId, tenantId: other.tenant_id, arquivo: 'docs.xlsx', validateOnly: false },
      (async function* () {
        for (const [i, cells] of rows.entries()) yield { sheet: 'Leads', rowNumber: i + 1, cells };
      })(),
    );
    expect(result.counts).toMatchObject({ linhas_lidas: 2, leads_criados: 2 });
    const { rows: leads } = await asOwner(db.kysely, (tx) =>
      sql<{ nome: string; status: string }>`
      select nome, status from leads where tenant_id = ${other.tenant_id} order by nome`.execute(tx),
    );
    expect(leads).toEqual([
      { nome: 'Alfa Ltda', status: 'novo' },
      { nome: 'Pessoa Suprimida', status: 'opt_out' },
    ]);
  });
});
