import { sql, type RawBuilder } from 'kysely';
import { reachedAt, reachedSince, recentWindowStart } from '../dispatch/recent-sends.js';
import { WHATSAPP_WINDOW_MS } from '../templates/approved.js';
import type { Tx } from '../../db/tenant.js';
import type { DecisionContext, Target } from './decision-context.js';
import { debtColumnsSql, DDD_UF_SQL, type LeadZone } from './decisions-sql.js';
import { NINE_DIGIT } from './registry-sql.js';
import { suppressedLeadsSql } from './suppression.js';
import { windowColumnsSql } from './window-sql.js';

/*
 * The facts of the decision (CTEs tel, eml, sup, env, f; decisions-sql.ts leadFactsSql is the
 * per-lead form) for many leads at once — a campaign, a dry run over a filter: every fact is one
 * aggregate over its table, joined by hash on the lead or the destination, with no subquery per lead.
 * An aggregate over a table with nothing for the tenant (debts, registries, inbound messages, sends)
 * costs nothing: its hash is empty and the join ends there. The same columns and the same values as the
 * per-lead form (test/tools/decide-channel.test.ts and the collection and window tests compare them).
 */

/**
 * Runs the set-based statement with its planner settings, local to it: no JIT (compiling the statement's
 * ~350 expressions takes seconds, far more than running them over 100k leads), memory for its sorts and
 * hashes, and no nested loops — right after a bulk import the planner may not know the tables' size yet,
 * and a nested loop over a table it thinks empty would be quadratic. The settings go back to the
 * session's right after (the rest of a campaign's transaction looks leads up by index).
 */
export async function withSetFormSettings<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  await sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true),
    set_config('enable_nestloop', 'off', true)`.execute(tx);
  const out = await fn();
  await sql`select set_config(name, reset_val, true) from pg_settings
            where name in ('jit', 'work_mem', 'enable_nestloop')`.execute(tx);
  return out;
}

/**
 * CTE body `alvo` of the set form: the targeted leads (decisions-sql.ts targetSql) with the columns the
 * decision reads, so that f reads them from here rather than joining the leads again.
 */
export function setTargetSql(tenantId: string, target: Target): RawBuilder<unknown> {
  const cols = sql`l.lead_id, l.nome, l.contato_nome, l.documento, l.documento_tipo, l.status, l.timezone, l.uf`;
  if ('leadIds' in target)
    return sql`select ${cols} from leads l where l.tenant_id = ${tenantId} and l.lead_id = any(${target.leadIds}::uuid[])`;
  if (!target.part)
    return sql`select ${cols} from leads l where ${filterSql(tenantId, target.filter)}
    order by l.created_at, l.lead_id limit ${target.limit}`;
  // The limit is the whole filter's; each part keeps its share of those leads (every lead in one part).
  const { withinLimit } = target.part;
  const mine = (id: RawBuilder<unknown>) => inPartSql(target.part!, id);
  // Every lead the filter matches is in: no sort of them all to find the oldest `limit`.
  if (withinLimit)
    return sql`select ${cols} from leads l where ${filterSql(tenantId, target.filter)} and ${mine(sql`l.lead_id`)}`;
  return sql`select * from (select ${cols} from leads l where ${filterSql(tenantId, target.filter)}
    order by l.created_at, l.lead_id limit ${target.limit}) p where ${mine(sql`p.lead_id`)}`;
}

/**
 * Whether lead id is in part index of `of` (Target.part): by uuid_hash, the uuid's own hash (no text form
 * of each lead id to hash).
 */
function inPartSql(part: { index: number; of: number }, id: RawBuilder<unknown>): RawBuilder<boolean> {
  const { index, of } = part;
  return sql<boolean>`(uuid_hash(${id})::bigint % ${of}::int + ${of}::int) % ${of}::int = ${index}::int`;
}

/**
 * `and` the lead id's part, for a fact table read for the part's leads (tel, eml, div): only the rows of
 * this part's share reach the join with alvo (whose leads are all of this part), so the hash of the join
 * holds half (of two parts) the tenant's phones, e-mails or debts. The join with alvo still decides which
 * rows count; this only drops rows it would drop.
 */
function partOfSql(target: Target | undefined, id: RawBuilder<unknown>): RawBuilder<unknown> {
  return target && 'filter' in target && target.part ? sql`and ${inPartSql(target.part, id)}` : sql``;
}

/** The conditions of a filter on leads l, tenant included. */
function filterSql(tenantId: string, filter: Extract<Target, { filter: unknown }>['filter']): RawBuilder<boolean> {
  const { status, source_job_id } = filter;
  return sql<boolean>`l.tenant_id = ${tenantId}
    ${status?.length ? sql`and l.status = any(${status}::text[])` : sql``}
    ${source_job_id ? sql`and l.origem @> ${JSON.stringify([{ job_id: source_job_id }])}::jsonb` : sql``}`;
}

/**
 * Whether the filter of target matches at most its limit of leads (then each part of a split dry run
 * takes its share of them all, unsorted: setTargetSql), and the zones of the tenant's leads (setZonesSql),
 * from one scan and one aggregate of the tenant's leads: a split dry run reads both once, in its first
 * transaction, whose snapshot every part imports, and hands the zones to the parts (DecisionContext
 * setZones) instead of each part reading them again.
 */
export async function filterWithinLimitAndZones(
  tx: Tx,
  tenantId: string,
  target: Extract<Target, { filter: unknown }>,
): Promise<{ withinLimit: boolean; zones: LeadZone[] }> {
  const { rows } = await sql<{ n: string; zones: LeadZone[] }>`
    with lz as materialized (
      select l.timezone::text as timezone, l.uf, count(*) filter (where ${filterSql(tenantId, target.filter)}) as n
      from leads l where l.tenant_id = ${tenantId} group by 1, 2)
    select (select coalesce(sum(n), 0) from lz)::text as n, ${zonesOfSql(sql`lz`)} as zones`.execute(tx);
  return { withinLimit: Number(rows[0]!.n) <= target.limit, zones: rows[0]!.zones };
}

/**
 * The (time zone, UF) pairs a set-form decision may look its send window up by, as one json array of
 * LeadZone: every time zone of the tenant's leads with every UF they may have — the sheet's (leads.uf),
 * any DDD's (DDD_UF: every UF a phone's DDD maps to, whether or not a lead of the tenant has such a
 * phone), or none. A superset of the pairs decisions-sql.ts leadZonesSql finds (which picks each lead's
 * first valid phone: a sort of every phone), from one aggregate over the leads and no join; a pair no
 * lead has is computed in JS and never looked up (the UFs of the DDDs: 27 per time zone, memoised per
 * minute, decide.ts zoneOpening). Not reading the phones for their DDDs spares a dry run a scan and an
 * aggregate of all the tenant's phones (~50 ms of CPU per 100k, issue 22).
 */
export function setZonesSql(tenantId: string): RawBuilder<LeadZone[]> {
  return sql<LeadZone[]>`(with lz as (select distinct l.timezone::text as timezone, l.uf from leads l
                                       where l.tenant_id = ${tenantId})
    select ${zonesOfSql(sql`lz`)})`;
}

/** The zones (setZonesSql) of relation lz's time zones (timezone) and UFs (uf). */
function zonesOfSql(lz: RawBuilder<unknown>): RawBuilder<LeadZone[]> {
  return sql<LeadZone[]>`(select coalesce(json_agg(z), '[]'::json) from (
      select tz.timezone, u.uf
      from (select distinct timezone from ${lz}) tz
      cross join (select uf from ${lz}
                  union
                  select d.value from jsonb_each_text(${DDD_UF_SQL}::jsonb) d
                  union
                  select null) u) z)`;
}

// Not a collection: nobody reads whether a destination is shared or how often it was reached.
const NOT_COLLECTING = sql`
    tsh as (select null::uuid as lead_id where false),
    esh as (select null::uuid as lead_id where false),
    sent as (select null::text as valor, 0 as enviados where false)`;

/**
 * `offset 0` at the end of a CTE that is read once: PostgreSQL then does not pull it up into the query
 * that reads it (a subquery with a LIMIT/OFFSET is not "simple"), so its columns are computed once per
 * row instead of once per reference. Without it the steps f → c → d were flattened into one projection:
 * the channel's CASE was written out 82 times per lead, the gates' CASE 4 times (codigo_bloqueio,
 * seria_enviado_agora, razao_bloqueio, previsto_para), the DDD → UF lookup 18 times (EXPLAIN VERBOSE of
 * the dry run's statement). The same values, computed fewer times.
 */
export const EVAL_ONCE = sql`offset 0`;

/** CTEs tel, eml, sup, env and f over the CTE alvo (of target), set-based (see above). */
export function leadFactsSetSql(ctx: DecisionContext, target?: Target): RawBuilder<unknown> {
  const t = ctx.tenantId;
  const since = recentWindowStart(ctx.now);
  const collecting = ctx.collection.whatsapp || ctx.collection.email;
  return sql`
    tel as materialized (
      select distinct on (lt.lead_id) lt.lead_id, lt.numero_e164
      from lead_telefones lt join alvo a on a.lead_id = lt.lead_id
      where lt.tenant_id = ${t} and lt.valido_para_disparo ${partOfSql(target, sql`lt.lead_id`)}
      order by lt.lead_id, lt.created_at, lt.posicao
    ),
    eml as materialized (
      select distinct on (le.lead_id) le.lead_id, le.email_normalizado
      from lead_emails le join alvo a on a.lead_id = le.lead_id
      where le.tenant_id = ${t} and le.valido_para_disparo ${partOfSql(target, sql`le.lead_id`)}
      order by le.lead_id, le.created_at, le.posicao
    ),
    sup as (select distinct lead_id from (${suppressedLeadsSql(t)}) x),
    rec as materialized (
      select d.lead_id, d.destino, ${reachedAt('d')} as em from disparos d
      where d.tenant_id = ${t} and ${reachedSince('d', since)}
    ),
    env as (
      select r.lead_id, count(*)::int as enviados, min(r.em) as primeiro from rec r group by r.lead_id
    ),
    div as (
      select x.lead_id, ${debtColumnsSql}
      from (select dv.lead_id, dv.valor_centavos, dv.vencimento, dv.contrato,
                   coalesce(dv.vencimento <= ${ctx.prescribedOnOrBefore}::date, false) as prescrita
            from dividas dv join alvo a on a.lead_id = dv.lead_id
            where dv.tenant_id = ${t} ${partOfSql(target, sql`dv.lead_id`)}) x
      group by x.lead_id
    ),
    ${collecting ? sharedSql(t) : NOT_COLLECTING},
    reg as (
      select tf.lead_id, min(r.fonte) as fonte
      from (select tel.lead_id, tel.numero_e164 as valor from tel
            union all
            select tel.lead_id, ${NINE_DIGIT(sql`tel.numero_e164`)} from tel) tf
      join registros_opt_out r on r.tenant_id = ${t} and r.numero_e164 = tf.valor
      join alvo lr on lr.lead_id = tf.lead_id
      where r.vigente_desde <= (${ctx.now}::timestamptz at time zone lr.timezone)::date
      group by tf.lead_id
    ),
    jan as (
      select v.valor, max(m.recebida_em) as ultima
      from mensagens_recebidas m cross join unnest(m.remetente_formas) v(valor)
      where m.tenant_id = ${t} and m.canal = 'whatsapp' ${inboundSince(ctx)}
      group by v.valor
    ),
    f as (
      select l.lead_id, l.nome, l.contato_nome, l.documento, l.documento_tipo, l.status, l.timezone,
             tel.numero_e164 as telefone, eml.email_normalizado as email,
             sup.lead_id is not null as suprimido,
             coalesce(l.uf, ${DDD_UF_SQL}::jsonb ->> substring(tel.numero_e164 from 4 for 2)) as uf,
             reg.fonte as registro_fonte,
             coalesce(env.enviados, 0) as enviados, env.primeiro,
             div.divida_centavos, div.divida_vencimento, div.divida_contratos,
             coalesce(div.dividas, 0) as dividas, coalesce(div.dividas_prescritas, 0) as dividas_prescritas,
             coalesce(ct.lead_id <> l.lead_id, tsh.lead_id is not null) as tel_compartilhado,
             coalesce(ce.lead_id <> l.lead_id, esh.lead_id is not null) as email_compartilhado,
             coalesce(st.enviados, 0) as enviados_tel, coalesce(se.enviados, 0) as enviados_email,
             ${windowColumnsSql}
      from alvo l
      left join tel on tel.lead_id = l.lead_id
      left join eml on eml.lead_id = l.lead_id
      left join env on env.lead_id = l.lead_id
      left join sup on sup.lead_id = l.lead_id
      left join div on div.lead_id = l.lead_id
      left join reg on reg.lead_id = l.lead_id
      left join tsh on tsh.lead_id = l.lead_id
      left join esh on esh.lead_id = l.lead_id
      left join sent st on st.valor = tel.numero_e164
      left join sent se on se.valor = eml.email_normalizado
      left join destinos_confirmados ct on ct.tenant_id = ${t} and ct.tipo = 'telefone' and ct.valor = tel.numero_e164
      left join destinos_confirmados ce on ce.tenant_id = ${t} and ce.tipo = 'email' and ce.valor = eml.email_normalizado
      left join jan on jan.valor = tel.numero_e164
      left join restricoes_marketing rmk on rmk.tenant_id = ${t} and rmk.telefone = tel.numero_e164
      ${EVAL_ONCE}
    )`;
}

/**
 * CTEs tsh, esh and sent (for a collection: the gates that read them are a collection's): the targeted
 * leads whose phone / e-mail another lead of the tenant also has (one hash join of the destinations
 * against the tenant's, keeping only another lead's rows: a handful), and per destination how many
 * messages reached it in the rolling 24 h, any lead (CTE rec).
 */
function sharedSql(t: string): RawBuilder<unknown> {
  return sql`
    tsh as (select distinct tel.lead_id from tel join lead_telefones o
              on o.tenant_id = ${t} and o.numero_e164 = tel.numero_e164 and o.lead_id <> tel.lead_id),
    esh as (select distinct eml.lead_id from eml join lead_emails o
              on o.tenant_id = ${t} and o.email_normalizado = eml.email_normalizado and o.lead_id <> eml.lead_id),
    sent as (select r.destino as valor, count(*)::int as enviados from rec r group by r.destino)`;
}

/**
 * Only inbound messages that can open the window now matter when the window is checked (the latest
 * one's time is read only through "inside the window"); with free text always allowed (`livre`) the
 * latest one's time is carried as it is, so all of them are read.
 */
function inboundSince(ctx: DecisionContext): RawBuilder<unknown> {
  if (ctx.approved.provider === 'livre') return sql``;
  return sql`and m.recebida_em > ${new Date(ctx.now.getTime() - WHATSAPP_WINDOW_MS)}::timestamptz`;
}
