/**
 * The statements on agendamentos the meeting use cases run: one statement per function, the tenant
 * and the time passed in. A status change goes through moveMeeting, which takes its source statuses
 * from AGENDAMENTO_TRANSITIONS.
 */
import { sql, type Updateable } from 'kysely';
import type { AgendamentosTable } from '../../../db/schema.js';
import type { Tx } from '../../../db/tenant.js';
import {
  AGENDAMENTO_ACTIVE,
  AGENDAMENTO_STANDING,
  AGENDAMENTO_STATUSES,
  AGENDAMENTO_TRANSITIONS,
  type AgendamentoStatus,
} from '../../model/index.js';
import type { MeetingRow } from '../agendamento.js';

/** One meeting of the tenant (locked for update when asked), or undefined. */
export async function loadMeeting(tx: Tx, tenantId: string, id: string, lock = false): Promise<MeetingRow | undefined> {
  const q = tx
    .selectFrom('agendamentos')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('agendamento_id', '=', id);
  return (await (lock ? q.forUpdate() : q).executeTakeFirst()) as MeetingRow | undefined;
}

export interface NewMeeting {
  tenant_id: string;
  lead_id: string;
  inicio: Date;
  fim: Date;
  timezone: string;
  titulo: string;
  descricao: string | null;
  local: string | null;
  organizador: string | null;
}

/** Inserts a meeting as pendente: it holds its slot while the calendar is called; `note` says so in erro. */
export async function insertPendingMeeting(tx: Tx, m: NewMeeting, note: string, now: Date): Promise<MeetingRow> {
  const row = await tx
    .insertInto('agendamentos')
    .values({ ...m, status: 'pendente', erro: note, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return row as MeetingRow;
}

type MeetingPatch = Omit<Updateable<AgendamentosTable>, 'status' | 'tenant_id' | 'agendamento_id' | 'updated_at'>;

/**
 * Moves a meeting to `to` (with the other columns of `patch`) if its status is one AGENDAMENTO_TRANSITIONS
 * lets move there — narrowed by `from` — in one conditional UPDATE, so of two concurrent moves one wins.
 * Returns the row after the move, or undefined when the meeting was in no such status.
 */
export async function moveMeeting(
  tx: Tx,
  tenantId: string,
  id: string,
  to: AgendamentoStatus,
  opts: { patch?: MeetingPatch; now: Date; from?: readonly AgendamentoStatus[] },
): Promise<MeetingRow | undefined> {
  const sources = AGENDAMENTO_STATUSES.filter((s) => AGENDAMENTO_TRANSITIONS[s].includes(to));
  const from = opts.from ? opts.from.filter((s) => sources.includes(s)) : sources;
  if (!from.length) return undefined;
  const row = await tx
    .updateTable('agendamentos')
    .set({ ...opts.patch, status: to, updated_at: opts.now })
    .where('tenant_id', '=', tenantId)
    .where('agendamento_id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
  return row as MeetingRow | undefined;
}

/** Changes a meeting's columns but not its status (a note in erro, the slot held by a reschedule). */
export async function patchMeeting(tx: Tx, tenantId: string, id: string, patch: MeetingPatch, now: Date) {
  await tx
    .updateTable('agendamentos')
    .set({ ...patch, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('agendamento_id', '=', id)
    .execute();
}

/**
 * Serialises the bookings of this lead and of this organiser (until the transaction ends), so two
 * concurrent requests cannot both pass the overlap check: the lead's row lock, then an advisory lock
 * on the organiser's agenda (null: the tenant's shared agenda).
 */
export async function lockBookingScope(tx: Tx, tenantId: string, leadId: string, organizer: string | null) {
  await sql`select 1 from leads where tenant_id = ${tenantId} and lead_id = ${leadId} for update`.execute(tx);
  await sql`select pg_advisory_xact_lock(hashtext(${`agenda:${tenantId}:${organizer ?? ''}`}))`.execute(tx);
}

/** Meetings of the lead or of the organiser that hold their slot and overlap [from, to). */
export async function activeMeetingsOverlapping(
  tx: Tx,
  tenantId: string,
  w: { leadId: string; organizer: string | null; from: Date; to: Date; exclude?: string },
) {
  return tx
    .selectFrom('agendamentos')
    .select(['agendamento_id', 'lead_id', 'inicio', 'fim', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', AGENDAMENTO_ACTIVE)
    .where('inicio', '<', w.to)
    .where('fim', '>', w.from)
    .where((eb) =>
      eb.or([
        eb('lead_id', '=', w.leadId),
        w.organizer === null ? eb('organizador', 'is', null) : eb('organizador', '=', w.organizer),
      ]),
    )
    .$if(!!w.exclude, (q) => q.where('agendamento_id', '<>', w.exclude!))
    .orderBy('inicio')
    .execute();
}

/** Whether the lead still has a meeting that stands (agendado or confirmado). */
export async function hasStandingMeeting(tx: Tx, tenantId: string, leadId: string): Promise<boolean> {
  const r = await tx
    .selectFrom('agendamentos')
    .select('agendamento_id')
    .where('tenant_id', '=', tenantId)
    .where('lead_id', '=', leadId)
    .where('status', 'in', AGENDAMENTO_STANDING)
    .executeTakeFirst();
  return !!r;
}
