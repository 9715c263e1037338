import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emit, readEvents } from '../../src/core/events/outbox.js';
import { transitionLeads } from '../../src/core/leads/transition.js';
import { addSuppression } from '../../src/core/outreach/suppression.js';
import { ensureTenant, withTenant, type Tx } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { plantingFixtures } from '../helpers/transition-guard.js';

interface Ids {
  lead: string;
  disparo: string;
  agendamento: string;
  campanha: string;
  job: string;
}

const run = (tx: Tx, q: ReturnType<typeof sql>) => q.execute(tx);

/** Rows in a given state, planted in their own (committed) transaction. */
async function plant(
  tx: Tx,
  t: string,
  n: number,
  state: { disparo?: string; meeting?: string; campaign?: string },
): Promise<Ids> {
  const ids: Ids = {
    lead: randomUUID(),
    disparo: randomUUID(),
    agendamento: randomUUID(),
    campanha: randomUUID(),
    job: randomUUID(),
  };
  await plantingFixtures(tx);
  await run(
    tx,
    sql`insert into leads (lead_id, tenant_id, nome, nome_chave) values (${ids.lead}, ${t}, 'Empresa', ${`empresa ${n}`})`,
  );
  await run(
    tx,
    sql`insert into campanhas (campanha_id, tenant_id, chave, modo, status, template_whatsapp, template_email, alvo)
      values (${ids.campanha}, ${t}, ${`c${n}`}, 'real', ${state.campaign ?? 'processando'}, 'a', 'b', '{}'::jsonb)`,
  );
  await run(
    tx,
    sql`insert into disparos (disparo_id, tenant_id, lead_id, campanha_id, canal, destino, template, idempotency_key, status,
        claimed_by, lease_until, proxima_tentativa_em, entrega)
      values (${ids.disparo}, ${t}, ${ids.lead}, ${ids.campanha}, 'whatsapp', '+5511987654321', 'a', ${`k${n}`},
        ${state.disparo ?? 'em_execucao'}, 'w', now() + interval '1 hour', '2100-01-01',
        ${state.disparo === 'enviado' ? 'enviado' : null})`,
  );
  await run(
    tx,
    sql`insert into agendamentos (agendamento_id, tenant_id, lead_id, inicio, fim, timezone, titulo, status)
      values (${ids.agendamento}, ${t}, ${ids.lead}, '2100-01-05T13:00:00Z', '2100-01-05T13:30:00Z', 'America/Sao_Paulo', 'R',
        ${state.meeting ?? 'agendado'})`,
  );
  await run(
    tx,
    sql`insert into ingest_jobs (job_id, tenant_id, tipo, arquivo, status) values (${ids.job}, ${t}, 'csv', 'a.csv', 'processando')`,
  );
  return ids;
}

type Case = {
  type: string;
  subject: keyof Ids;
  state?: Parameters<typeof plant>[3];
  change: (tx: Tx, t: string, ids: Ids) => Promise<unknown>;
  /** Other events the same change writes (it is more than one state change). */
  also?: string[];
};

const upd = (table: string, set: ReturnType<typeof sql>, key: string, id: string) => (tx: Tx) =>
  run(tx, sql`update ${sql.table(table)} set ${set} where ${sql.ref(key)} = ${id}`);

const CASES: Case[] = [
  {
    type: 'lead.status_changed',
    subject: 'lead',
    change: (tx, t, i) => transitionLeads(tx, t, [i.lead], 'contatado', { reason: 'teste', actor: 'teste' }),
  },
  {
    type: 'lead.opted_out',
    subject: 'lead',
    change: (tx, t, i) =>
      addSuppression(tx, t, {
        tipo: 'email',
        valor: `${i.lead}@x.com.br`,
        motivo: 'pediu',
        origem: 'opt_out',
        leadId: i.lead,
        ator: 'teste',
      }),
  },
  {
    type: 'lead.replied',
    subject: 'lead',
    change: (tx, t, i) =>
      run(
        tx,
        sql`insert into mensagens_recebidas
            (tenant_id, lead_id, canal, remetente, texto, recebida_em, message_id_externo, classe, confianca)
          values (${t}, ${i.lead}, 'whatsapp', '+5511987654321', 'oi', now(), ${`wamid-${i.lead}`}, 'outro', 0.5)`,
      ),
  },
  {
    type: 'disparo.queued',
    subject: 'lead',
    change: (tx, t, i) =>
      run(
        tx,
        sql`insert into disparos (tenant_id, lead_id, canal, destino, template, idempotency_key, disparo_id)
          values (${t}, ${i.lead}, 'email', 'a@b.com.br', 'a', ${`q-${i.lead}`}, ${i.lead})`,
      ),
  },
  ...(
    [
      ['disparo.sent', 'enviado'],
      ['disparo.failed', 'falhou'],
      ['disparo.uncertain', 'incerto'],
      ['disparo.blocked', 'bloqueado'],
      ['disparo.cancelled', 'cancelado'],
    ] as const
  ).map(([type, status]) => ({
    type,
    subject: 'disparo' as const,
    change: (tx: Tx, _t: string, i: Ids) =>
      upd('disparos', sql`status = ${status}, claimed_by = null, lease_until = null`, 'disparo_id', i.disparo)(tx),
  })),
  ...(
    [
      ['disparo.delivered', 'entregue'],
      ['disparo.read', 'lido'],
    ] as const
  ).map(([type, entrega]) => ({
    type,
    subject: 'disparo' as const,
    state: { disparo: 'enviado' },
    change: (tx: Tx, _t: string, i: Ids) => upd('disparos', sql`entrega = ${entrega}`, 'disparo_id', i.disparo)(tx),
  })),
  {
    type: 'meeting.booked',
    subject: 'agendamento',
    state: { meeting: 'pendente' },
    change: (tx, _t, i) => upd('agendamentos', sql`status = 'agendado'`, 'agendamento_id', i.agendamento)(tx),
  },
  ...(
    [
      ['meeting.confirmed', 'confirmado'],
      ['meeting.cancelled', 'cancelado'],
      ['meeting.held', 'realizado'],
      ['meeting.no_show', 'nao_compareceu'],
    ] as const
  ).map(([type, status]) => ({
    type,
    subject: 'agendamento' as const,
    change: (tx: Tx, _t: string, i: Ids) =>
      upd('agendamentos', sql`status = ${status}`, 'agendamento_id', i.agendamento)(tx),
  })),
  {
    type: 'meeting.rescheduled',
    subject: 'agendamento',
    change: (tx, _t, i) =>
      upd(
        'agendamentos',
        sql`inicio = inicio + interval '1 day', fim = fim + interval '1 day'`,
        'agendamento_id',
        i.agendamento,
      )(tx),
  },
  {
    type: 'meeting.reminded',
    subject: 'agendamento',
    change: (tx, _t, i) => upd('agendamentos', sql`lembrete_enviado_em = now()`, 'agendamento_id', i.agendamento)(tx),
  },
  {
    type: 'campaign.started',
    subject: 'lead',
    change: (tx, t, i) =>
      run(
        tx,
        sql`insert into campanhas (campanha_id, tenant_id, chave, modo, status, template_whatsapp, template_email, alvo)
          values (${i.lead}, ${t}, ${`s-${i.lead}`}, 'real', 'processando', 'a', 'b', '{}'::jsonb)`,
      ),
  },
  ...(
    [
      ['campaign.paused', 'pausado', 'processando'],
      ['campaign.resumed', 'processando', 'pausado'],
      ['campaign.completed', 'concluido', 'processando'],
      ['campaign.cancelled', 'cancelado', 'processando'],
    ] as const
  ).map(([type, status, from]) => ({
    type,
    subject: 'campanha' as const,
    state: { campaign: from },
    change: (tx: Tx, _t: string, i: Ids) => upd('campanhas', sql`status = ${status}`, 'campanha_id', i.campanha)(tx),
  })),
  ...(
    [
      ['import.completed', 'concluido'],
      ['import.failed', 'falhou'],
    ] as const
  ).map(([type, status]) => ({
    type,
    subject: 'job' as const,
    change: (tx: Tx, _t: string, i: Ids) =>
      upd('ingest_jobs', sql`status = ${status}, leads_criados = 7, linhas_lidas = 9`, 'job_id', i.job)(tx),
  })),
];

/**
 * The events written after outbox row `after`: numbered ones (eventos_saida), then those the transaction
 * staged and has not committed yet (eventos_novos, numbered into eventos_saida at commit: migration 055).
 */
const written = (tx: Tx, after: number) =>
  sql<{ tipo: string; assunto: string; seq: string | null; dados: Record<string, unknown> }>`
    select tipo, assunto, seq, dados from (
      select 0 as fase, id as o, tipo, assunto, seq::text as seq, dados from eventos_saida where id > ${after}
      union all
      select 1, ordem, tipo, assunto, null, dados from eventos_novos where xid = txid_current()) e
    order by fase, o`
    .execute(tx)
    .then((r) => r.rows);
const lastId = (tx: Tx) =>
  sql<{ n: number }>`select coalesce(max(id), 0)::int as n from eventos_saida`.execute(tx).then((r) => r.rows[0].n);

describe(`events outbox (${testDbKind()})`, () => {
  let db: TestDb;
  let a: { tenant_id: string; slug: string };
  let b: { tenant_id: string; slug: string };
  let n = 0;

  beforeAll(async () => {
    db = await openTestDb();
    a = await ensureTenant(db.kysely, 'eventos-a');
    b = await ensureTenant(db.kysely, 'eventos-b');
  });
  afterAll(async () => db?.destroy());

  it.each(CASES)('$type: one event, in the transaction of the change', async (c) => {
    const ids = await withTenant(db.kysely, a.tenant_id, (tx) => plant(tx, a.tenant_id, ++n, c.state ?? {}));
    const before = await withTenant(db.kysely, a.tenant_id, lastId);
    const inside = await withTenant(db.kysely, a.tenant_id, async (tx) => {
      await c.change(tx, a.tenant_id, ids);
      return written(tx, before);
    });
    expect(inside.map((e) => e.tipo)).toEqual([`br.com.alquimista.${c.type}`, ...(c.also ?? [])]);
    expect(inside[0].assunto).toBe(ids[c.subject]);
    expect(inside[0].seq).toBeNull(); // numbered at commit
    const after = await withTenant(db.kysely, a.tenant_id, (tx) => written(tx, before));
    expect(after).toHaveLength(1);
    expect(Number(after[0].seq)).toBeGreaterThan(0);
    // ids only: no name, phone, e-mail or text in data
    expect(JSON.stringify(after[0].dados)).not.toMatch(/Empresa|\+55|@|"oi"/);
  });

  it('a rolled-back change writes no event', async () => {
    const ids = await withTenant(db.kysely, a.tenant_id, (tx) => plant(tx, a.tenant_id, ++n, {}));
    const before = await withTenant(db.kysely, a.tenant_id, lastId);
    for (const c of CASES.filter((x) => !x.state)) {
      await expect(
        withTenant(db.kysely, a.tenant_id, async (tx) => {
          await c.change(tx, a.tenant_id, ids);
          expect(await written(tx, before)).not.toEqual([]);
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
    }
    expect(await withTenant(db.kysely, a.tenant_id, (tx) => written(tx, before))).toEqual([]);
  });

  it('a bulk statement writes its events set-based, numbered in order at commit', async () => {
    const ids = await withTenant(db.kysely, a.tenant_id, (tx) => plant(tx, a.tenant_id, ++n, {}));
    const before = await withTenant(db.kysely, a.tenant_id, lastId);
    await withTenant(db.kysely, a.tenant_id, (tx) =>
      run(
        tx,
        sql`insert into disparos (tenant_id, lead_id, canal, destino, template, idempotency_key)
          select ${a.tenant_id}, ${ids.lead}, 'email', 'x@y.com.br', 'a', 'bulk-' || g from generate_series(1, 200) g`,
      ),
    );
    const evs = await withTenant(db.kysely, a.tenant_id, (tx) => written(tx, before));
    expect(evs).toHaveLength(200);
    expect(new Set(evs.map((e) => e.tipo))).toEqual(new Set(['br.com.alquimista.disparo.queued']));
    const seqs = evs.map((e) => Number(e.seq));
    expect(seqs).toEqual(seqs.map((_, k) => seqs[0] + k));
  });

  it('reads CloudEvents after a cursor, in order, never of another tenant', async () => {
    await withTenant(db.kysely, b.tenant_id, (tx) => plant(tx, b.tenant_id, ++n, {}));
    const all = await withTenant(db.kysely, a.tenant_id, (tx) => readEvents(tx, a, '0', 10_000));
    expect(all.length).toBeGreaterThan(CASES.length);
    const bIds = await withTenant(db.kysely, b.tenant_id, (tx) => readEvents(tx, b, '0', 10_000));
    expect(bIds.length).toBeGreaterThan(0);
    const seen = new Set(bIds.map((e) => e.id));
    expect(all.filter((e) => seen.has(e.id))).toEqual([]);
    expect(all.every((e) => e.source === '/agente-disparo-agenda/eventos-a')).toBe(true);
    const sorted = [...all.map((e) => e.sequence)].sort();
    expect(all.map((e) => e.sequence)).toEqual(sorted);
    for (const e of all.slice(0, 40)) expect(() => new CloudEvent(e as never, true).validate()).not.toThrow();
    // Paging with the cursor gives the same events, in the same order.
    const paged: string[] = [];
    let after = '0';
    for (;;) {
      const page = await withTenant(db.kysely, a.tenant_id, (tx) => readEvents(tx, a, after, 97));
      if (!page.length) break;
      paged.push(...page.map((e) => e.id));
      after = page.at(-1)!.sequence;
    }
    expect(paged).toEqual(all.map((e) => e.id));
    // Even asked without the tenant filter (row-level security), B's scope sees none of A's events.
    const leak = await withTenant(db.kysely, b.tenant_id, (tx) =>
      sql<{ n: number }>`select count(*)::int as n from eventos_saida where tenant_id = ${a.tenant_id}`.execute(tx),
    );
    expect(leak.rows[0].n).toBe(0);
  });

  // PGlite has one connection (no concurrent transactions): this ordering race exists only on PostgreSQL.
  it.runIf(testDbKind() === 'postgres')(
    'numbers in commit order: a reader past a cursor never skips a later commit',
    async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let inserted!: () => void;
      const started = new Promise<void>((r) => (inserted = r));
      const slow = withTenant(db.kysely, a.tenant_id, async (tx) => {
        await emit(tx, a.tenant_id, 'lead.status_changed', randomUUID(), { lento: true });
        inserted();
        await gate;
      });
      await started;
      // The fast one began later but commits first: it gets the lower sequence.
      await withTenant(db.kysely, a.tenant_id, (tx) =>
        emit(tx, a.tenant_id, 'lead.status_changed', randomUUID(), { rapido: true }),
      );
      const read1 = await withTenant(db.kysely, a.tenant_id, (tx) => readEvents(tx, a, '0', 100_000));
      const cursor = read1.at(-1)!.sequence;
      expect(read1.at(-1)!.data).toEqual({ rapido: true });
      release();
      await slow;
      const read2 = await withTenant(db.kysely, a.tenant_id, (tx) => readEvents(tx, a, cursor, 100));
      expect(read2.map((e) => e.data)).toEqual([{ lento: true }]);
    },
  );
});
