import { sql } from 'kysely';
import { AppError } from '../errors.js';
import { AGENDAMENTO_STATUSES } from '../model/index.js';
import type { Scope } from '../scope.js';
import { addDays, localParts, toZonedIso, zonedTimeToUtc } from '../time/index.js';
import { decodeCursor, encodeCursor, parseBound, REPORT_ZONE, type ReportInput } from './input.js';

/** A page of rows and the cursor of the next one (null: this was the last). */
export interface Page {
  rows: Record<string, unknown>[];
  next_cursor: string | null;
}

/** Rows fetched one past the limit: whether another page follows, and its cursor from the last row shown. */
function page<R>(rows: R[], limit: number, key: (r: R) => unknown[], view: (r: R) => Record<string, unknown>): Page {
  const shown = rows.slice(0, limit);
  return {
    rows: shown.map(view),
    next_cursor: rows.length > limit ? encodeCursor(key(shown[shown.length - 1])) : null,
  };
}

/**
 * The keyset condition of a page after `after` (decodeCursor: [timestamp, uuid]): rows whose
 * (time, id) pair comes after it in the list's order (`<` newest first, `>` oldest first); nothing on
 * the first page. Column names come from our code, never from input.
 */
function pastCursor(after: unknown[] | null, time: string, id: string, op: '<' | '>') {
  return after
    ? sql`and (${sql.ref(time)}, ${sql.ref(id)}) ${sql.raw(op)} (${String(after[0])}::timestamptz, ${String(after[1])}::uuid)`
    : sql``;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Campaigns, newest first: key, mode, status, templates, target, when, counts by disparo status, pace. */
export async function campaignsList(scope: Scope, input: ReportInput): Promise<Page> {
  const t = scope.tenant.tenant_id;
  const after = decodeCursor(input.cursor);
  const { rows } = await scope.tx((tx) =>
    sql<{
      campanha_id: string;
      chave: string;
      modo: string;
      status: string;
      template_whatsapp: string;
      template_email: string;
      alvo: unknown;
      created_at: Date;
      concluida_em: Date | null;
      total: number;
      ritmo_por_segundo: string | null;
      contagens: Record<string, number> | string | null;
    }>`
      select c.campanha_id, c.chave, c.modo, c.status, c.template_whatsapp, c.template_email, c.alvo, c.created_at,
        c.concluida_em, c.total, c.ritmo_por_segundo,
        (select jsonb_object_agg(status, n) from (select status, count(*)::int as n from disparos d
           where d.tenant_id = c.tenant_id and d.campanha_id = c.campanha_id group by status) s) as contagens
      from campanhas c
      where c.tenant_id = ${t}
        ${pastCursor(after, 'c.created_at', 'c.campanha_id', '<')}
      order by c.created_at desc, c.campanha_id desc
      limit ${input.limit + 1}`.execute(tx),
  );
  return page(
    rows,
    input.limit,
    (r) => [iso(r.created_at), r.campanha_id],
    (r) => ({
      campaign_id: r.campanha_id,
      key: r.chave,
      mode: r.modo,
      status: r.status,
      template: `${r.template_whatsapp} / ${r.template_email}`,
      filter: targetLabel(r.alvo),
      created_at: iso(r.created_at),
      completed_at: iso(r.concluida_em),
      total: r.total,
      counts: (typeof r.contagens === 'string' ? JSON.parse(r.contagens) : r.contagens) ?? {},
      pace: r.ritmo_por_segundo === null ? null : Number(r.ritmo_por_segundo),
    }),
  );
}

/** A campaign's target in a few words: "12 lead_ids" or its filter. */
function targetLabel(alvo: unknown): string {
  const a = (typeof alvo === 'string' ? JSON.parse(alvo) : alvo) as {
    leadIds?: string[];
    filter?: Record<string, unknown>;
    limit?: number;
  };
  if (a?.leadIds) return `${a.leadIds.length} lead_ids`;
  const f = Object.entries(a?.filter ?? {}).filter(([, v]) => v !== undefined && v !== null);
  return `filter {${f.map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(',') : String(v)}`).join('; ')}} limit ${a?.limit ?? '-'}`;
}

/**
 * Inbound messages a person should handle, newest first, with why: a question nobody answered, interest
 * with no meeting or message since, a sender several leads share, an unknown sender.
 */
export async function inboundAttention(scope: Scope, input: ReportInput): Promise<Page> {
  const t = scope.tenant.tenant_id;
  const after = decodeCursor(input.cursor);
  const since = (x: ReturnType<typeof sql>) => sql`not exists (${x})`;
  const answered = sql`select 1 from disparos d where d.tenant_id = m.tenant_id and d.lead_id = m.lead_id
      and d.status = 'enviado' and d.enviado_em > m.recebida_em`;
  const booked = sql`select 1 from agendamentos a where a.tenant_id = m.tenant_id and a.lead_id = m.lead_id
      and a.created_at >= m.recebida_em`;
  const why = sql<string | null>`case
      when m.atribuicao = 'ambigua' then 'remetente_compartilhado'
      when m.lead_id is null then 'remetente_desconhecido'
      when ${since(answered)} and ${since(booked)} then case m.classe
        when 'pergunta' then 'pergunta_sem_resposta' when 'interesse' then 'interesse_sem_reuniao' end
    end`;
  const { rows } = await scope.tx((tx) =>
    sql<{
      mensagem_id: string;
      recebida_em: Date;
      canal: string;
      classe: string;
      lead_id: string | null;
      nome: string | null;
      texto: string;
      motivo: string;
    }>`
      select * from (
        select m.mensagem_id, m.recebida_em, m.canal, m.classe, m.lead_id, l.nome, m.texto, ${why} as motivo
        from mensagens_recebidas m left join leads l on l.tenant_id = m.tenant_id and l.lead_id = m.lead_id
        where m.tenant_id = ${t} and m.classe <> 'opt_out'
          ${pastCursor(after, 'm.recebida_em', 'm.mensagem_id', '<')}
      ) x where motivo is not null
      order by recebida_em desc, mensagem_id desc
      limit ${input.limit + 1}`.execute(tx),
  );
  return page(
    rows,
    input.limit,
    (r) => [iso(r.recebida_em), r.mensagem_id],
    (r) => ({
      inbound_message_id: r.mensagem_id,
      received_at: iso(r.recebida_em),
      channel: r.canal,
      class: r.classe,
      reason: r.motivo,
      lead_id: r.lead_id,
      company: r.nome,
      text: r.texto.slice(0, 200),
    }),
  );
}

/**
 * Meetings by start, oldest first: of a day (`from` as YYYY-MM-DD, Brasília time; "o que tenho amanhã?"),
 * a period, or from now on; optionally of one status.
 */
export async function meetingsList(scope: Scope, input: ReportInput): Promise<Page> {
  const t = scope.tenant.tenant_id;
  if (input.status && !(AGENDAMENTO_STATUSES as readonly string[]).includes(input.status))
    throw new AppError(
      'invalid_argument',
      `status "${input.status}" is not one of ${AGENDAMENTO_STATUSES.join(', ')}.`,
    );
  const now = scope.clock.now();
  const from =
    parseBound(input.from, 'from') ?? zonedTimeToUtc(localParts(now, REPORT_ZONE).date, '00:00', REPORT_ZONE);
  // A single day given as from: that day only.
  const oneDay = input.from && !input.to && /^\d{4}-\d{2}-\d{2}$/.test(input.from);
  const to =
    parseBound(input.to, 'to') ??
    (oneDay
      ? zonedTimeToUtc(addDays(input.from!, 1), '00:00', REPORT_ZONE)
      : new Date(from.getTime() + 366 * 86_400_000));
  const after = decodeCursor(input.cursor);
  const { rows } = await scope.tx((tx) =>
    sql<{ agendamento_id: string; inicio: Date; timezone: string; status: string; lead_id: string; nome: string }>`
      select a.agendamento_id, a.inicio, a.timezone, a.status, a.lead_id, l.nome
      from agendamentos a join leads l on l.tenant_id = a.tenant_id and l.lead_id = a.lead_id
      where a.tenant_id = ${t} and a.inicio >= ${from} and a.inicio < ${to}
        ${input.status ? sql`and a.status = ${input.status}` : sql``}
        ${pastCursor(after, 'a.inicio', 'a.agendamento_id', '>')}
      order by a.inicio, a.agendamento_id
      limit ${input.limit + 1}`.execute(tx),
  );
  return page(
    rows,
    input.limit,
    (r) => [iso(r.inicio), r.agendamento_id],
    (r) => ({
      agendamento_id: r.agendamento_id,
      start: toZonedIso(new Date(r.inicio), r.timezone),
      time_zone: r.timezone,
      status: r.status,
      lead_id: r.lead_id,
      company: r.nome,
    }),
  );
}
