import type { Logger } from '../core/ports.js';
import { stopping } from '../metrics/registry.js';

/**
 * Graceful stop (README "Stopping"): on SIGTERM or SIGINT a long-running command stops taking new
 * work, lets what is in flight finish up to AGENTE_STOP_DEADLINE_MS, and exits 0. A second signal
 * exits at once (code 130): leases left behind expire and are recovered by the other executors.
 */
export const DEFAULT_STOP_DEADLINE_MS = 20_000;

/** AGENTE_STOP_DEADLINE_MS: how long in-flight work may take after the signal (default 20 s). */
export function stopDeadlineMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.AGENTE_STOP_DEADLINE_MS?.trim();
  if (!raw) return DEFAULT_STOP_DEADLINE_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 600_000)
    throw new Error(
      `AGENTE_STOP_DEADLINE_MS must be whole milliseconds between 0 and 600000, got "${raw.slice(0, 20)}"`,
    );
  return n;
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits the process at once. */
export function untilStopped(logger?: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    let received = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (received) {
        process.stderr.write(`${sig} again: exiting without waiting\n`);
        process.exit(130);
      }
      received = true;
      stopping.set(1);
      logger?.info({ signal: sig }, 'stopping: no new work; waiting for what is in flight');
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
