/**
 * A lead's life: the status union, where each status may go, and which statuses receive outreach.
 * Every move of a lead's status — one lead or a whole campaign — is checked against TRANSITIONS
 * (core/leads/transition.ts); nothing else writes leads.status (test/unit/lead-moves-static.test.ts).
 */
export const LEAD_STATUSES = [
  'novo',
  'em_disparo',
  'contatado',
  'respondeu',
  'agendado',
  'confirmado',
  'realizado',
  'sem_canal',
  'opt_out',
  'perdido',
  'erro',
] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/**
 * From each status, where a lead may go. opt_out is terminal: a person who asked not to be contacted
 * is never moved out of it. Enforced in SQL with conditional UPDATEs, so of two concurrent moves from
 * the same state only one wins.
 */
export const LEAD_TRANSITIONS: Readonly<Record<LeadStatus, readonly LeadStatus[]>> = {
  // A meeting may be booked before any message (the lead called, or answered by phone): → agendado.
  novo: ['em_disparo', 'contatado', 'respondeu', 'agendado', 'sem_canal', 'opt_out', 'perdido', 'erro'],
  em_disparo: ['contatado', 'novo', 'sem_canal', 'respondeu', 'agendado', 'opt_out', 'erro'],
  contatado: ['em_disparo', 'respondeu', 'agendado', 'opt_out', 'perdido'],
  respondeu: ['em_disparo', 'contatado', 'agendado', 'opt_out', 'perdido'],
  // Cancelled or missed: back to where the lead was before the booking (novo, contatado or respondeu).
  agendado: ['confirmado', 'realizado', 'novo', 'contatado', 'respondeu', 'opt_out', 'perdido'],
  confirmado: ['agendado', 'realizado', 'novo', 'contatado', 'respondeu', 'opt_out', 'perdido'],
  realizado: ['agendado', 'opt_out', 'perdido'],
  // A lead without a channel gains one when a re-import merges a phone or e-mail into it (or it is
  // edited): it may then be queued (→ em_disparo). A message of an earlier disparo may also still
  // reach it — the fallback e-mail after a refused WhatsApp number (→ contatado).
  sem_canal: ['novo', 'em_disparo', 'contatado', 'agendado', 'opt_out', 'perdido'],
  // A failed send leaves the lead in erro; another of its messages (a fallback, a retry of another
  // disparo) may still be delivered afterwards (→ contatado).
  erro: ['novo', 'em_disparo', 'contatado', 'opt_out', 'perdido'],
  perdido: ['novo', 'opt_out'],
  opt_out: [],
};

/** A lead is created novo, or opt_out when the person is already on the suppression list. */
export const LEAD_INITIAL: readonly LeadStatus[] = ['novo', 'opt_out'];

export const canMoveLead = (from: LeadStatus, to: LeadStatus): boolean => LEAD_TRANSITIONS[from]?.includes(to) ?? false;

/** The statuses a lead may move to `to` from. */
export const leadSourcesOf = (to: LeadStatus): LeadStatus[] =>
  LEAD_STATUSES.filter((from) => LEAD_TRANSITIONS[from].includes(to));

/**
 * Statuses from which a lead may be queued for outreach (a campaign message, send_message): the one
 * definition, used by decisions, dry runs and enqueue. The others are in a conversation or a meeting
 * (their messages are replies, confirmations and reminders), already queued (em_disparo), or out.
 */
export const OUTREACH_ELIGIBLE: readonly LeadStatus[] = ['novo', 'contatado', 'sem_canal', 'erro'];

/**
 * Statuses in which a queued outreach message may still go, checked again right before the
 * downstream call: the eligible ones plus em_disparo, where enqueue moved the lead.
 */
export const OUTREACH_SENDABLE: readonly LeadStatus[] = [...OUTREACH_ELIGIBLE, 'em_disparo'];

/** A lead in one of these has a meeting that stands. */
export const LEAD_MEETING_STATUSES: readonly LeadStatus[] = ['agendado', 'confirmado'];

export const DOCUMENT_TYPES = ['cpf', 'cnpj'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const LEGAL_BASES = [
  'legitimo_interesse',
  'execucao_contrato',
  'consentimento',
  'protecao_credito',
  'obrigacao_legal',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const PHONE_TYPES = ['movel', 'fixo', 'toll_free', 'tarifado', 'desconhecido', 'invalido'] as const;
export type PhoneType = (typeof PHONE_TYPES)[number];

export const LEAD_EVENT_TYPES = ['transicao', 'importacao', 'mesclagem', 'nota', 'resposta', 'entrega'] as const;
export type LeadEventType = (typeof LEAD_EVENT_TYPES)[number];
