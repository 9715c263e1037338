import type { Kysely } from 'kysely';
import { emptySummary, pollSource, type InboxSource, type PollSummary } from '../core/inbound/poll.js';
import type { Clock, Logger } from '../core/ports.js';
import type { Database } from '../db/schema.js';

export interface PollerOptions {
  db: Kysely<Database>;
  tenantId: string;
  /** The sources to poll (asked each round: a channel that verified late joins then). */
  sources: () => InboxSource[];
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** Wait before the first round (default 0; a process gives its channels time to verify). */
  firstDelayMs?: number;
  /** Called after a round that stored new events (the inbound processor takes them from there). */
  onStored?: (tenantId: string) => void;
}

/** The poll interval from AGENTE_INBOX_POLL_SECONDS (default 60; 0 switches polling off), in ms. */
export function pollIntervalMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.AGENTE_INBOX_POLL_SECONDS?.trim();
  const s = raw === undefined || raw === '' ? 60 : Number(raw);
  if (!Number.isFinite(s) || s < 0 || s > 86_400)
    throw new Error(`AGENTE_INBOX_POLL_SECONDS must be a number of seconds between 0 and 86400, got "${raw}"`);
  return s * 1000;
}

/**
 * Polls every inbox / status source of one tenant (core/inbound/poll.ts) now and then every
 * intervalMs, one round at a time; sources are polled one after the other, and one that fails is
 * logged (without personal data) and tried again next round.
 */
export class InboxPoller {
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<PollSummary[]> | null = null;
  private stopped = false;

  constructor(private readonly o: PollerOptions) {}

  start(): this {
    const tick = () => {
      if (this.stopped) return;
      void this.pollAll().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs);
      });
    };
    if (this.o.firstDelayMs) this.timer = setTimeout(tick, this.o.firstDelayMs);
    else tick();
    return this;
  }

  /** One round over every source (joins a round already running). */
  pollAll(): Promise<PollSummary[]> {
    this.round ??= this.runRound().finally(() => (this.round = null));
    return this.round;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round?.catch(() => {});
  }

  private async runRound(): Promise<PollSummary[]> {
    const out: PollSummary[] = [];
    for (const source of this.o.sources()) {
      if (this.stopped) break;
      try {
        const s = await pollSource(this.o.db, this.o.tenantId, source, this.o.clock.now());
        out.push(s);
        if (s.error) this.o.logger.warn({ origin: s.origin, err: { message: s.error } }, 'inbox poll failed');
        else if (s.stored) this.o.logger.info({ origin: s.origin, stored: s.stored }, 'inbox poll stored events');
      } catch (err) {
        this.o.logger.warn({ origin: source.origin, err: { message: (err as Error).message } }, 'inbox poll failed');
        out.push(emptySummary(source.origin, (err as Error).message));
      }
    }
    if (out.some((s) => s.stored > 0)) this.o.onStored?.(this.o.tenantId);
    return out;
  }
}
