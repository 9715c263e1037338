import type { SendOutcome } from '../outreach/channel-port.js';
import { providerAction } from '../outreach/provider-codes.js';
import type { Claimed, Outcome } from './outcome.js';

/**
 * What a downstream answer means for the row, as a pure function of the claimed row, the answer and
 * whether the channel honours idempotency keys (time and jitter passed in):
 * - delivered → enviado;
 * - transitorio (rate limit, 5xx) → retry with backoff, or at the last attempt falhou — incerto when
 *   an earlier attempt's outcome was unknown (it may have been delivered: falhou would invite a re-send);
 * - desconhecido (timeout, crash mid-call) → the message may have left: retried only when the channel
 *   honours idempotency keys and attempts remain, else incerto;
 * - destino_invalido → falhou (the caller marks the destination invalid and falls back);
 * - politica → bloqueado.
 *
 * @example classify(row, { ok: false, errorClass: 'transitorio', error: '503', raw: null }, false, now, 0.5)
 * // { status: 'pendente', proxima: now + 1 s (attempt 1), motivo: 'erro transitório: nova tentativa agendada', … }
 */
export function classify(r: Claimed, o: SendOutcome, idempotent: boolean, now: Date, jitter: number): Outcome {
  if (o.ok)
    return { disparo_id: r.disparo_id, status: 'enviado', message_id: o.messageId, wa_id: o.waId ?? null, raw: o.raw };
  const base = {
    disparo_id: r.disparo_id,
    erro: o.error.slice(0, 1000),
    erro_classe: o.errorClass,
    raw: o.raw,
    codigo: o.providerCode ?? null,
  };
  const retryAt = new Date(now.getTime() + backoffMs(r.tentativas, jitter));
  // The refusal's finer reason and provider code, when the channel read one (e.g. " (bad_destination 21211)").
  const why = o.reason ? ` (${o.reason}${o.providerCode ? ` ${o.providerCode}` : ''})` : '';
  const lastAttempt = r.tentativas >= r.max_tentativas;
  // Held by Meta for ecosystem health (131049): again after 12, 24, 48 h (provider-codes.ts), then given up.
  const action = providerAction(o.providerCode);
  if (action?.kind === 'retry') {
    const delay = action.delaysH[r.tentativas - 1];
    return delay === undefined
      ? { ...base, status: 'falhou', motivo: `o provedor segurou a mensagem${why} ${r.tentativas} vezes: desistimos` }
      : {
          ...base,
          status: 'pendente',
          proxima: new Date(now.getTime() + delay * 3600_000),
          motivo: `o provedor segurou a mensagem${why}: nova tentativa em ${delay} h`,
        };
  }
  if (o.errorClass === 'transitorio') {
    if (!lastAttempt)
      return {
        ...base,
        status: 'pendente',
        proxima: retryAt,
        motivo: `erro transitório${why}: nova tentativa agendada`,
      };
    if (r.talvez_entregue)
      return {
        ...base,
        status: 'incerto',
        motivo:
          `resultado de uma tentativa anterior desconhecido e as seguintes falharam (${r.tentativas} tentativas): ` +
          'a mensagem pode ter sido entregue; verifique antes de reenviar',
      };
    return { ...base, status: 'falhou', motivo: `falhou após ${r.tentativas} tentativas` };
  }
  if (o.errorClass === 'desconhecido') {
    if (idempotent && !lastAttempt)
      return {
        ...base,
        talvez_entregue: true,
        status: 'pendente',
        proxima: retryAt,
        motivo: 'resultado desconhecido: reenvio seguro pela chave de idempotência',
      };
    return {
      ...base,
      talvez_entregue: true,
      status: 'incerto',
      motivo: idempotent
        ? `resultado desconhecido na última de ${r.tentativas} tentativas: verifique antes de reenviar`
        : 'resultado desconhecido e o canal não garante idempotência: verifique antes de reenviar',
    };
  }
  if (o.errorClass === 'destino_invalido')
    return { ...base, status: 'falhou', motivo: `destino inválido (falha permanente)${why}` };
  return { ...base, status: 'bloqueado', motivo: `recusado por política do canal${why}` };
}

/**
 * Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 5 min, times 0.5–1.5 (jitter in [0, 1)).
 * @example backoffMs(3, 0.5) // 4000
 */
export function backoffMs(attempt: number, jitter: number): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + jitter));
}
