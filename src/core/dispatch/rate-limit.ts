import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { coreMetrics } from '../metrics.js';
import { reachedSince, recentWindowStart } from './recent-sends.js';

export interface SlotGrant {
  /** How many sends may go. */
  granted: number;
  /** When the first may go; the next ones follow every intervalMs. */
  first: Date;
  intervalMs: number;
  /**
   * The distinct-recipient budget is spent (counted afresh): the slots are only for recipients already
   * reached in the rolling 24 h; the caller defers the others until the budget frees (limits.ts).
   */
  capped?: boolean;
  /** Our pair rate: the least time between two messages to one recipient (ms). */
  pairMs?: number;
  /** The distinct-recipient budget (rolling 24 h). */
  max?: number;
}

// Slots are spaced 3% wider than 1/R: with each send allowed a few ms late (executor), R+1 sends
// never fit in one second, and the run still averages 0.97 R.
const SPACING = 1.03;
// A campaign's pace (a person's "at most 5 per second") is counted where the messages arrive: wider
// slots (8%), so a receiver's scheduling jitter of up to ~80 ms cannot put pace + 1 in one second.
const CAMPAIGN_SPACING = 1.08;
const SLOT_LEAD_MS = 50;

/**
 * Reserves up to `want` send slots for a tenant × channel, under the row lock of its rate_limits row
 * (GCRA: tat is the next free slot). Slots are handed out at most `horizonMs` ahead, so a worker
 * never sits on a large reservation; every worker on the database shares the same pace — the channel's,
 * or the slowest pace of the tenant's running campaigns (start_dispatch `pace`) when lower.
 * Also applies the rolling 24 h cap on distinct recipients (counting each reserved send as new, and
 * counting afresh at most once a second): never exceeded, as every claim happens under the same lock.
 */
export async function reserveSlots(
  tx: Tx,
  tenantId: string,
  canal: 'whatsapp' | 'email',
  want: number,
  now: Date,
  horizonMs = 1000,
  leadMs = SLOT_LEAD_MS,
): Promise<SlotGrant> {
  const { grant, write } = await reserveSlotsUnwritten(tx, tenantId, canal, want, now, horizonMs, leadMs);
  await write.execute(tx);
  return grant;
}

/**
 * reserveSlots without its last statement: `write` (the rate_limits update that takes the slots) is
 * returned for the caller to run in the same transaction before anything else reads rate_limits —
 * the executor runs it inside its claim statement (sql/claim-due.ts), one round trip less while every
 * other worker of the tenant × channel waits for this row lock.
 */
export async function reserveSlotsUnwritten(
  tx: Tx,
  tenantId: string,
  canal: 'whatsapp' | 'email',
  want: number,
  now: Date,
  horizonMs = 1000,
  leadMs = SLOT_LEAD_MS,
): Promise<{ grant: SlotGrant; write: RawBuilder<unknown> }> {
  // The row exists after the first reservation: lock it with one statement. An `insert … on conflict do
  // nothing` before every reservation was a second statement that also waited for the lock holder's
  // commit (its update makes the conflict undecided until then): every worker waited there, then again
  // on the select. Inserted only when missing.
  let rows = await lockedLimits(tx, tenantId, canal);
  if (!rows.length) {
    await sql`
      insert into rate_limits (tenant_id, canal, tat) values (${tenantId}, ${canal}, ${now})
      on conflict do nothing`.execute(tx);
    rows = await lockedLimits(tx, tenantId, canal);
  }
  const { rate, max_dest } = rows[0];
  // No pace configured: every slot is now (interval 0); the distinct-recipient cap still applies.
  const intervalMs = rate ? (1000 / rate) * (rows[0].campaign_bound ? CAMPAIGN_SPACING : SPACING) : 0;
  // The first slot leaves time to claim and check the rows (leadMs, measured by the executor), so no
  // slot is already missed when the executor gets to it.
  // A slowed channel (a platform's rate limit, outreach/provider-actions.ts) has its next slot ahead even
  // without a pace: nothing before then.
  const start = Math.max(new Date(rows[0].tat).getTime(), now.getTime() + (rate ? leadMs : 0));
  const ahead = start > now.getTime() + leadMs + horizonMs;
  const room = rate ? Math.floor((now.getTime() + leadMs + horizonMs - start) / intervalMs) + 1 : ahead ? 0 : want;
  let granted = Math.max(0, Math.min(want, room));
  let counted = rows[0].counted;
  let countedAt = rows[0].counted_at ? new Date(rows[0].counted_at) : null;
  let fresh = false;
  if (granted > 0 && (!countedAt || now.getTime() - countedAt.getTime() > 1000)) {
    counted = await distinctRecipients(tx, tenantId, canal, now);
    countedAt = now;
    fresh = true;
    coreMetrics().tierBudget(canal, counted, max_dest);
  }
  // Spent by a fresh count (the bound may run ahead of the truth for up to a second: then wait).
  const capped = fresh && counted >= max_dest;
  // Capped: the slots go to recipients already counted (the caller defers the rest), none are new.
  if (!capped) granted = Math.max(0, Math.min(granted, max_dest - counted));
  const write = sql`
    update rate_limits set tat = ${new Date(start + Math.max(granted, 0) * intervalMs)},
      destinatarios_contados = ${capped ? counted : counted + granted}, contados_em = ${countedAt}
    where tenant_id = ${tenantId} and canal = ${canal}`;
  return {
    grant: { granted, first: new Date(start), intervalMs, capped, pairMs: rows[0].pair_ms, max: max_dest },
    write,
  };
}

interface LimitsRow {
  rate: number | null;
  campaign_bound: boolean;
  tat: Date;
  max_dest: number;
  counted: number;
  counted_at: Date | null;
  pair_ms: number;
}

/** The tenant × channel's rate_limits row (and the slowest running campaign's pace), locked for update. */
async function lockedLimits(tx: Tx, tenantId: string, canal: string): Promise<LimitsRow[]> {
  const { rows } = await sql<LimitsRow>`
    select least(por_segundo::float8, p.pace) as rate,
           p.pace is not null and p.pace < coalesce(por_segundo::float8, 'infinity'::float8) as campaign_bound,
           tat, max_destinatarios_24h as max_dest, destinatarios_contados as counted, contados_em as counted_at,
           par_intervalo_ms as pair_ms
    from rate_limits,
         (select min(c.ritmo_por_segundo)::float8 as pace from campanhas c
          where c.tenant_id = ${tenantId} and c.status = 'processando' and c.ritmo_por_segundo is not null) p
    where tenant_id = ${tenantId} and canal = ${canal} for update of rate_limits`.execute(tx);
  return rows;
}

/** Distinct recipients of a tenant × channel reached in the rolling 24 h that ends at `now`. */
export async function distinctRecipients(tx: Tx, tenantId: string, canal: string, now: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(distinct d.destino)::int as n from disparos d
    where d.tenant_id = ${tenantId} and d.canal = ${canal} and ${reachedSince('d', recentWindowStart(now))}`.execute(
    tx,
  );
  return rows[0].n;
}

/**
 * Sets a tenant × channel pace and distinct-recipient cap. A new row's next free slot (tat) is the
 * epoch, i.e. free now whatever the clock — not the database's now(), which a reservation made on the
 * application's clock (a test's, behind the wall) would have to wait for.
 */
export async function setRateLimit(
  tx: Tx,
  tenantId: string,
  canal: 'whatsapp' | 'email',
  porSegundo: number | null,
  maxDestinatarios24h?: number,
): Promise<void> {
  await sql`
    insert into rate_limits (tenant_id, canal, por_segundo, max_destinatarios_24h, tat)
    values (${tenantId}, ${canal}, ${porSegundo}, ${maxDestinatarios24h ?? 100_000}, 'epoch')
    on conflict (tenant_id, canal) do update set por_segundo = excluded.por_segundo
      ${maxDestinatarios24h ? sql`, max_destinatarios_24h = excluded.max_destinatarios_24h` : sql``}`.execute(tx);
}
