import type { ErrorClass, SendChannel } from './model/index.js';

/**
 * Port: what core counts for the process's metrics (src/metrics implements it with prom-client, set
 * once by the composition root). Core calls these where things happen; by default they do nothing, so
 * tests and one-shot commands pay nothing. Arguments are closed sets and numbers — never personal data.
 */
export interface CoreMetrics {
  /** A claimed row's outcome, as recorded (after its transaction committed). */
  sendRecorded(channel: SendChannel, status: string, errorClass: ErrorClass | null): void;
  /** One downstream send call's duration. */
  sendDuration(channel: SendChannel, ms: number): void;
  /** A claimed row handed back without a call: its slot was missed, or the executor was stopping. */
  handedBack(channel: SendChannel, reason: 'slot_missed' | 'stopping'): void;
  /** A slot reservation: how long until its first slot, and how many slots it granted. */
  slotsReserved(channel: SendChannel, waitMs: number, granted: number): void;
  /** An import ended (concluido or falhou) after reading `rows` rows in `ms`. */
  importFinished(status: 'concluido' | 'falhou', rows: number, ms: number): void;
  /** Inbound items processed, by result (messages, duplicates, statuses_applied, refused, opt_outs). */
  inboundProcessed(result: string, n: number): void;
  /** A fresh count of a channel's distinct recipients in the rolling 24 h against its tier (dispatch/rate-limit.ts). */
  tierBudget(channel: SendChannel, used: number, limit: number): void;
}

const noop: CoreMetrics = {
  sendRecorded() {},
  sendDuration() {},
  handedBack() {},
  slotsReserved() {},
  importFinished() {},
  inboundProcessed() {},
  tierBudget() {},
};

let current: CoreMetrics = noop;

/** The metrics core reports to (no-op until the composition root sets one). */
export function coreMetrics(): CoreMetrics {
  return current;
}

/** Set by the composition root (src/metrics/wire.ts); null puts the no-op back. */
export function setCoreMetrics(m: CoreMetrics | null): void {
  current = m ?? noop;
}
