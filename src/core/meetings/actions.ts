/**
 * What update_meeting may do to a meeting: each action moves it to one status, and AGENDAMENTO_TRANSITIONS
 * (core/model) says from which statuses that move is legal. The possible actions of a meeting are read
 * off that table, so the error a caller gets and the table cannot disagree.
 */
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { AGENDAMENTO_TRANSITIONS, type AgendamentoStatus } from '../model/index.js';
import type { MeetingRow } from './agendamento.js';
import { loadMeeting } from './sql/meetings.js';

export const MEETING_ACTIONS = ['confirm', 'cancel', 'reschedule', 'complete', 'no_show'] as const;
export type MeetingAction = (typeof MEETING_ACTIONS)[number];

/** The status each action moves a meeting to (reschedule: agendado again, to be confirmed anew). */
export const ACTION_TARGET: Readonly<Record<MeetingAction, AgendamentoStatus>> = {
  confirm: 'confirmado',
  cancel: 'cancelado',
  reschedule: 'agendado',
  complete: 'realizado',
  no_show: 'nao_compareceu',
};

const DONE: Readonly<Record<MeetingAction, string>> = {
  confirm: 'confirmed',
  cancel: 'cancelled',
  reschedule: 'rescheduled',
  complete: 'marked realizado',
  no_show: 'marked nao_compareceu',
};

/**
 * The actions the transition table allows from a status.
 *
 * @example possibleActions('incerto') // ['cancel', 'reschedule']
 */
export const possibleActions = (status: AgendamentoStatus): MeetingAction[] =>
  MEETING_ACTIONS.filter((a) => AGENDAMENTO_TRANSITIONS[status].includes(ACTION_TARGET[a]));

/** Throws a failed_precondition naming the possible actions when `action` is not one of them. */
export function assertAction(
  m: MeetingRow,
  action: MeetingAction,
): asserts m is MeetingRow & { status: AgendamentoStatus } {
  const status = m.status as AgendamentoStatus;
  const possible = possibleActions(status);
  if (possible.includes(action)) return;
  throw new AppError(
    'failed_precondition',
    `Agendamento ${m.agendamento_id} is ${status}: it cannot be ${DONE[action]}. ` +
      (possible.length
        ? `Possible actions: ${possible.join(', ')}.`
        : `${status} is final: no action is possible (schedule_meeting books a new one).`),
  );
}

/** The meeting, or a not_found a caller can act on. */
export async function meetingOrThrow(tx: Tx, tenantId: string, id: string, lock = false): Promise<MeetingRow> {
  const row = await loadMeeting(tx, tenantId, id, lock);
  if (!row)
    throw new AppError(
      'not_found',
      `Agendamento ${id} was not found for this tenant. Check the id (query_leads with the lead shows its meetings).`,
    );
  return row;
}
