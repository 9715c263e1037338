import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDecisionContext } from '../../src/core/outreach/decision-context.js';
import { dryRunDispatch } from '../../src/core/outreach/dry-run.js';
import { runDryRun } from '../../src/core/outreach/dry-run-batch.js';
import { dryRunParts, runDryRunInParts, SPLIT_FROM } from '../../src/core/outreach/dry-run-parts.js';
import type { Scope } from '../../src/core/scope.js';
import { withTenant } from '../../src/db/tenant.js';
import { createScope } from '../../src/scope.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { configuredChannels } from '../helpers/dispatch-setup.js';
import { insertLead } from '../helpers/fixtures.js';
import { fixedClock, makeDeps } from '../helpers/server.js';

/*
 * A dry run over many leads on PostgreSQL is split over several connections (dry-run-parts.ts): the same
 * rows and the same answer as one statement, every lead exactly once, and all or nothing when a part fails.
 */

const postgres = testDbKind() === 'postgres';
// Tuesday 24 Nov 2026, 10:00 in São Paulo: inside the window, so every gate is evaluated.
const TUESDAY_10 = '2026-11-24T13:00:00Z';
const ALL = { filter: {}, limit: 1000 } as const;

let db: TestDb;
let scope: Scope;
let tenantId: string;
let deps: Awaited<ReturnType<typeof makeDeps>>;

/** A lead of each kind the decision tells apart: WhatsApp, e-mail only, nothing, no document, opted out. */
async function seedLeads(n: number) {
  for (let i = 0; i < n; i++) {
    const k = i % 5;
    await insertLead(db.kysely, tenantId, {
      nome: `Empresa ${String(i).padStart(3, '0')}`,
      documento: k === 3 ? undefined : String(10_000_000_000 + i).padStart(11, '0'),
      documento_tipo: k === 3 ? undefined : 'cpf',
      status: k === 4 ? 'opt_out' : 'novo',
      phones: k === 0 || k === 3 ? [{ e164: `+55119${String(80_000_000 + i)}` }] : [],
      emails: k <= 1 ? [{ email: `p${i}@exemplo.com.br` }] : [],
    });
  }
}

/** The batch's rows as a person reads them, by lead. */
async function batchRows(batchId: string) {
  const { rows } = await withTenant(db.kysely, tenantId, (tx) =>
    sql<Record<string, unknown>>`select lead_id, lead_nome, lead_telefone, lead_email, canal_decidido, motivo_decisao,
             template_selecionado, disparo_seria_executado, razao_bloqueio, codigo_bloqueio, disparo_previsto_para
      from dry_run_log where lote_id = ${batchId} order by lead_id`.execute(tx),
  );
  return rows;
}

const logRows = async () =>
  (
    await withTenant(db.kysely, tenantId, (tx) =>
      sql<{ n: number }>`select count(*)::int as n from dry_run_log`.execute(tx),
    )
  ).rows[0]!.n;

beforeAll(async () => {
  db = await openTestDb();
  deps = await makeDeps(db, {
    clock: fixedClock(TUESDAY_10),
    channels: configuredChannels('whatsapp', 'email', 'calendar'),
    config: { dryRunConnections: 3 },
  });
  tenantId = deps.tenant.tenant_id;
  scope = createScope(deps);
  await seedLeads(60);
});
afterAll(async () => db?.close());

describe('how many parts a dry run runs in', () => {
  it('splits only a filter over many leads, on a scope with connections to spare', () => {
    const many = { filter: {}, limit: SPLIT_FROM };
    expect(dryRunParts({ connections: 3 }, many)).toBe(3);
    expect(dryRunParts({ connections: 3 }, { filter: {}, limit: SPLIT_FROM - 1 })).toBe(1);
    expect(dryRunParts({ connections: 3 }, { leadIds: ['00000000-0000-4000-8000-000000000000'] })).toBe(1);
    expect(dryRunParts({ connections: 1 }, many)).toBe(1);
    expect(dryRunParts({}, many)).toBe(1);
  });

  it('the scope has the configured connections on PostgreSQL and one on PGlite', () => {
    expect(scope.connections).toBe(postgres ? 3 : 1);
  });
});

describe.runIf(postgres)('a dry run split over connections (PostgreSQL)', () => {
  it('writes the same rows and answers the same as one statement, each lead once', async () => {
    const one = await scope.tx(async (tx) => runDryRun(tx, await loadDecisionContext(tx, scope, {}), ALL));
    const split = await runDryRunInParts(scope, {}, ALL, 3);
    expect(split.total).toBe(60);
    const { batch_id: a, sample: sa, ...countsOne } = one;
    const { batch_id: b, sample: sb, ...countsSplit } = split;
    expect(countsSplit).toEqual(countsOne);
    expect(countsOne.by_channel).toEqual({ whatsapp: 24, email: 12, none: 24 });
    expect(sb.map((s) => s.lead_id)).toEqual(sa.map((s) => s.lead_id));
    expect(sb.length).toBeGreaterThan(0);
    const rowsOne = await batchRows(a);
    const rowsSplit = await batchRows(b);
    expect(rowsSplit).toHaveLength(60);
    expect(new Set(rowsSplit.map((r) => r.lead_id)).size).toBe(60);
    expect(rowsSplit).toEqual(rowsOne);
  });

  it('at night every WhatsApp lead waits for its window, split or not: the parts get the zones of the phones’ UFs', async () => {
    // 22:30 in São Paulo: the send window and the collection hours are closed. The leads have no UF of their
    // own; their phones' DDD (11) makes them SP's, a zone the parts are handed by the first transaction.
    const night = createScope({ ...deps, clock: fixedClock('2026-11-25T01:30:00Z') });
    const one = await night.tx(async (tx) => runDryRun(tx, await loadDecisionContext(tx, night, {}), ALL));
    const split = await runDryRunInParts(night, {}, ALL, 3);
    const rowsOne = await batchRows(one.batch_id);
    const rowsSplit = await batchRows(split.batch_id);
    expect(rowsSplit).toEqual(rowsOne);
    const whatsapp = rowsSplit.filter(
      (r) => r.canal_decidido === 'whatsapp' && r.codigo_bloqueio !== 'variaveis_ausentes',
    );
    expect(whatsapp).toHaveLength(12);
    for (const r of whatsapp) {
      expect(r.disparo_seria_executado).toBe(false);
      expect(r.codigo_bloqueio).toBe('fora_do_horario_cobranca');
      expect(r.disparo_previsto_para).not.toBeNull();
      expect(r.razao_bloqueio).toContain('SP');
    }
    expect(split.would_send_now).toBe(0);
  });

  it('keeps the filter: its limit cuts the same oldest leads, the channel filter the same rows', async () => {
    const limited = { filter: {}, limit: 17 };
    const one = await scope.tx(async (tx) => runDryRun(tx, await loadDecisionContext(tx, scope, {}), limited));
    const split = await runDryRunInParts(scope, {}, limited, 2);
    expect(split.total).toBe(17);
    expect(await batchRows(split.batch_id)).toEqual(await batchRows(one.batch_id));
    const email = await runDryRunInParts(scope, {}, ALL, 2, { channel: 'email' });
    expect(email.by_channel).toEqual({ email: 12 });
  });

  it('the tool splits a large filter and answers as usual', async () => {
    const out = await dryRunDispatch(scope, { filter: {}, limit: SPLIT_FROM });
    expect(out.total).toBe(60);
    expect(await batchRows(out.batch_id)).toHaveLength(60);
  });

  it('one split at a time: a dry run that starts meanwhile runs as one statement, and both finish', async () => {
    const many = { filter: {}, limit: SPLIT_FROM };
    const split = runDryRunInParts(scope, {}, ALL, 3);
    expect(dryRunParts(scope, many)).toBe(1);
    const meanwhile = dryRunDispatch(scope, { filter: {}, limit: SPLIT_FROM });
    const [a, b] = await Promise.all([split, meanwhile]);
    expect([a.total, b.total]).toEqual([60, 60]);
    expect(dryRunParts(scope, many)).toBe(3);
  });

  it('a part that fails before writing leaves nothing and reports its error', async () => {
    const before = await logRows();
    const failing: Scope = {
      ...scope,
      tx: (fn, opts) => (opts?.snapshot ? Promise.reject(new Error('conexão perdida na parte 2')) : scope.tx(fn, opts)),
    };
    await expect(runDryRunInParts(failing, {}, ALL, 3)).rejects.toThrow('conexão perdida na parte 2');
    expect(await logRows()).toBe(before);
  });

  it('a part whose commit fails after the first part committed leaves nothing either', async () => {
    const before = await logRows();
    let commits = 0;
    const failing: Scope = {
      ...scope,
      tx: (fn, opts) =>
        opts?.snapshot
          ? scope.tx(async (tx) => {
              await fn(tx);
              throw new Error('commit perdido');
            }, opts)
          : scope.tx(async (tx) => {
              const out = await fn(tx);
              commits++;
              return out;
            }, opts),
    };
    await expect(runDryRunInParts(failing, {}, ALL, 2)).rejects.toThrow('commit perdido');
    expect(commits).toBeGreaterThan(0); // the first part did commit; its rows were then deleted
    expect(await logRows()).toBe(before);
  });

  it('refuses a snapshot id that is not one', async () => {
    await expect(scope.tx(async () => 1, { snapshot: "x'; drop table leads; --" })).rejects.toThrow(
      'Not a snapshot id',
    );
  });
});
