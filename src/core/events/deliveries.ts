import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import type { EventAttemptResult, EventDestinationKind } from '../model/index.js';
import { cloudEvent, type OutEvent } from './outbox.js';

/**
 * The delivery queue of the outbox (migration 043). fanOut copies a tenant's new events into one row per
 * destination that wants them; claim leases due rows (one per subject and destination at a time: the
 * next event of a subject waits until the one before it is delivered or given up); settle records what
 * an attempt did (the delivery log) and what comes next. All in the caller's tenant transaction.
 */
export type DestinationKind = EventDestinationKind;

/**
 * Retry delays after attempt 1, 2, …: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h — the first attempt
 * at once, the last ≈ 3.2 days after it; then the delivery is given up (status desistiu).
 */
export const RETRY_SCHEDULE_MS = [5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 504e5, 72e6, 864e5];

export interface Destination {
  destino_id: string;
  url: string | null;
  barramento: string | null;
  segredos: string[];
  dados_pessoais: boolean;
}

export interface Claimed {
  entrega_id: string;
  destino_id: string;
  tentativa: number;
  event: OutEvent;
}

/** Copies up to `limit` new events per active destination of `kind` into the queue; returns how many. */
export async function fanOut(tx: Tx, tenant: { tenant_id: string; slug: string }, kind: DestinationKind, limit = 5000) {
  const { rows } = await sql<{ n: string }>`
    with d as (
      select destino_id, cursor_seq, tipos from eventos_destinos
      where tipo = ${kind} and ativo for update skip locked
    ), novos as (
      select d.destino_id, s.evento_id, s.seq, s.assunto, s.tipo, d.tipos
      from d cross join lateral (
        select evento_id, seq, assunto, tipo from eventos_saida
        where tenant_id = ${tenant.tenant_id} and seq > d.cursor_seq order by seq limit ${limit}
      ) s
    ), ins as (
      insert into eventos_entregas (tenant_id, destino_id, evento_id, seq, assunto)
      select ${tenant.tenant_id}, destino_id, evento_id, seq, assunto from novos
      where tipos is null or tipo = any(tipos)
      on conflict do nothing returning 1
    ), cur as (
      update eventos_destinos x set cursor_seq = m.ate
      from (select destino_id, max(seq) as ate from novos group by destino_id) m
      where x.destino_id = m.destino_id returning 1
    )
    select (select count(*) from ins) as n, (select count(*) from cur) as c`.execute(tx);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Leases up to `limit` due deliveries of `kind` for `leaseMs`; each with its event as a CloudEvent. Each
 * destination's pending rows are walked in sequence order (index of migration 051) until `limit` due ones
 * are found, so the cost follows the batch, not the backlog; rows of several destinations are merged by
 * sequence. (Rows another destination of the batch left unleased are taken by the next claim.)
 */
export async function claim(
  tx: Tx,
  tenant: { tenant_id: string; slug: string },
  kind: DestinationKind,
  o: { limit: number; leaseMs: number; owner: string },
): Promise<Claimed[]> {
  const { rows } = await sql<{
    entrega_id: string;
    destino_id: string;
    tentativas: number;
    evento_id: string;
    seq: string;
    tipo: string;
    assunto: string;
    dados: unknown;
    em: string;
  }>`
    with c as (
      select x.entrega_id, x.seq from eventos_destinos d cross join lateral (
        select e.entrega_id, e.seq from eventos_entregas e
        where e.destino_id = d.destino_id and e.status = 'pendente' and e.proxima_em <= now()
          and (e.lease_ate is null or e.lease_ate < now())
          -- offset 0: kept a per-row lookup on (destino_id, assunto, seq), never turned into a join (on a table
          -- not analysed yet the planner made it a join filtering every pending row for each row: seconds a claim)
          and not exists (select 1 from eventos_entregas p where p.destino_id = e.destino_id and p.assunto = e.assunto
                          and p.status = 'pendente' and p.seq < e.seq offset 0)
        order by e.seq limit ${o.limit} for update of e skip locked
      ) x
      where d.tenant_id = ${tenant.tenant_id} and d.tipo = ${kind} and d.ativo and (d.pausa_ate is null or d.pausa_ate <= now())
      order by x.seq limit ${o.limit}
    )
    update eventos_entregas e set lease_ate = now() + make_interval(secs => ${o.leaseMs / 1000}),
      lease_dono = ${o.owner}, tentativas = e.tentativas + 1
    from eventos_saida s
    where e.entrega_id = any(array(select entrega_id from c)) and s.evento_id = e.evento_id
    returning e.entrega_id, e.destino_id, e.tentativas, s.evento_id, lpad(s.seq::text, 19, '0') as seq, s.tipo,
      s.assunto, s.dados, to_char(s.ocorrido_em at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as em`.execute(tx);
  return rows
    .sort((a, b) => (a.seq < b.seq ? -1 : 1))
    .map((r) => ({
      entrega_id: String(r.entrega_id),
      destino_id: r.destino_id,
      tentativa: r.tentativas,
      event: cloudEvent(r, tenant.slug),
    }));
}

/** The destinations named, with the secrets that sign now (the previous one while its rotation lasts). */
export async function destinations(tx: Tx, ids: readonly string[]): Promise<Map<string, Destination>> {
  const { rows } = await sql<Destination & { segredo: string | null; anterior: string | null }>`
    select destino_id, url, barramento, dados_pessoais, segredo,
      case when segredo_anterior_ate > now() then segredo_anterior end as anterior
    from eventos_destinos where destino_id = any(${[...new Set(ids)]}::uuid[])`.execute(tx);
  return new Map(
    rows.map((r) => [
      r.destino_id,
      { ...r, segredos: [r.segredo, r.anterior].filter((s): s is string => !!s) } satisfies Destination,
    ]),
  );
}

/** What one attempt did. `retryAfterMs`: the receiver asked for a pause (429/503 Retry-After). */
export interface Outcome {
  entrega_id: string;
  destino_id: string;
  evento_id: string;
  tentativa: number;
  ok: boolean;
  http_status?: number;
  erro?: string;
  duracao_ms: number;
  /** 410 Gone (or a refused address): the destination is disabled. */
  disable?: string;
  retryAfterMs?: number;
  /** Whole-destination pause (429): no delivery to it before then. */
  pauseMs?: number;
}

export type Settled = EventAttemptResult;

/**
 * Records attempts (the log) and moves each delivery on: delivered, retried later, or given up.
 * Returns what became of each outcome, in order.
 */
export async function settle(
  tx: Tx,
  tenantId: string,
  owner: string,
  outcomes: readonly Outcome[],
): Promise<Settled[]> {
  if (!outcomes.length) return [];
  const next = outcomes.map((o): Outcome & { resultado: Settled; atraso: number } => {
    if (o.ok) return { ...o, resultado: 'entregue', atraso: 0 };
    if (o.disable) return { ...o, resultado: 'desativou', atraso: 0 };
    const base = RETRY_SCHEDULE_MS[o.tentativa - 1];
    if (base === undefined) return { ...o, resultado: 'desistiu', atraso: 0 };
    return { ...o, resultado: 'reagendado', atraso: Math.max(base, Math.min(o.retryAfterMs ?? 0, 864e5)) };
  });
  const col = <K extends keyof (typeof next)[number]>(k: K) => next.map((n) => n[k] ?? null);
  await sql`
    with o as (
      select * from unnest(${col('entrega_id')}::bigint[], ${col('resultado')}::text[], ${col('atraso')}::float8[],
        ${col('erro')}::text[]) as t (entrega_id, resultado, atraso, erro)
    )
    update eventos_entregas e set
      status = case o.resultado when 'entregue' then 'entregue' when 'desistiu' then 'desistiu' else 'pendente' end,
      entregue_em = case when o.resultado = 'entregue' then now() end,
      proxima_em = now() + make_interval(secs => o.atraso / 1000),
      -- a disabled destination's delivery waits for it as it was (this attempt not counted)
      tentativas = case when o.resultado = 'desativou' then e.tentativas - 1 else e.tentativas end,
      ultimo_erro = o.erro, lease_ate = null, lease_dono = null
    from o where e.entrega_id = o.entrega_id and e.lease_dono = ${owner}`.execute(tx);
  await sql`
    insert into eventos_tentativas (tenant_id, destino_id, evento_id, tentativa, http_status, erro, duracao_ms, resultado)
    select ${tenantId}, * from unnest(${col('destino_id')}::uuid[], ${col('evento_id')}::uuid[], ${col('tentativa')}::int[],
      ${col('http_status')}::int[], ${col('erro')}::text[], ${col('duracao_ms')}::int[], ${col('resultado')}::text[])`.execute(
    tx,
  );
  for (const o of outcomes) {
    if (o.disable)
      await sql`update eventos_destinos set ativo = false, desativado_motivo = ${o.disable.slice(0, 120)}
        where destino_id = ${o.destino_id}`.execute(tx);
    else if (o.pauseMs)
      await sql`update eventos_destinos set pausa_ate = greatest(coalesce(pausa_ate, now()),
          now() + make_interval(secs => ${Math.min(o.pauseMs, 864e5) / 1000}))
        where destino_id = ${o.destino_id}`.execute(tx);
  }
  return next.map((n) => n.resultado);
}

/** Personal data in data, for destinations configured to receive it: the lead's company and contact names. */
export async function leadNames(tx: Tx, leadIds: readonly string[]) {
  const { rows } = await sql<{
    lead_id: string;
    nome: string;
    contato_nome: string | null;
    lead_id_externo: string | null;
  }>`
    select lead_id, nome, contato_nome, lead_id_externo from leads where lead_id = any(${[...new Set(leadIds)]}::uuid[])`.execute(
    tx,
  );
  return new Map(
    rows.map((r) => [r.lead_id, { nome: r.nome, contato_nome: r.contato_nome, lead_id_externo: r.lead_id_externo }]),
  );
}
