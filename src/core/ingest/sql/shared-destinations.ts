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
  const { rows } = await sql<{ row: number; sheet: string | null; column: string; value: string; reason: string }>`
    with mine as (
      select l.lead_id, o.linha, o.aba
      from leads l cross join lateral jsonb_to_recordset(l.origem) as o(job_id uuid, linha int, aba text)
      where l.tenant_id = ${tenantId} and l.origem @> ${JSON.stringify([{ job_id: jobId }])}::jsonb
        and o.job_id = ${jobId}::uuid
    ),
    vals as (
      select 'telefone'::text as tipo, t.numero_e164 as valor from lead_telefones t
      where t.tenant_id = ${tenantId} and t.numero_e164 is not null and t.lead_id in (select lead_id from mine)
      union
      select 'email', e.email_normalizado from lead_emails e
      where e.tenant_id = ${tenantId} and e.email_normalizado is not null and e.lead_id in (select lead_id from mine)
    ),
    holders as (
      select v.tipo, v.valor, t.lead_id from vals v
      join lead_telefones t on v.tipo = 'telefone' and t.tenant_id = ${tenantId} and t.numero_e164 = v.valor
      union
      select v.tipo, v.valor, e.lead_id from vals v
      join lead_emails e on v.tipo = 'email' and e.tenant_id = ${tenantId} and e.email_normalizado = v.valor
    ),
    shared as (
      select h.tipo, h.valor,
             (count(*) filter (where h.lead_id not in (select lead_id from mine)))::int as anteriores
      from holders h
      where not exists (select 1 from destinos_confirmados dc
                        where dc.tenant_id = ${tenantId} and dc.tipo = h.tipo and dc.valor = h.valor)
      group by h.tipo, h.valor having count(distinct h.lead_id) > 1
    ),
    linhas as (
      select s.tipo, s.valor, s.anteriores, m.lead_id, m.linha, m.aba
      from shared s join holders h using (tipo, valor) join mine m on m.lead_id = h.lead_id
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
