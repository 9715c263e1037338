/**
 * A disparo: one message to one lead on one channel — the outbox row and the record of the send.
 * Every row ends in exactly one final status, with a reason.
 */
export const DISPARO_STATUSES = [
  'pendente',
  'adiado',
  'em_execucao',
  'enviado',
  'falhou',
  'bloqueado',
  'cancelado',
  'incerto',
] as const;
export type DisparoStatus = (typeof DISPARO_STATUSES)[number];

/**
 * Where a disparo may go. Rows are inserted pendente or adiado (deferred to the lead's send window).
 * An executor claims a queued row (em_execucao, under a lease) and writes its outcome: sent, a retry
 * (pendente), deferred by the last check (adiado), failed, blocked, cancelled (its meeting was), or
 * incerto (the outcome is unknown); an expired lease goes back to pendente or to incerto. A campaign's
 * pause parks queued rows as adiado, resume brings them back, cancel cancels them. Final states stay.
 */
export const DISPARO_TRANSITIONS: Readonly<Record<DisparoStatus, readonly DisparoStatus[]>> = {
  pendente: ['em_execucao', 'adiado', 'cancelado'],
  adiado: ['em_execucao', 'pendente', 'cancelado'],
  em_execucao: ['enviado', 'pendente', 'adiado', 'falhou', 'bloqueado', 'cancelado', 'incerto'],
  enviado: [],
  falhou: [],
  bloqueado: [],
  cancelado: [],
  incerto: [],
};

/** Queued now, or deferred to the lead's send window. */
export const DISPARO_INITIAL: readonly DisparoStatus[] = ['pendente', 'adiado'];

/** Waiting to be claimed by an executor (adiado: with a later proxima_tentativa_em). */
export const DISPARO_QUEUED: readonly DisparoStatus[] = ['pendente', 'adiado'];

/** Not final: queued or being sent. */
export const DISPARO_OPEN: readonly DisparoStatus[] = ['pendente', 'adiado', 'em_execucao'];

/** Final: nothing will happen to the row any more. */
export const DISPARO_FINAL: readonly DisparoStatus[] = ['enviado', 'falhou', 'bloqueado', 'cancelado', 'incerto'];

/**
 * A message that left, or may have left, towards the person: counted by the per-lead daily cap and by
 * the rolling 24 h distinct-recipient cap (see core/dispatch/recent-sends.ts for the one query).
 */
export const DISPARO_REACHED: readonly DisparoStatus[] = ['enviado', 'em_execucao', 'incerto'];

/**
 * Why a send failed, as the executor acts on it: transitorio → retry with backoff; destino_invalido →
 * mark the phone/e-mail invalid and fall back; politica → stop; desconhecido → the message may have
 * left (retry only with an idempotency key, else incerto).
 */
export const ERROR_CLASSES = ['transitorio', 'destino_invalido', 'politica', 'desconhecido'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];
