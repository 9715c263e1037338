/** An agendamento: a meeting with a lead, booked through the calendar channel. */
export const AGENDAMENTO_STATUSES = [
  'pendente',
  'agendado',
  'confirmado',
  'cancelado',
  'realizado',
  'nao_compareceu',
  'falhou',
  // The calendar call's outcome is unknown (timeout, crash): the event may exist, so the slot stays
  // blocked until someone checks the calendar and cancels or reschedules.
  'incerto',
] as const;
export type AgendamentoStatus = (typeof AGENDAMENTO_STATUSES)[number];

/** A meeting is inserted pendente (holding its slot) before the calendar is called. */
export const AGENDAMENTO_INITIAL: readonly AgendamentoStatus[] = ['pendente'];

/** Meetings that hold their slot: being booked, booked, confirmed, or possibly booked. */
export const AGENDAMENTO_ACTIVE: readonly AgendamentoStatus[] = ['pendente', 'agendado', 'confirmado', 'incerto'];

/** Meetings that stand (their confirmations and reminders may go). */
export const AGENDAMENTO_STANDING: readonly AgendamentoStatus[] = ['agendado', 'confirmado'];

/** What update_meeting may do to a meeting in each status (the state machine of a meeting). */
export const AGENDAMENTO_TRANSITIONS: Readonly<Record<AgendamentoStatus, readonly AgendamentoStatus[]>> = {
  pendente: ['agendado', 'falhou', 'incerto', 'cancelado'],
  // → incerto: a reschedule whose calendar call got no answer (timeout, crash): the event may already
  // show the new time, so the meeting keeps its old time in our records and is flagged until checked
  // (core/meetings/reschedule-meeting.ts). A reschedule that then succeeds makes it agendado again.
  agendado: ['confirmado', 'cancelado', 'realizado', 'nao_compareceu', 'agendado', 'incerto'],
  confirmado: ['agendado', 'cancelado', 'realizado', 'nao_compareceu', 'confirmado', 'incerto'],
  incerto: ['cancelado', 'agendado'],
  falhou: [],
  cancelado: [],
  realizado: [],
  nao_compareceu: [],
};
