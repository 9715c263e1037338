import { sql } from 'kysely';
import { z } from 'zod';
import { finalRead, prepared } from '../../db/prepared.js';
import type { Tx } from '../../db/tenant.js';
import type { SendChannel } from '../model/index.js';
import { reachedSince, recentWindowStart } from './recent-sends.js';
import { budgetFreesAt } from './sql/defer-over-budget.js';

/**
 * The platform's limits as they stand for one tenant × channel (get_status, job_status,
 * set_outreach_policy): throughput per second and how much of it the last second used; the rolling 24 h
 * distinct-recipient budget (the WhatsApp tier), how much is used and when its next recipient frees;
 * our pair rate; the slowest pace of a running campaign (start_dispatch `pace`).
 */
export const ChannelLimitsSchema = z
  .array(z.unknown())
  .describe('Per channel: per_second, sent_last_second, recipients_24h {used,max,frees_at}, pair_ms, campaign_pace');
/** The same, where get_status already described it (tools/list budget). */
export const ChannelLimitsRef = z.array(z.unknown()).describe('As get_status dispatch.limits');
export type ChannelLimits = {
  channel: SendChannel;
  per_second: number | null;
  sent_last_second: number;
  recipients_24h: { used: number; max: number; frees_at: string | null };
  pair_ms: number;
  campaign_pace: number | null;
};

/** Defaults of a channel nobody configured yet (migrations 013 and 041). */
const DEFAULTS = { per_second: 80, max: 100_000, pair_ms: 6500 };

/** One channel's row of the limits statement. */
interface LimitsRow {
  per_second: number | null;
  max: number | null;
  pair_ms: number | null;
  has_row: boolean;
  used: number;
  last_second: number;
  frees_at: Date | null;
  pace: number | null;
}

const CHANNELS = ['whatsapp', 'email'] as const;

/** One channel's limits as a select (the statement joins both channels' with union all). */
const channelLimitsSql = (tenantId: string, channel: SendChannel, now: Date, i: number) => sql<LimitsRow>`
  select ${sql.lit(i)} as i, r.por_segundo::float8 as per_second, r.max_destinatarios_24h as max,
         r.par_intervalo_ms as pair_ms, r.tenant_id is not null as has_row,
         (select count(distinct d.destino)::int from disparos d where d.tenant_id = ${tenantId}
            and d.canal = ${channel} and ${reachedSince('d', recentWindowStart(now))}) as used,
         (select count(*)::int from disparos d where d.tenant_id = ${tenantId} and d.canal = ${channel}
            and ${reachedSince('d', new Date(now.getTime() - 1000))}) as last_second,
         ${budgetFreesAt(tenantId, channel, now)} as frees_at,
         (select min(c.ritmo_por_segundo)::float8 from campanhas c where c.tenant_id = ${tenantId}
            and c.status = 'processando' and c.ritmo_por_segundo is not null) as pace
  from (select 1) one left join rate_limits r on r.tenant_id = ${tenantId} and r.canal = ${channel}`;

/**
 * Both channels' limits in one prepared statement (db/prepared.ts). `final`: the last statement of a
 * read-only transaction (get_status: begin, scope and this statement with its commit, one round trip).
 */
export async function dispatchLimits(
  tx: Tx,
  tenantId: string,
  now: Date,
  opts: { final?: boolean } = {},
): Promise<ChannelLimits[]> {
  const [w, e] = CHANNELS.map((ch, i) => channelLimitsSql(tenantId, ch, now, i));
  const q = sql<LimitsRow>`${w} union all ${e} order by i`;
  const { rows } = await prepared(opts.final ? finalRead(q) : q).execute(tx);
  return rows.map((r, i) => ({
    channel: CHANNELS[i]!,
    per_second: r.has_row ? r.per_second : DEFAULTS.per_second,
    sent_last_second: r.last_second,
    recipients_24h: {
      used: r.used,
      max: r.max ?? DEFAULTS.max,
      frees_at: r.frees_at ? new Date(r.frees_at).toISOString() : null,
    },
    pair_ms: r.pair_ms ?? DEFAULTS.pair_ms,
    campaign_pace: r.pace,
  }));
}

/** "whatsapp 80/s (3 in the last second), 1999/2000 recipients in 24 h, next frees 2026-…; email …". */
export function limitsLine(ls: ChannelLimits[]): string {
  return ls
    .map((l) => {
      const pace = l.per_second === null ? 'no pace' : `${l.per_second}/s`;
      const camp = l.campaign_pace !== null ? `, campaign pace ${l.campaign_pace}/s` : '';
      const r = l.recipients_24h;
      const frees = r.frees_at ? `, next frees ${r.frees_at}` : '';
      return `${l.channel} ${pace} (${l.sent_last_second} in the last second)${camp}, ${r.used}/${r.max} recipients in 24 h${frees}`;
    })
    .join('; ');
}
