import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { isDeferral } from '../model/index.js';
import type { CampaignReport, FunnelCounts, ReportTimelinePoint } from '../model/report.js';
import type { Scope } from '../scope.js';
import { parseBound, type ReportInput } from './input.js';

/**
 * The funnel counted from events (the outbox, eventos_saida), not from current status: a lead who
 * replied and then booked counts in both. Scoped by campaign and/or template: the scope's disparos,
 * their leads (replies and opt-outs from the lead's first message in scope on) and those leads'
 * meetings; else the tenant's events of the period. Counts are distinct disparos (queued … failed),
 * distinct leads (replied, by class, opted out) and distinct meetings (booked … cancelled).
 */
const FUNNEL_TYPES = {
  'disparo.queued': 'queued',
  'disparo.sent': 'sent',
  'disparo.delivered': 'delivered',
  'disparo.read': 'read',
  'disparo.failed': 'failed',
  'lead.replied': 'replied',
  'lead.opted_out': 'opted_out',
  'meeting.booked': 'booked',
  'meeting.confirmed': 'confirmed',
  'meeting.held': 'held',
  'meeting.no_show': 'no_show',
  'meeting.cancelled': 'cancelled',
} as const;
type Kind = (typeof FUNNEL_TYPES)[keyof typeof FUNNEL_TYPES];
const P = 'br.com.alquimista.';
const TYPES = Object.keys(FUNNEL_TYPES).map((t) => P + t);
const DISPARO_TYPES = TYPES.filter((t) => t.startsWith(`${P}disparo.`));
const LEAD_TYPES = [`${P}lead.replied`, `${P}lead.opted_out`];
const MEETING_TYPES = TYPES.filter((t) => t.startsWith(`${P}meeting.`));
/** Bucket sizes (s) for the timeline: the smallest that keeps it ≤ 120 points. */
const BUCKETS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800];
const MAX_POINTS = 120;

interface Campaign {
  campanha_id: string;
  chave: string;
  modo: string;
  created_at: Date | string;
  ritmo_por_segundo: string | number | null;
  resumo: unknown;
  dry_run_lote_id: string | null;
}

export async function funnelReport(scope: Scope, input: ReportInput): Promise<CampaignReport> {
  const t = scope.tenant.tenant_id;
  return scope.tx(async (tx) => {
    const campaign = input.campaign_id ? await campaignOrThrow(tx, t, input.campaign_id) : null;
    const to = parseBound(input.to, 'to') ?? (await nowOf(tx, scope.clock.now()));
    const from =
      parseBound(input.from, 'from') ??
      (campaign ? new Date(campaign.created_at) : new Date(to.getTime() - 30 * 86_400_000));
    if (from >= to) throw new AppError('invalid_argument', `from (${from.toISOString()}) must be before to.`);
    const f: Filters = { t, campaignId: campaign?.campanha_id ?? null, template: input.template ?? null };
    const facts = factsSql({ ...f, channel: input.channel ?? null, from, to });
    const span = (to.getTime() - from.getTime()) / 1000;
    const bucket = BUCKETS.find((b) => span / b <= MAX_POINTS) ?? Math.ceil(span / MAX_POINTS);
    const [counts, timeline] = await Promise.all([countFacts(tx, facts), timelineOf(tx, facts, from, to, bucket)]);
    return {
      scope: {
        campaign_id: campaign?.campanha_id ?? null,
        campaign_key: campaign?.chave ?? null,
        template: input.template ?? null,
        channel: input.channel ?? null,
        from: from.toISOString(),
        to: to.toISOString(),
      },
      ...counts,
      bucket_seconds: bucket,
      timeline,
      pace_per_second: campaign?.ritmo_por_segundo == null ? null : Number(campaign.ritmo_por_segundo),
      blocked_by_reason: campaign ? blockedOf(campaign) : {},
    };
  });
}

/** Now: the later of the clock's and the database's (events are stamped by the database). */
async function nowOf(tx: Tx, clock: Date): Promise<Date> {
  const { rows } = await sql<{ agora: Date | string }>`select now() as agora`.execute(tx);
  const db = new Date(rows[0].agora);
  return new Date(Math.max(clock.getTime(), db.getTime() + 1));
}

export async function campaignOrThrow(tx: Tx, t: string, id: string): Promise<Campaign> {
  const c = await tx
    .selectFrom('campanhas')
    .select(['campanha_id', 'chave', 'modo', 'created_at', 'ritmo_por_segundo', 'resumo', 'dry_run_lote_id'])
    .where('tenant_id', '=', t)
    .where('campanha_id', '=', id)
    .executeTakeFirst();
  if (!c) throw new AppError('not_found', `No campaign ${id}: list them with get_report {view: "campaigns"}.`);
  return c as Campaign;
}

/** A real campaign keeps its blocked counts in resumo.bloqueados; a dry run its decisions' codes (not deferrals). */
function blockedOf(c: Campaign): Record<string, number> {
  const r = (typeof c.resumo === 'string' ? JSON.parse(c.resumo) : c.resumo) as Record<string, unknown> | null;
  const codes = (c.modo === 'real' ? r?.bloqueados : r?.dry_run) as Record<string, number> | undefined;
  return Object.fromEntries(Object.entries(codes ?? {}).filter(([code]) => !isDeferral(code)));
}

interface Filters {
  t: string;
  campaignId: string | null;
  template: string | null;
}

/** One row per counted event: kind (type without prefix), channel, detail (class, failure code), key, time. */
function factsSql(f: Filters & { channel: string | null; from: Date; to: Date }): RawBuilder<unknown> {
  const inPeriod = sql`e.ocorrido_em >= ${f.from} and e.ocorrido_em < ${f.to}`;
  const kind = sql`substr(e.tipo, ${P.length + 1})`;
  const detail = sql`coalesce(e.dados->>'classe', e.dados->>'codigo', e.dados->>'erro_classe')`;
  if (!f.campaignId && !f.template) {
    const channel = f.channel ? sql`and e.dados->>'canal' = ${f.channel}` : sql``;
    return sql`select ${kind} as kind, e.dados->>'canal' as canal, ${detail} as detalhe, e.assunto as chave,
        e.ocorrido_em as em
      from eventos_saida e
      where e.tenant_id = ${f.t} and ${inPeriod} and e.tipo = any(${TYPES}::text[]) ${channel}`;
  }
  const d = [
    sql`d.tenant_id = ${f.t}`,
    f.campaignId ? sql`d.campanha_id = ${f.campaignId}` : null,
    f.template ? sql`d.template = ${f.template}` : null,
    f.channel ? sql`d.canal = ${f.channel}` : null,
  ].filter((x) => x !== null);
  return sql`with d as (
      select d.disparo_id, d.lead_id, d.canal, d.created_at from disparos d where ${sql.join(d, sql` and `)}
    ), l as (
      select lead_id, (array_agg(canal order by created_at))[1] as canal, min(created_at) as desde from d group by lead_id
    ), a as (
      select ag.agendamento_id, l.canal, l.desde from agendamentos ag join l on ag.lead_id = l.lead_id
      where ag.tenant_id = ${f.t}
    )
    select ${kind} as kind, d.canal, ${detail} as detalhe, e.assunto as chave, e.ocorrido_em as em
    from d join eventos_saida e on e.tenant_id = ${f.t} and e.assunto = d.disparo_id
    where e.tipo = any(${DISPARO_TYPES}::text[]) and ${inPeriod}
    union all
    select ${kind}, coalesce(e.dados->>'canal', l.canal), ${detail}, e.assunto, e.ocorrido_em
    from l join eventos_saida e on e.tenant_id = ${f.t} and e.assunto = l.lead_id
    where e.tipo = any(${LEAD_TYPES}::text[]) and ${inPeriod} and e.ocorrido_em >= l.desde
      ${f.channel ? sql`and coalesce(e.dados->>'canal', l.canal) = ${f.channel}` : sql``}
    union all
    select ${kind}, a.canal, null, e.assunto, e.ocorrido_em
    from a join eventos_saida e on e.tenant_id = ${f.t} and e.assunto = a.agendamento_id
    where e.tipo = any(${MEETING_TYPES}::text[]) and ${inPeriod} and e.ocorrido_em >= a.desde`;
}

export const emptyCounts = (): FunnelCounts => ({
  queued: 0,
  sent: 0,
  delivered: 0,
  read: 0,
  failed: 0,
  replied: 0,
  replied_by_class: {},
  opted_out: 0,
  meetings: { booked: 0, confirmed: 0, held: 0, no_show: 0, cancelled: 0 },
  failed_by_reason: {},
});

/** Distinct keys per kind, per kind × detail, and the same per channel (grouping sets: one scan). */
async function countFacts(tx: Tx, facts: RawBuilder<unknown>) {
  const { rows } = await sql<{ kind: string; canal: string | null; detalhe: string | null; g: number; n: number }>`
    with f as (${facts})
    select kind, canal, detalhe, grouping(canal, detalhe)::int as g, count(distinct chave)::int as n
    from f group by grouping sets ((kind, canal, detalhe), (kind, canal), (kind, detalhe), (kind))`.execute(tx);
  const funnel = emptyCounts();
  const byChannel: Record<string, FunnelCounts> = {};
  for (const r of rows) {
    const kind = FUNNEL_TYPES[r.kind as keyof typeof FUNNEL_TYPES];
    if (!kind) continue;
    const perChannel = r.g === 0 || r.g === 1;
    if (perChannel && r.canal === null) continue;
    const c = perChannel ? (byChannel[r.canal!] ??= emptyCounts()) : funnel;
    if (r.g === 1 || r.g === 3) add(c, kind, r.n);
    else if (kind === 'replied') c.replied_by_class[r.detalhe ?? 'outro'] = r.n;
    else if (kind === 'failed') c.failed_by_reason[r.detalhe ?? 'desconhecido'] = r.n;
  }
  return { funnel, by_channel: byChannel };
}

function add(c: FunnelCounts, kind: Kind, n: number): void {
  if (kind in c.meetings) c.meetings[kind as keyof FunnelCounts['meetings']] = n;
  else (c as unknown as Record<string, number>)[kind] = n;
}

/** Sends, deliveries, failures and replies per bucket, every bucket of the period (zeros included). */
async function timelineOf(
  tx: Tx,
  facts: RawBuilder<unknown>,
  from: Date,
  to: Date,
  bucket: number,
): Promise<ReportTimelinePoint[]> {
  const { rows } = await sql<{ b: string; kind: string; n: number }>`
    with f as (${facts})
    select floor(extract(epoch from em) / ${bucket})::bigint::text as b, kind, count(*)::int as n
    from f where kind in ('disparo.sent', 'disparo.delivered', 'disparo.failed', 'lead.replied')
    group by 1, 2`.execute(tx);
  const first = Math.floor(from.getTime() / 1000 / bucket);
  const last = Math.floor((to.getTime() - 1) / 1000 / bucket);
  const points = new Map<number, ReportTimelinePoint>();
  for (let b = first; b <= last; b++) {
    points.set(b, { at: new Date(b * bucket * 1000).toISOString(), sent: 0, delivered: 0, failed: 0, replied: 0 });
  }
  for (const r of rows) {
    const p = points.get(Number(r.b));
    const key = FUNNEL_TYPES[r.kind as keyof typeof FUNNEL_TYPES] as 'sent' | 'delivered' | 'failed' | 'replied';
    if (p) p[key] += r.n;
  }
  return [...points.values()];
}
