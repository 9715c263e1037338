import type pLimit from 'p-limit';
import { coreMetrics } from '../metrics.js';
import type { Clock, Logger } from '../ports.js';
import type { Claimed, Outcome } from './outcome.js';

// How late after its slot a send may still go. Slots are spaced 3% wider than 1/R (rate-limit.ts), so
// R+1 slots span 1.03 s: sends within 15 ms of their slots keep every 1-second window at or below R,
// with 15 ms to spare for the downstream's own jitter.
export const SLOT_TOLERANCE_MS = 15;

/** The slots a reservation granted: the first at `first`, the next ones every intervalMs (0: all now). */
export interface Slots {
  first: Date;
  intervalMs: number;
}

export interface Pacer {
  clock: Clock;
  logger: Logger;
  /** Downstream calls in flight (p-limit). */
  limit: ReturnType<typeof pLimit>;
  /** Aborted when the executor stops: rows whose call has not started are handed back at once. */
  stop?: AbortSignal;
}

/**
 * Sends a claimed batch at its slots: each row not stopped by the pre-send check waits for its slot
 * (timers), then goes through `send` within the concurrency limit. A row that missed its slot by more
 * than SLOT_TOLERANCE_MS (a slow connect, an event-loop stall) is handed back unsent, due at once,
 * instead of going out late: late sends would bunch up and break the pace.
 *
 * When `stop` aborts (a graceful stop), rows still waiting for their slot or for the limiter are handed
 * back the same way (their lease released, the attempt not counted); calls already made go on.
 *
 * Slot times are on the injected clock's timeline (the reservation was made at clock.now()), so the
 * waits are measured against clock.now() too: with the system clock that is wall time; a test's fixed
 * clock makes every wait the slot's offset from the reservation.
 */
export function sendAtSlots(
  rows: readonly Claimed[],
  stops: ReadonlyMap<string, Outcome>,
  slots: Slots,
  pacer: Pacer,
  send: (r: Claimed) => Promise<Outcome>,
): Promise<Outcome[]> {
  const { clock, logger, limit } = pacer;
  const halt = pacer.stop;
  const handBack = (r: Claimed, motivo: string, reason: 'slot_missed' | 'stopping'): Outcome => {
    coreMetrics().handedBack(r.canal, reason);
    return { disparo_id: r.disparo_id, status: 'pendente', motivo, proxima: clock.now(), devolvido: true };
  };
  let slot = 0;
  return Promise.all(
    rows.map(async (r): Promise<Outcome> => {
      const stop = stops.get(r.disparo_id);
      if (stop) return stop;
      const at = slots.first.getTime() + slot++ * slots.intervalMs;
      await sleep(at - clock.now().getTime(), halt);
      return limit(async () => {
        if (halt?.aborted) return handBack(r, 'executor encerrado antes do envio; devolvido à fila', 'stopping');
        const late = clock.now().getTime() - at;
        if (slots.intervalMs > 0 && late > SLOT_TOLERANCE_MS) {
          logger.debug({ late_ms: late }, 'slot missed, handed back');
          return handBack(r, 'horário de envio perdido; reagendado', 'slot_missed');
        }
        return send(r);
      });
    }),
  );
}

/** Sleeps ms, or until the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
