import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';

/**
 * The outbox of events for the orchestrator (migration 038). Every state change that matters writes
 * its event in its own transaction: the tables' statement-level triggers do it (so no code path can
 * forget, and a bulk statement writes its events with one insert … select). emit() is for a change
 * that has no row of its own to trigger on. The envelope is CloudEvents 1.0, built when read.
 * Until its transaction commits an event is staged in eventos_novos; one deferred trigger per transaction
 * moves the transaction's events into eventos_saida at commit, numbered (migration 055).
 */
export const EVENT_PREFIX = 'br.com.alquimista.';

/** Every event type written today (README "Events" says when and what data each carries). */
export const EVENT_TYPES = [
  'lead.status_changed',
  'lead.opted_out',
  'lead.replied',
  'disparo.queued',
  'disparo.sent',
  'disparo.delivered',
  'disparo.read',
  'disparo.failed',
  'disparo.uncertain',
  'disparo.blocked',
  'disparo.cancelled',
  'meeting.booked',
  'meeting.confirmed',
  'meeting.rescheduled',
  'meeting.cancelled',
  'meeting.reminded',
  'meeting.held',
  'meeting.no_show',
  'meeting.failed',
  'meeting.uncertain',
  'campaign.started',
  'campaign.paused',
  'campaign.resumed',
  'campaign.completed',
  'campaign.cancelled',
  'campaign.failed',
  'import.completed',
  'import.failed',
  'import.cancelled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A CloudEvents 1.0 event (structured mode), with the tenant's sequence number as an extension. */
export interface OutEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  /**
   * Per tenant, increasing in commit order, zero-padded to 19 digits (the CloudEvents sequence extension
   * orders lexicographically): the cursor to read after.
   */
  sequence: string;
  data: Record<string, unknown>;
}

/** Writes one event in the caller's transaction (ids only in data: no names, phones, e-mails, text). */
export async function emit(
  tx: Tx,
  tenantId: string,
  type: EventType,
  subject: string,
  data: Record<string, unknown>,
): Promise<void> {
  await tx
    .insertInto('eventos_saida')
    .values({ tenant_id: tenantId, tipo: EVENT_PREFIX + type, assunto: subject, dados: JSON.stringify(data) as never })
    .execute();
}

export const eventSource = (tenantSlug: string) => `/agente-disparo-agenda/${tenantSlug}`;

/**
 * The tenant's events after `after` (a sequence number; '0' from the start), oldest first, up to
 * `limit`. Only committed, numbered events are visible, and they become visible in sequence order,
 * so reading again after the last sequence returned never skips one.
 */
export async function readEvents(
  tx: Tx,
  tenant: { tenant_id: string; slug: string },
  after: string,
  limit: number,
  types?: readonly string[],
): Promise<OutEvent[]> {
  const only = types?.length ? sql`and tipo = any(${types.map((t) => EVENT_PREFIX + t)}::text[])` : sql``;
  const { rows } = await sql<{
    evento_id: string;
    seq: string;
    tipo: string;
    assunto: string;
    dados: unknown;
    em: string;
  }>`
    select evento_id, lpad(seq::text, 19, '0') as seq, tipo, assunto, dados,
           to_char(ocorrido_em at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as em
    from eventos_saida
    where tenant_id = ${tenant.tenant_id} and seq > ${after}::bigint ${only}
    order by seq
    limit ${limit}`.execute(tx);
  return rows.map((r) => cloudEvent(r, tenant.slug));
}

/** An outbox row (seq zero-padded, time as ISO text) as the CloudEvent every reader and deliverer hands on. */
export function cloudEvent(
  r: { evento_id: string; seq: string; tipo: string; assunto: string; dados: unknown; em: string },
  slug: string,
): OutEvent {
  return {
    specversion: '1.0',
    id: r.evento_id,
    source: eventSource(slug),
    type: r.tipo,
    subject: r.assunto,
    time: r.em,
    datacontenttype: 'application/json',
    sequence: r.seq,
    data: (typeof r.dados === 'string' ? JSON.parse(r.dados) : r.dados) as Record<string, unknown>,
  };
}
