import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError, notFound } from '../errors.js';
import { LEAD_TRANSITIONS, leadSourcesOf, type LeadStatus } from '../model/index.js';

export interface LeadMove {
  lead_id: string;
  from: LeadStatus;
}

export interface MoveOptions {
  /** Why, in pt-BR (lead_eventos.motivo). */
  reason: string;
  /** Who (actorLabel of the scope's actor). */
  actor: string;
  /**
   * Move only leads in these statuses (a narrower intent, e.g. only `confirmado` back to `agendado`).
   * Each must be a legal source of `to` (or `to` itself: those leads stay); asking for a move the table
   * forbids is a programming error.
   */
  from?: readonly LeadStatus[];
}

/**
 * The one way a lead's status changes: moves the given leads to `to` from whichever of their statuses
 * LEAD_TRANSITIONS allows (narrowed by `opts.from`), and writes one lead_eventos row per lead moved, in
 * one statement. Leads in any other status are left as they are (not an error: a campaign moves the
 * leads it can). Rows are locked first, so of two concurrent moves from the same status one wins.
 * Returns the leads moved with the status each came from.
 */
export async function transitionLeads(
  tx: Tx,
  tenantId: string,
  leadIds: readonly string[],
  to: LeadStatus,
  opts: MoveOptions,
): Promise<LeadMove[]> {
  const legal = leadSourcesOf(to);
  // A lead already in `to` stays (no move, no audit row); any other source must be legal.
  const asked = opts.from?.filter((f) => f !== to);
  const illegal = asked?.filter((f) => !legal.includes(f)) ?? [];
  if (illegal.length) throw new Error(`transitionLeads: ${illegal.join(', ')} → ${to} is not in LEAD_TRANSITIONS`);
  const from = asked ?? legal;
  const ids = [...new Set(leadIds)];
  if (!ids.length || !from.length) return [];
  const { rows } = await sql<LeadMove>`
    with old as (
      select lead_id, status from leads
      where tenant_id = ${tenantId} and lead_id = any(${ids}::uuid[]) and status = any(${from}::text[])
      for update
    ),
    moved as (
      update leads l set status = ${to}, updated_at = now() from old
      where l.lead_id = old.lead_id and l.tenant_id = ${tenantId}
      returning l.lead_id, old.status as de
    ),
    audit as (
      insert into lead_eventos (tenant_id, lead_id, tipo, status_de, status_para, motivo, ator)
      select ${tenantId}, lead_id, 'transicao', de, ${to}, ${opts.reason}, ${opts.actor} from moved
    )
    select lead_id, de as "from" from moved`.execute(tx);
  return rows;
}

/**
 * Moves one lead, or says why it cannot: a missing lead is not_found, an illegal move is an AppError
 * naming the moves that are possible. Returns the status the lead came from.
 */
export async function transitionLead(
  tx: Tx,
  tenantId: string,
  leadId: string,
  to: LeadStatus,
  opts: MoveOptions,
): Promise<LeadStatus> {
  const [moved] = await transitionLeads(tx, tenantId, [leadId], to, opts);
  if (moved) return moved.from;
  const cur = await tx
    .selectFrom('leads')
    .select('status')
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .executeTakeFirst();
  if (!cur) throw notFound('Lead', leadId);
  const options = LEAD_TRANSITIONS[cur.status];
  throw new AppError(
    'failed_precondition',
    `Illegal transition ${cur.status} → ${to} for lead ${leadId}. ` +
      (options.length
        ? `From ${cur.status} a lead can go to: ${options.join(', ')}.`
        : `${cur.status} is terminal: the lead cannot be moved.`),
  );
}
