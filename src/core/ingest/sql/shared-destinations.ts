import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import type { RowProblem } from '../../jobs/job-schema.js';

/**
 * After an import: every row of the job whose phone or e-mail another lead (another document) has too
 * becomes a problem of that row, naming the other rows of this file and how many leads of earlier
 * imports share it. Those destinations get no collection message (contato_compartilhado) until one is
 * confirmed as one lead's; confirmed ones are not reported. One statement; returns the problems written.
 */
export async function flagSharedDestinations(tx: Tx, tenantId: string, jobId: string): Promise<RowProblem[]> {
  // Right after a bulk import the planner still sees the tables as they were before it (autovacuum's
  // analyze comes a minute or more later). It then took the tenant for a few hundred rows and looked each
  // lead's phones up by a BitmapAnd of the lead's index and the tenant's — reading every phone of the
  // tenant for each lead: a 100k-row import on PostgreSQL still here after 240 s (CI, 2026-12-05). So the
  // caller analyzes the tables the import doubled first (runImport), the per-lead lookups name only the
  // lead (lead_id is unique across tenants; row-level security still applies), and sequential scans are
  // off for this one statement: every lookup here has its index (a local setting, which the transaction's
  // rollback puts back too if the statement fails).
  await sql`select set_config('enable_seqscan', 'off', true)`.execute(tx);
  const problems = await flagged(tx, tenantId, jobId);
  await sql`select set_config('enable_seqscan', 'on', true)`.execute(tx);
  return problems;
}

async function flagged(tx: Tx, tenantId: string, jobId: string): Promise<RowProblem[]> {
  const { rows } = await sql<{ row: number; sheet: string | null; column: string; value: string; reason: string }>`
    with mine as (
      select l.lead_id, o.linha, o.aba
      from leads l cross join lateral jsonb_to_recordset(l.origem) as o(job_id uuid, linha int, aba text)
      where l.tenant_id = ${tenantId} and l.origem @> ${JSON.stringify([{ job_id: jobId }])}::jsonb
        and o.job_id = ${jobId}::uuid
    ),
    -- Each row's destinations, by index per lead (the plan stays linear before the planner has statistics).
    mydest as (
      select m.lead_id, m.linha, m.aba, d.tipo, d.valor
      from mine m cross join lateral (
        select 'telefone'::text as tipo, t.numero_e164 as valor from lead_telefones t
        where t.lead_id = m.lead_id and t.numero_e164 is not null
        union
        select 'email', e.email_normalizado from lead_emails e
        where e.lead_id = m.lead_id and e.email_normalizado is not null) d
    ),
    shared as (
      select v.tipo, v.valor, h.n - (select count(distinct y.lead_id) from mydest y
                                     where y.tipo = v.tipo and y.valor = v.valor)::int as anteriores
      from (select distinct tipo, valor from mydest) v
      cross join lateral (
        select case when v.tipo = 'telefone'
                    then (select count(distinct o.lead_id) from lead_telefones o
                          where o.tenant_id = ${tenantId} and o.numero_e164 = v.valor)
                    else (select count(distinct o.lead_id) from lead_emails o
                          where o.tenant_id = ${tenantId} and o.email_normalizado = v.valor) end::int as n) h
      where h.n > 1 and not exists (select 1 from destinos_confirmados dc
                                    where dc.tenant_id = ${tenantId} and dc.tipo = v.tipo and dc.valor = v.valor)
    ),
    linhas as (
      select s.tipo, s.valor, s.anteriores, m.lead_id, m.linha, m.aba
      from shared s join mydest m on m.tipo = s.tipo and m.valor = s.valor
    ),
    problems as (
      select x.linha, x.aba, x.tipo, x.valor,
             x.tipo || ' compartilhado com outro documento ('
             || coalesce('linha(s) ' || (select string_agg(distinct y.linha::text, ', ') from linhas y
                                         where y.tipo = x.tipo and y.valor = x.valor and y.lead_id <> x.lead_id), '')
             || case when x.anteriores > 0 then
                  case when exists (select 1 from linhas y where y.tipo = x.tipo and y.valor = x.valor
                                    and y.lead_id <> x.lead_id) then ' e ' else '' end
                  || x.anteriores || ' lead(s) de importações anteriores' else '' end
             || '): nenhuma cobrança vai a ele até confirmar o dono (manage_suppression confirm_destination)'
               as motivo
      from linhas x
    ),
    ins as (
      insert into ingest_problemas (job_id, tenant_id, linha, aba, coluna, valor, motivo)
      select ${jobId}, ${tenantId}, linha, aba, tipo, valor, motivo from problems
      returning linha, aba, coluna, valor, motivo
    )
    select linha as row, aba as sheet, coluna as column, valor as value, motivo as reason from ins
    order by linha, coluna`.execute(tx);
  return rows.map((r) => ({
    row: r.row,
    ...(r.sheet ? { sheet: r.sheet } : {}),
    column: r.column,
    value: r.value,
    reason: r.reason,
  }));
}
