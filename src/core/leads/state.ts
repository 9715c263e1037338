import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import type { LeadStatus } from './query.js';

/**
 * The lead state machine: from each status, where a lead may go. opt_out is terminal: a person who
 * asked not to be contacted is never moved out of it. Enforced in SQL with a conditional UPDATE, so
 * of two concurrent transitions from the same state only one can win.
 */
export const TRANSITIONS: Readonly<Record<LeadStatus, readonly LeadStatus[]>> = {
  // A meeting may be booked before any message (the lead called, or answered by phone): → agendado.
  novo: ['em_disparo', 'contatado', 'respondeu', 'agendado', 'sem_canal', 'opt_out', 'perdido', 'erro'],
  em_disparo: ['contatado', 'novo', 'sem_canal', 'respondeu', 'agendado', 'opt_out', 'erro'],
  contatado: ['em_disparo', 'respondeu', 'agendado', 'opt_out', 'perdido'],
  respondeu: ['em_disparo', 'contatado', 'agendado', 'opt_out', 'perdido'],
  agendado: ['confirmado', 'realizado', 'respondeu', 'opt_out', 'perdido'],
  confirmado: ['agendado', 'realizado', 'respondeu', 'opt_out', 'perdido'],
  realizado: ['agendado', 'opt_out', 'perdido'],
  sem_canal: ['novo', 'agendado', 'opt_out', 'perdido'],
  erro: ['novo', 'em_disparo', 'opt_out', 'perdido'],
  perdido: ['novo', 'opt_out'],
  opt_out: [],
};

export const canTransition = (from: LeadStatus, to: LeadStatus) => TRANSITIONS[from]?.includes(to) ?? false;

/** Statuses a lead may move to `to` from. */
export const sourcesOf = (to: LeadStatus): LeadStatus[] =>
  (Object.keys(TRANSITIONS) as LeadStatus[]).filter((from) => TRANSITIONS[from].includes(to));

export interface TransitionRequest {
  leadId: string;
  to: LeadStatus;
  motivo: string;
  ator: string;
  /** Only move if the lead is in one of these (default: every status that may go to `to`). */
  from?: LeadStatus[];
}

/**
 * Moves one lead, records the event, and returns the previous status. An illegal move is an AppError
 * that says which moves are possible; a missing lead is not_found.
 */
export async function transitionLead(tx: Tx, tenantId: string, r: TransitionRequest): Promise<LeadStatus> {
  const allowed = (r.from ?? sourcesOf(r.to)).filter((f) => canTransition(f, r.to));
  const res = allowed.length
    ? await sql<{ anterior: LeadStatus }>`
        update leads l set status = ${r.to}, updated_at = now()
        from (select lead_id, status as anterior from leads where tenant_id = ${tenantId} and lead_id = ${r.leadId} for update) old
        where l.lead_id = old.lead_id and l.tenant_id = ${tenantId} and old.anterior = any(${allowed}::text[])
        returning old.anterior`.execute(tx)
    : { rows: [] };
  const prev = res.rows[0]?.anterior;
  if (!prev) {
    const cur = await tx
      .selectFrom('leads')
      .select('status')
      .where('tenant_id', '=', tenantId)
      .where('lead_id', '=', r.leadId)
      .executeTakeFirst();
    if (!cur) throw new AppError('not_found', `Lead ${r.leadId} was not found for this tenant.`);
    const from = cur.status as LeadStatus;
    const options = TRANSITIONS[from];
    throw new AppError(
      'failed_precondition',
      `Illegal transition ${from} → ${r.to} for lead ${r.leadId}. ` +
        (options.length
          ? `From ${from} a lead can go to: ${options.join(', ')}.`
          : `${from} is terminal: the lead cannot be moved.`),
    );
  }
  await tx
    .insertInto('lead_eventos')
    .values({
      tenant_id: tenantId,
      lead_id: r.leadId,
      tipo: 'transicao',
      status_de: prev,
      status_para: r.to,
      motivo: r.motivo,
      ator: r.ator,
    })
    .execute();
  return prev;
}
