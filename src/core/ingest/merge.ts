import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { suppressedSql } from '../outreach/suppression.js';

export interface MergeCounts {
  rows: number;
  created: number;
  /** Existing leads (from earlier chunks or imports) that rows were merged into. */
  updated: number;
  /** Rows that did not create a lead: merged into an existing lead or into another row's lead. */
  duplicates: number;
}

export interface MergeSource {
  jobId: string;
  tenantId: string;
  arquivo: string;
  actor: string;
  from: number;
  to: number;
}

/**
 * Merges one staged chunk (ingest_linhas rows from..to of a job) into leads, lead_telefones and
 * lead_emails, set-based, in the caller's tenant transaction. Rows of the chunk arrive grouped
 * (groupRows: same document; same name + shared phone/e-mail). Against existing leads:
 *  1. a row with a valid document is the existing lead with that document;
 *  2. a row without one is the existing lead with the same name key that has one of its phones or e-mails;
 *  3. a row with only a name is the existing lead with that name and nothing else to tell them apart;
 *  4. companies that only share a phone (different names) stay different leads;
 *  and a group follows its first row that matched an existing lead.
 * Phones and e-mails are merged without duplicates (unique index per lead), first-seen values kept,
 * every source row appended to origem. A tenant-wide transaction lock serialises concurrent merges so
 * two overlapping imports cannot both create the same lead; chunks are small, so imports interleave.
 */
export async function mergeChunk(tx: Tx, src: MergeSource): Promise<MergeCounts> {
  const { jobId, tenantId, from, to } = src;
  const chunk = sql`s.job_id = ${jobId} and s.seq between ${from} and ${to}`;
  await sql`select pg_advisory_xact_lock(hashtext('agente.ingest'), hashtext(${tenantId}))`.execute(tx);

  // 1. Rows that are existing leads: by valid document, then by name key + phone / e-mail.
  // Lookups into leads are per-row index probes (lateral … limit 1) on purpose: while a big import
  // grows leads, its statistics lag behind and a join planned on them degrades to minutes per chunk.
  await sql`
    update ingest_linhas s set lead_id = m.lead_id, lead_existente = true
    from (
      select s.seq, x.lead_id from ingest_linhas s
      cross join lateral (
        select l.lead_id from leads l
        where l.tenant_id = ${tenantId} and l.documento_valido and l.documento = s.documento limit 1
      ) x
      where ${chunk} and s.documento_valido
    ) m
    where s.job_id = ${jobId} and s.seq = m.seq`.execute(tx);
  await sql`
    update ingest_linhas s set lead_id = m.lead_id, lead_existente = true
    from (
      select distinct on (s.seq) s.seq, l.lead_id
      from ingest_linhas s
      cross join lateral (
        select p->>'numero_e164' as v, 'p' as k from jsonb_array_elements(s.telefones) p where p->>'numero_e164' is not null
        union all
        select e->>'email_normalizado', 'e' from jsonb_array_elements(s.emails) e where e->>'email_normalizado' is not null
      ) c
      join lateral (
        select lt.lead_id from lead_telefones lt where c.k = 'p' and lt.tenant_id = ${tenantId} and lt.numero_e164 = c.v
        union all
        select le.lead_id from lead_emails le where c.k = 'e' and le.tenant_id = ${tenantId} and le.email_normalizado = c.v
      ) hit on true
      join leads l on l.lead_id = hit.lead_id and l.nome_chave = s.nome_chave
      where ${chunk} and not s.documento_valido and s.lead_id is null
      order by s.seq, l.created_at, l.lead_id
    ) m
    where s.job_id = ${jobId} and s.seq = m.seq`.execute(tx);
  // A row with only a name is the existing lead that also has only that name (no document, no contact).
  await sql`
    update ingest_linhas s set lead_id = m.lead_id, lead_existente = true
    from (
      select s.seq, x.lead_id from ingest_linhas s
      cross join lateral (
        select l.lead_id from leads l
        where l.tenant_id = ${tenantId} and l.nome_chave = s.nome_chave and not l.documento_valido
          and not exists (select 1 from lead_telefones lt where lt.lead_id = l.lead_id and lt.numero_e164 is not null)
          and not exists (select 1 from lead_emails le where le.lead_id = l.lead_id and le.email_normalizado is not null)
        order by l.created_at, l.lead_id limit 1
      ) x
      where ${chunk} and s.lead_id is null and ${nameOnly('s')}
    ) m
    where s.job_id = ${jobId} and s.seq = m.seq`.execute(tx);

  // 2. Rows were grouped in memory (groupRows): a group with a row that is an existing lead is that lead,
  //    every other group becomes one new lead, represented by its first row (seq = grupo).
  await sql`
    update ingest_linhas s set lead_id = m.lead_id, lead_existente = true
    from (
      select distinct on (s.grupo) s.grupo, s.lead_id from ingest_linhas s
      where ${chunk} and s.lead_id is not null
      order by s.grupo, s.seq
    ) m
    where ${chunk} and s.lead_id is null and s.grupo = m.grupo`.execute(tx);
  await sql`
    update ingest_linhas s set lead_id = g.lead_id, cria_lead = (s.seq = s.grupo)
    from (
      select s.grupo, gen_random_uuid() as lead_id from ingest_linhas s
      where ${chunk} and s.lead_id is null
      group by s.grupo
    ) g
    where ${chunk} and s.lead_id is null and s.grupo = g.grupo`.execute(tx);

  // 3. One new lead per group; its values are the first non-empty ones in file order.
  const created = await sql`
    insert into leads (lead_id, tenant_id, nome, nome_chave, contato_nome, documento, documento_tipo,
                       documento_valido, timezone, origem, lead_id_externo, dados_extras)
    select s.lead_id, ${tenantId},
           (array_agg(s.nome order by s.seq))[1],
           (array_agg(s.nome_chave order by s.seq))[1],
           (array_agg(s.contato_nome order by s.seq) filter (where s.contato_nome is not null))[1],
           (array_agg(s.documento order by s.documento_valido desc, s.seq))[1],
           (array_agg(s.documento_tipo order by s.documento_valido desc, s.seq))[1],
           bool_or(s.documento_valido),
           (array_agg(s.timezone order by s.seq))[1],
           ${origemAgg(src)},
           (array_agg(s.lead_id_externo order by s.seq) filter (where s.lead_id_externo is not null))[1],
           ${extrasAgg()}
    from ingest_linhas s
    where ${chunk} and not s.lead_existente
    group by s.lead_id`.execute(tx);

  // 4. Existing leads: append the rows to origem, fill what was empty; the status is never touched
  //    (an opted-out lead stays opted out).
  const updated = await sql`
    update leads l set
      origem = l.origem || g.origem,
      contato_nome = coalesce(l.contato_nome, g.contato_nome),
      lead_id_externo = coalesce(l.lead_id_externo, g.lead_id_externo),
      dados_extras = g.dados_extras || l.dados_extras,
      updated_at = now()
    from (
      select s.lead_id,
             (array_agg(s.contato_nome order by s.seq) filter (where s.contato_nome is not null))[1] as contato_nome,
             (array_agg(s.lead_id_externo order by s.seq) filter (where s.lead_id_externo is not null))[1] as lead_id_externo,
             ${origemAgg(src)} as origem,
             ${extrasAgg()} as dados_extras
      from ingest_linhas s
      where ${chunk} and s.lead_existente
      group by s.lead_id
    ) g
    where l.lead_id = g.lead_id and l.tenant_id = ${tenantId}`.execute(tx);

  // 5. Phones and e-mails, without duplicates per lead, in file order.
  await sql`
    insert into lead_telefones (tenant_id, lead_id, numero_original, numero_e164, tipo, valido_para_disparo,
                                motivo_invalido, reparado, posicao)
    select distinct on (s.lead_id, coalesce(p.v->>'numero_e164', p.v->>'numero_original'))
           ${tenantId}, s.lead_id, p.v->>'numero_original', p.v->>'numero_e164', p.v->>'tipo',
           (p.v->>'valido_para_disparo')::boolean, p.v->>'motivo_invalido', coalesce((p.v->>'reparado')::boolean, false),
           (s.seq - ${from}) * 64 + p.n::int
    from ingest_linhas s
    cross join lateral jsonb_array_elements(s.telefones) with ordinality as p(v, n)
    where ${chunk}
    order by s.lead_id, coalesce(p.v->>'numero_e164', p.v->>'numero_original'), s.seq, p.n
    on conflict (lead_id, (coalesce(numero_e164, numero_original))) do nothing`.execute(tx);
  await sql`
    insert into lead_emails (tenant_id, lead_id, email_original, email_normalizado, valido_para_disparo,
                             motivo_invalido, posicao)
    select distinct on (s.lead_id, coalesce(e.v->>'email_normalizado', e.v->>'email_original'))
           ${tenantId}, s.lead_id, e.v->>'email_original', e.v->>'email_normalizado',
           (e.v->>'valido_para_disparo')::boolean, e.v->>'motivo_invalido', (s.seq - ${from}) * 64 + e.n::int
    from ingest_linhas s
    cross join lateral jsonb_array_elements(s.emails) with ordinality as e(v, n)
    where ${chunk}
    order by s.lead_id, coalesce(e.v->>'email_normalizado', e.v->>'email_original'), s.seq, e.n
    on conflict (lead_id, (coalesce(email_normalizado, email_original))) do nothing`.execute(tx);

  // 6. A new lead whose document, phone or e-mail is on the suppression list is born opted out: an
  //    opt-out survives re-imports of the same person under another name or file.
  const suppressed = await sql<{ lead_id: string }>`
    update leads l set status = 'opt_out'
    where l.tenant_id = ${tenantId} and l.status = 'novo'
      and l.lead_id = any(array(select s.lead_id from ingest_linhas s where ${chunk} and s.cria_lead))
      and ${suppressedSql(tenantId)}
    returning l.lead_id`.execute(tx);

  // 7. The audit trail: one event per lead created by this import.
  await sql`
    insert into lead_eventos (tenant_id, lead_id, tipo, status_para, motivo, ator, dados)
    select ${tenantId}, s.lead_id, 'importacao', 'novo',
           'importado de ' || ${src.arquivo} || coalesce(' (aba ' || s.aba || ')', '') || ', linha ' || s.linha,
           ${src.actor}, jsonb_build_object('job_id', ${jobId}::text, 'linha', s.linha)
    from ingest_linhas s
    where ${chunk} and s.cria_lead`.execute(tx);
  if (suppressed.rows.length) {
    await sql`
      insert into lead_eventos (tenant_id, lead_id, tipo, status_de, status_para, motivo, ator)
      select ${tenantId}, unnest(${suppressed.rows.map((r) => r.lead_id)}::uuid[]), 'transicao', 'novo', 'opt_out',
             'documento, telefone ou e-mail na lista de supressão (opt-out anterior)', ${src.actor}`.execute(tx);
  }

  const rows = await sql<{ n: number }>`select count(*)::int as n from ingest_linhas s where ${chunk}`.execute(tx);
  await sql`delete from ingest_linhas s where ${chunk}`.execute(tx);
  const total = rows.rows[0].n;
  const nCreated = Number(created.numAffectedRows ?? 0);
  return { rows: total, created: nCreated, updated: Number(updated.numAffectedRows ?? 0), duplicates: total - nCreated };
}

/** A row with no valid document and no usable phone or e-mail: it can only be matched by name. */
function nameOnly(alias: 's') {
  return sql`(not ${sql.ref(`${alias}.documento_valido`)}
    and not exists (select 1 from jsonb_array_elements(${sql.ref(`${alias}.telefones`)}) p where p->>'numero_e164' is not null)
    and not exists (select 1 from jsonb_array_elements(${sql.ref(`${alias}.emails`)}) e where e->>'email_normalizado' is not null))`;
}

function origemAgg(src: MergeSource) {
  return sql`jsonb_agg(jsonb_build_object(
    'arquivo', ${src.arquivo}::text, 'aba', s.aba, 'linha', s.linha, 'job_id', ${src.jobId}::text,
    'importado_em', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) order by s.seq)`;
}

// Extra columns of all rows of a lead; for a key present in several rows the first row's value wins.
function extrasAgg() {
  return sql`coalesce((
    select jsonb_object_agg(key, value) from (
      select distinct on (x.key) x.key, x.value
      from unnest(array_agg(s.dados_extras order by s.seq)) with ordinality as d(obj, ord),
           jsonb_each(d.obj) as x(key, value)
      order by x.key, d.ord
    ) firsts
  ), '{}'::jsonb)`;
}
