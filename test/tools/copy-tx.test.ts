import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/core/ids.js';
import { createCopyTx as createTx } from '../../src/db/copy-tx.js';
import { ensureTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * db/copy-tx.ts: COPY inside a tenant transaction, both ways: straight into the final tables (the
 * tenant check done on the rows before sending them) and into a temp table moved under the tenant
 * policy. On PostgreSQL the move of one table runs while the next table's rows are encoded: the rows
 * must still be there for every later statement, and a failed move must be reported as itself.
 */
describe.each([
  { path: 'straight into the final tables (the session user bypasses row-level security)', direct: true },
  { path: 'through a temp table moved under the tenant policy', direct: false },
])(`tenant transactions with COPY (${testDbKind()}), $path`, ({ direct }) => {
  const createCopyTx = (d: TestDb) => createTx(d, { direct });
  let db: TestDb;
  let tenantId: string;
  let otherTenantId: string;
  const LEAD_COLUMNS = ['lead_id', 'tenant_id', 'nome', 'nome_chave'] as const;
  const PHONE_COLUMNS = [
    'telefone_id',
    'tenant_id',
    'lead_id',
    'numero_original',
    'numero_e164',
    'tipo',
    'valido_para_disparo',
  ] as const;

  beforeAll(async () => {
    db = await openTestDb();
    tenantId = (await ensureTenant(db.kysely, 'copy-tx')).tenant_id;
    otherTenantId = (await ensureTenant(db.kysely, 'copy-tx-other')).tenant_id;
  });
  afterAll(async () => db?.destroy());

  const leadsOf = async (t: string) =>
    (
      await asOwner(db.kysely, (tx) =>
        sql<{ nome: string }>`select nome from leads where tenant_id = ${t} order by nome`.execute(tx),
      )
    ).rows.map((r) => r.nome);

  it('rows copied into two tables are visible to the statements that follow, inside and after the transaction', async () => {
    const ids = [uuidv7(), uuidv7()];
    const seen = await createCopyTx(db).run(tenantId, async (tx, copy) => {
      await copy(
        'leads',
        LEAD_COLUMNS,
        ids.map((id, i) => [id, tenantId, `Empresa\t${i}\\N`, `empresa ${i}`]),
      );
      await copy(
        'lead_telefones',
        PHONE_COLUMNS,
        ids.map((id, i) => [uuidv7(), tenantId, id, `(11) 9876${i}-0000`, `+55119876${i}0000`, 'movel', true]),
      );
      // Sent right after the phones' COPY, while their move may still be running in the server.
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from lead_telefones t join leads l using (lead_id) where l.tenant_id = ${tenantId}`.execute(
        tx,
      );
      return rows[0].n;
    });
    expect(seen).toBe(2);
    expect(await leadsOf(tenantId)).toEqual(['Empresa\t0\\N', 'Empresa\t1\\N']);
  });

  it('after a COPY the transaction is back under the tenant policy: the app role, this tenant only', async () => {
    const [mine, theirs] = [uuidv7(), uuidv7()];
    await createCopyTx(db).run(otherTenantId, (_tx, copy) =>
      copy('leads', LEAD_COLUMNS, [[theirs, otherTenantId, 'Alheia Ltda', 'alheia ltda']]),
    );
    const seen = await createCopyTx(db).run(tenantId, async (tx, copy) => {
      await copy('leads', LEAD_COLUMNS, [[mine, tenantId, 'Minha Ltda', 'minha ltda']]);
      const { rows } = await sql<{ who: string; ids: string[] }>`
        select current_user::text as who, array(select lead_id::text from leads where lead_id in (${mine}, ${theirs})) as ids`.execute(
        tx,
      );
      return rows[0];
    });
    expect(seen).toEqual({ who: 'agente_app', ids: [mine] });
  });

  it('a row of another tenant fails with the policy error and writes nothing', async () => {
    const before = await leadsOf(otherTenantId);
    const run = createCopyTx(db).run(tenantId, async (tx, copy) => {
      await copy('leads', LEAD_COLUMNS, [[uuidv7(), otherTenantId, 'Intrusa Ltda', 'intrusa ltda']]);
      await copy('lead_telefones', PHONE_COLUMNS, []);
      await sql`select 1`.execute(tx); // a statement queued behind the failing move
    });
    await expect(run).rejects.toThrow(/row-level security/);
    expect(await leadsOf(otherTenantId)).toEqual(before);
    expect(await leadsOf(tenantId)).not.toContain('Intrusa Ltda');
  });

  it('a row of another tenant after rows of this one: nothing of the transaction is written, and the next transaction works', async () => {
    const run = createCopyTx(db).run(tenantId, async (_tx, copy) => {
      await copy('leads', LEAD_COLUMNS, [
        [uuidv7(), tenantId, 'Propria Ltda', 'propria ltda'],
        [uuidv7(), otherTenantId, 'Intrusa Dois Ltda', 'intrusa dois ltda'],
      ]);
    });
    await expect(run).rejects.toThrow(/row-level security/);
    expect(await leadsOf(tenantId)).not.toContain('Propria Ltda');
    expect(await leadsOf(otherTenantId)).not.toContain('Intrusa Dois Ltda');
    expect(await leadsOf(tenantId)).not.toContain('Intrusa Ltda');
    const id = uuidv7();
    await createCopyTx(db).run(tenantId, (_tx, copy) =>
      copy('leads', LEAD_COLUMNS, [[id, tenantId, 'Depois Ltda', 'depois ltda']]),
    );
    expect(await leadsOf(tenantId)).toContain('Depois Ltda');
  });

  it('a COPY the server refuses is reported as itself, not as the aborted transaction of what follows it', async () => {
    // On PostgreSQL copy() may return before the server has stored the rows (the next table is encoded
    // meanwhile): the refusal then arrives while the next COPY and statement are already queued.
    const run = createCopyTx(db).run(tenantId, async (tx, copy) => {
      await copy('lead_telefones', PHONE_COLUMNS, [
        [uuidv7(), tenantId, uuidv7(), '(11) 98765-0000', '+5511987650000', 'movel', true],
      ]);
      await copy('leads', LEAD_COLUMNS, [[uuidv7(), tenantId, 'Seguinte Ltda', 'seguinte ltda']]);
      await sql`select 1`.execute(tx);
    });
    await expect(run).rejects.toThrow(/lead_telefones_lead_fk/);
    expect(await leadsOf(tenantId)).not.toContain('Seguinte Ltda');
    const id = uuidv7();
    await createCopyTx(db).run(tenantId, (_tx, copy) =>
      copy('leads', LEAD_COLUMNS, [[id, tenantId, 'Depois Da Recusa Ltda', 'depois da recusa ltda']]),
    );
    expect(await leadsOf(tenantId)).toContain('Depois Da Recusa Ltda');
  });

  it('a second COPY into the same table in one transaction is refused (the move reads the whole temp table)', async () => {
    const run = createCopyTx(db).run(tenantId, async (_tx, copy) => {
      await copy('leads', LEAD_COLUMNS, [[uuidv7(), tenantId, 'Uma Ltda', 'uma ltda']]);
      await copy('leads', LEAD_COLUMNS, [[uuidv7(), tenantId, 'Outra Ltda', 'outra ltda']]);
    });
    await expect(run).rejects.toThrow(/leads was already copied in this transaction/);
    expect(await leadsOf(tenantId)).not.toContain('Uma Ltda');
  });

  it('an error thrown by the caller rolls back what was copied', async () => {
    const run = createCopyTx(db).run(tenantId, async (_tx, copy) => {
      await copy('leads', LEAD_COLUMNS, [[uuidv7(), tenantId, 'Desfeita Ltda', 'desfeita ltda']]);
      throw new Error(`caller failed ${randomUUID()}`);
    });
    await expect(run).rejects.toThrow(/caller failed/);
    expect(await leadsOf(tenantId)).not.toContain('Desfeita Ltda');
  });
});
