import { sql } from 'kysely';
import type { Tx } from '../../../db/tenant.js';
import type { RowProblem } from '../../jobs/job-schema.js';

/**
 * After an import: every row of the job whose phone or e-mail another lead (another document) has too
 * becomes a problem of that row, naming the other rows of this file and how many leads of earlier
 * imports share it. Those destinations get no collection message (contato_compartilhado) until one is
 * confirmed as one lead's; confirmed ones are not reported. One statement; returns the problems written.
 *
 * It starts from the destinations, not from the job's leads: the tenant's phones and e-mails held by more
 * than one lead (one pass over each table, grouped; few values in a real file), then their leads, and of
 * those the rows of this job (origem). Starting from the job's leads — every lead of the tenant read for
 * its origem, then each one's phones and e-mails looked up — cost 4.1 s at 100k rows on PGlite (0.47 s now; bench child, load ~5), and the
 * problems' texts read the whole list of shared rows again for every row (quadratic in the shared rows:
 * 2.2 s for 2,600 of them); here each value's rows are gathered once (window functions) and each row's
 * text is built from its own value's list. Needs no statistics: nothing here loops over the import's
 * rows by an index the planner could misjudge (the 100k-row hang of 2026-12-05).
 */
export async function flagSharedDestinations(tx: Tx, tenantId: string, jobId: string): Promise<RowProblem[]> {
  // Without JIT (a transaction-local setting, like the job's update that follows): the planner cannot tell
  // how few destinations are shared, prices the statement above jit_above_cost at 100k leads, and
  // PostgreSQL then spent ~0.5 s compiling it for a ~0.06 s run (EXPLAIN ANALYZE, PostgreSQL 15).
  await sql`select set_config('jit', 'off', true)`.execute(tx);
  const { rows } = await sql<{ row: number; sheet: string | null; column: string; value: string; reason: string }>`
    with dup as (
      select 'telefone'::text as tipo, t.numero_e164 as valor from lead_telefones t
      where t.tenant_id = ${tenantId} and t.numero_e164 is not null
      group by t.numero_e164 having count(*) > 1
      union all
      select 'email', e.email_normalizado from lead_emails e
      where e.tenant_id = ${tenantId} and e.email_normalizado is not null
      group by e.email_normalizado having count(*) > 1
    ),
    holders as (
      select h.tipo, h.valor, h.lead_id, count(*) over (partition by h.tipo, h.valor) as n
      from (select distinct d.tipo, d.valor, x.lead_id
            from dup d cross join lateral (
              select t.lead_id from lead_telefones t
              where d.tipo = 'telefone' and t.tenant_id = ${tenantId} and t.numero_e164 = d.valor
              union all
              select e.lead_id from lead_emails e
              where d.tipo = 'email' and e.tenant_id = ${tenantId} and e.email_normalizado = d.valor) x) h
    ),
    mydest as (
      select h.lead_id, o.linha, o.aba, h.tipo, h.valor, h.n,
             row_number() over (partition by h.tipo, h.valor, h.lead_id) = 1 as primeira
      from holders h
      -- One index probe per holder (limit 1: lead_id is unique), never a pass over every lead: the planner
      -- cannot tell how few values are shared and would otherwise merge-join with all of the tenant's leads.
      cross join lateral (select l.origem from leads l
                          where l.lead_id = h.lead_id and l.tenant_id = ${tenantId} limit 1) l
      cross join lateral jsonb_to_recordset(l.origem) as o(job_id uuid, linha int, aba text)
      where h.n > 1 and o.job_id = ${jobId}::uuid
        and not exists (select 1 from destinos_confirmados dc
                        where dc.tenant_id = ${tenantId} and dc.tipo = h.tipo and dc.valor = h.valor)
    ),
    linhas as (
      select m.tipo, m.valor, m.lead_id, m.linha, m.aba,
             m.n - count(*) filter (where m.primeira) over w as anteriores,
             array_agg(m.lead_id) over w as leads, array_agg(m.linha) over w as nums
      from mydest m
      window w as (partition by m.tipo, m.valor)
    ),
    problems as (
      select x.linha, x.aba, x.tipo, x.valor,
             x.tipo || ' compartilhado com outro documento ('
             || coalesce('linha(s) ' || o.outras, '')
             || case when x.anteriores > 0 then
                  case when o.tem then ' e ' else '' end
                  || x.anteriores || ' lead(s) de importações anteriores' else '' end
             || '): nenhuma cobrança vai a ele até confirmar o dono (manage_suppression confirm_destination)'
               as motivo
      from linhas x cross join lateral (
        select string_agg(distinct u.linha::text, ', ') as outras, count(*) > 0 as tem
        from unnest(x.leads, x.nums) as u(lead_id, linha) where u.lead_id <> x.lead_id) o
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
