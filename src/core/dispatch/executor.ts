import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { withSystem, withTenant } from '../../db/tenant.js';
import { messageIdFor } from './message-id.js';
import {
  actorLabel,
  DEFAULT_LEASE_MS,
  DEFAULT_SEND_TIMEOUT_MS,
  systemActor,
  type SendChannel,
} from '../model/index.js';
import type { ChannelClient, SendPayload } from '../outreach/channel-port.js';
import { coreMetrics } from '../metrics.js';
import { sendsAsTemplate } from '../templates/approved.js';
import type { Clock, Logger } from '../ports.js';
import { completeCampaigns } from './campaigns.js';
import { classify } from './classify.js';
import type { Claimed, Outcome } from './outcome.js';
import { PolicyCache } from './policy-cache.js';
import { prescriptionCutoff } from '../outreach/policy.js';
import { preSendStops } from './pre-send-check.js';
import { reserveSlotsUnwritten } from './rate-limit.js';
import { recordBatch } from './record.js';
import { settledWithin } from './settled-within.js';
import { sendAtSlots, type Slots } from './send-at-slots.js';
import { analyzeGrownTables } from './sql/analyze-grown.js';
import { claimDue } from './sql/claim-due.js';
import { deferOverBudget } from './sql/defer-over-budget.js';
import { dueGroups } from './sql/due-groups.js';
import { expiredLeaseTenants } from './sql/expired-lease-tenants.js';
import { preSendFacts } from './sql/pre-send-facts.js';
import { recoverLeases } from './sql/recover-leases.js';

/** How often a paused executor (see ExecutorDeps.writeGuard) looks again. */
const PAUSED_RETRY_MS = 5000;
/** Expired leases (and finished campaigns) are looked for once a second of the clock, not on every tick. */
const HOUSEKEEPING_MS = 1000;

/** The write guard refused: nothing was claimed (its message is the guard's). */
class WritesPaused extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export interface ExecutorDeps {
  db: Kysely<Database>;
  channel: ChannelClient & { isIdempotent(canal: SendChannel): boolean };
  clock: Clock;
  logger: Logger;
  workerId: string;
  /** Rows claimed per reservation. */
  batchSize?: number;
  /** Downstream calls in flight per channel. */
  concurrency?: number;
  leaseMs?: number;
  idleMs?: number;
  sendTimeoutMs?: number;
  /**
   * Throws while this database must not take writes — PGlite with its disk nearly full
   * (db/disk-space.ts). The executor then claims nothing and retries every few seconds, so sending stops
   * together with the tools that write (an opt-out that cannot be recorded is not followed by a send
   * that can).
   */
  writeGuard?: () => Promise<void>;
  /** The domain of the Message-ID each e-mail gets (message-id.ts). */
  messageIdDomain?: string;
}

/**
 * Executes the disparos outbox. Any number of executors (threads of one server, or `worker`
 * processes on one PostgreSQL) share it: rows are claimed with FOR UPDATE SKIP LOCKED and a lease,
 * sends are paced by slots reserved in rate_limits, and every outcome is written only while the
 * lease is still ours (fencing). A lease that expires (the worker died mid-call) is retried when the
 * channel honours idempotency keys and becomes `incerto` otherwise — never silently re-sent.
 *
 * One round (tick): housekeeping (expired leases, finished campaigns), then per tenant × channel with
 * due rows: reserve slots (rate-limit.ts), claim that many rows (sql/claim-due.ts), check them again
 * (pre-send-check.ts), send each at its slot (send-at-slots.ts), classify each answer (classify.ts)
 * and record the batch with its lead moves and fallbacks (record.ts).
 */
export class Executor {
  private running = false;
  private loop: Promise<void> | null = null;
  /** Batches being sent: the loop reserves the next slots while these are still going out. */
  private readonly inflight = new Set<Promise<void>>();
  /** How long claiming and checking a batch takes (moving average, ms of real time): the first slot's lead. */
  private prepareMs = 25;
  private lastHousekeeping = 0;
  private readonly policies: PolicyCache;
  private readonly limit: ReturnType<typeof pLimit>;
  /** Who moves leads and writes audit rows: this executor. */
  private readonly actor: string;
  /** Campaigns whose rows this executor recorded since the last housekeeping round, by tenant. */
  private readonly touchedCampaigns = new Map<string, Set<string>>();
  private wake: (() => void) | null = null;
  /** Aborted by shutdown(): rows still waiting for their slot are handed back unsent. */
  private readonly stopping = new AbortController();
  /** Aborted when shutdown()'s deadline passes: downstream calls still in flight are cancelled (outcome unknown). */
  private readonly cancel = new AbortController();

  constructor(private readonly d: ExecutorDeps) {
    this.actor = actorLabel(systemActor(`executor:${d.workerId}`));
    // At least one batch wide: a row never waits in the limiter past its send slot.
    this.limit = pLimit(Math.max(d.concurrency ?? 256, d.batchSize ?? 200));
    this.policies = new PolicyCache(d.db);
    // Every row waiting for its slot and every call in flight listens to these: hundreds at a time.
    setMaxListeners(0, this.stopping.signal, this.cancel.signal);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops the loop and waits for the batches in flight (every call made and recorded); tick() still works after. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inflight]);
  }

  /**
   * The graceful stop (SIGTERM): stops claiming for good; rows claimed and not yet started are handed back unsent (their lease released, the
   * attempt not counted); calls already made finish and are recorded — up to `deadlineMs`, after which
   * they are cancelled and recorded as unknown outcomes (classify.ts: retried by key when the channel
   * honours it, else incerto). Then the campaigns it recorded last are completed. Resolves when done;
   * a batch that still could not be recorded keeps its leases, which expire and are recovered.
   */
  async shutdown(deadlineMs = Number.POSITIVE_INFINITY): Promise<{ drained: boolean }> {
    this.running = false;
    this.stopping.abort();
    this.wake?.();
    const everything = async () => {
      await this.loop;
      while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    };
    const all = everything();
    let drained = await settledWithin(all, deadlineMs);
    if (!drained) {
      this.d.logger.warn(
        { batches: this.inflight.size },
        'stop deadline passed: cancelling downstream calls in flight',
      );
      this.cancel.abort();
      drained = await settledWithin(all, 5000);
    }
    await this.completeTouchedCampaigns(this.d.clock.now()).catch((err: Error) =>
      this.d.logger.warn({ err: { message: err.message } }, 'could not complete campaigns on stop'),
    );
    return { drained };
  }

  private async run(): Promise<void> {
    // Real time (performance.now): how often a warning is repeated does not follow a test's clock.
    let pauseLoggedAt = Number.NEGATIVE_INFINITY;
    while (this.running) {
      let worked = 0;
      try {
        worked = await this.tick();
      } catch (err) {
        if (err instanceof WritesPaused) {
          // The write guard: say so once a minute, not every round.
          if (performance.now() - pauseLoggedAt >= 60_000) {
            pauseLoggedAt = performance.now();
            this.d.logger.warn({ why: err.message }, 'executor paused: the database cannot take writes');
          }
          await this.pause(PAUSED_RETRY_MS);
          continue;
        }
        this.d.logger.error({ err: { message: (err as Error).message } }, 'executor tick failed');
        await this.pause(1000);
      }
      if (!worked) await this.pause(this.d.idleMs ?? 200);
    }
  }

  /** Sleeps ms, or less if stop() is called meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    }).finally(() => (this.wake = null));
  }

  /** One round: housekeeping, then claim and execute what is due. Returns rows handled. */
  async tick(): Promise<number> {
    if (this.d.writeGuard) await this.d.writeGuard().catch((err: unknown) => Promise.reject(new WritesPaused(err)));
    const now = this.d.clock.now();
    if (now.getTime() - this.lastHousekeeping >= HOUSEKEEPING_MS) {
      this.lastHousekeeping = now.getTime();
      await this.analyzeGrownTables();
      await this.recoverExpiredLeases(now);
      await this.completeTouchedCampaigns(now);
    }
    const groups = await withSystem(this.d.db, (tx) => dueGroups(tx, now));
    if (this.stopping.signal.aborted) return 0;
    const handled = await Promise.all(groups.map((g) => this.runGroup(g.tenant_id, g.canal)));
    return handled.reduce((a, b) => a + b, 0);
  }

  /** Statistics for tables a bulk write just grew (sql/analyze-grown.ts); a failure only costs plans. */
  private async analyzeGrownTables(): Promise<void> {
    try {
      const analyzed = await withSystem(this.d.db, (tx) => analyzeGrownTables(tx));
      if (analyzed.length) this.d.logger.debug({ tables: analyzed }, 'analyzed grown tables');
    } catch (err) {
      this.d.logger.warn({ err: { message: (err as Error).message } }, 'could not analyze grown tables');
    }
  }

  private async recoverExpiredLeases(now: Date): Promise<void> {
    const idempotent = {
      whatsapp: this.d.channel.isIdempotent('whatsapp'),
      email: this.d.channel.isIdempotent('email'),
    };
    for (const tenantId of await withSystem(this.d.db, (tx) => expiredLeaseTenants(tx, now)))
      await withTenant(this.d.db, tenantId, (tx) => recoverLeases(tx, tenantId, idempotent, now));
  }

  /**
   * Campaigns this executor recorded rows of are marked concluido once nothing is left open. Done a
   * round later as well as at once: two executors recording a campaign's last rows at the same time
   * may each still see the other's rows open.
   */
  private async completeTouchedCampaigns(now: Date): Promise<void> {
    const touched = [...this.touchedCampaigns];
    this.touchedCampaigns.clear();
    for (const [tenantId, ids] of touched)
      await withTenant(this.d.db, tenantId, (tx) => completeCampaigns(tx, tenantId, [...ids], now));
  }

  /** Reserves slots and claims that many due rows of a tenant × channel; their batch goes out in the background. */
  private async runGroup(tenantId: string, channel: SendChannel): Promise<number> {
    // Back-pressure: at most two batches in flight per executor.
    while (this.inflight.size >= 2) await Promise.race(this.inflight);
    await this.d.channel.ready?.(channel);
    // Stopping: claim nothing more.
    if (this.stopping.signal.aborted) return 0;
    const started = performance.now();
    const now = this.d.clock.now();
    const leaseUntil = new Date(now.getTime() + (this.d.leaseMs ?? DEFAULT_LEASE_MS));
    const { rows, grant } = await withTenant(this.d.db, tenantId, async (tx) => {
      const lead = Math.min(1000, Math.max(50, 2 * this.prepareMs));
      // The slots' rate_limits update travels with the claim (one round trip less under the row lock
      // every worker of this tenant × channel waits on), or alone when nothing is claimed or rows are deferred first.
      const { grant, write } = await reserveSlotsUnwritten(
        tx,
        tenantId,
        channel,
        this.d.batchSize ?? 200,
        now,
        1000,
        lead,
      );
      if (!grant.granted || grant.capped) await write.execute(tx);
      if (!grant.granted) return { rows: [] as Claimed[], grant };
      // The recipient budget is spent: who would be a new recipient waits until it frees.
      if (grant.capped) await deferOverBudget(tx, { tenantId, channel, now, max: grant.max ?? 0 });
      // Slots reserved but not used (fewer rows than granted) are simply skipped: pace stays ≤ R.
      const rows = await claimDue(tx, {
        first: grant.capped ? undefined : write,
        tenantId,
        channel,
        limit: grant.granted,
        workerId: this.d.workerId,
        now,
        leaseUntil,
        pairMs: grant.pairMs,
      });
      return { rows, grant };
    });
    coreMetrics().slotsReserved(channel, grant.first.getTime() - now.getTime(), grant.granted);
    this.d.logger.debug(
      { granted: grant.granted, claimed: rows.length, lead_ms: grant.first.getTime() - now.getTime() },
      'slots granted',
    );
    if (!rows.length) return 0;
    // Sent in the background: the next reservation continues the pace where this batch ends.
    const task = this.execute(tenantId, rows, grant, started)
      .then((outcomes) => this.record(tenantId, outcomes))
      .catch((err: Error) =>
        this.d.logger.error({ err: { message: err.message } }, 'batch failed; its leases will expire and be recovered'),
      )
      .finally(() => this.inflight.delete(task));
    this.inflight.add(task);
    return rows.length;
  }

  /** Checks the claimed rows again and sends the rest at their slots. */
  private async execute(tenantId: string, rows: Claimed[], slots: Slots, started: number): Promise<Outcome[]> {
    const now = this.d.clock.now();
    const policy = await this.policies.get(tenantId);
    const cutoff = prescriptionCutoff(now, policy.prescricaoAnos);
    const ids = rows.map((r) => r.disparo_id);
    const facts = await withTenant(this.d.db, tenantId, (tx) => preSendFacts(tx, tenantId, ids, cutoff, now));
    const stops = preSendStops(rows, facts, policy.janela, now, { credorSet: policy.credor !== null });
    this.prepareMs = 0.8 * this.prepareMs + 0.2 * (performance.now() - started);
    const pacer = { clock: this.d.clock, logger: this.d.logger, limit: this.limit, stop: this.stopping.signal };
    return sendAtSlots(rows, stops, slots, pacer, (r) => this.send(r));
  }

  /** One downstream call, its answer classified. */
  private async send(r: Claimed): Promise<Outcome> {
    const sentAt = this.d.clock.now();
    const started = performance.now();
    const out = await this.d.channel.send(r.canal, payloadOf(r, this.d.messageIdDomain, sentAt), {
      timeoutMs: this.d.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
      signal: this.cancel.signal,
    });
    coreMetrics().sendDuration(r.canal, performance.now() - started);
    const idempotent = this.d.channel.isIdempotent(r.canal);
    return { ...classify(r, out, idempotent, this.d.clock.now(), Math.random()), sent_at: sentAt };
  }

  /** Writes a batch's outcomes (and what follows) and remembers its campaigns for completion. */
  private async record(tenantId: string, outcomes: Outcome[]): Promise<void> {
    const { campaigns, recorded } = await withTenant(this.d.db, tenantId, (tx) =>
      recordBatch(tx, tenantId, outcomes, { workerId: this.d.workerId, actor: this.actor, now: this.d.clock.now() }),
    );
    // Counted once committed, from the rows as recorded (a row whose lease was lost is not ours to count).
    // Only rows whose call was made (sent_at): not the pre-send stops, not the rows handed back.
    const called = new Set(outcomes.filter((o) => o.sent_at).map((o) => o.disparo_id));
    for (const r of recorded)
      if (called.has(r.disparo_id)) coreMetrics().sendRecorded(r.canal, r.status, r.erro_classe);
    if (!campaigns.length) return;
    const set = this.touchedCampaigns.get(tenantId) ?? new Set<string>();
    for (const c of campaigns) set.add(c);
    this.touchedCampaigns.set(tenantId, set);
  }
}

/**
 * The canonical payload of a claimed row (the channel profile maps it to the downstream tool's arguments).
 * A WhatsApp message queued as free text (inside the 24-hour window) carries `freeText` and no template;
 * one queued as a template carries the provider's identity (`__modelo`: name, language, parameters,
 * ContentSid, ContentVariables). Free text whose window has closed by `now` goes as the approved template
 * stored beside it (formVariables). Rows queued before the window was known keep the old shape.
 */
export function payloadOf(r: Claimed, messageIdDomain?: string, now?: Date): SendPayload {
  const v = r.variaveis ?? {};
  const base: SendPayload = {
    to: r.destino,
    text: r.conteudo,
    subject: r.assunto ?? undefined,
    idempotencyKey: r.idempotency_key,
    template: r.template,
    html: typeof v.__html === 'string' ? v.__html : undefined,
    templateParams: Array.isArray(v.__parametros) ? (v.__parametros as string[]) : undefined,
    messageId: r.canal === 'email' ? messageIdFor(r.disparo_id, messageIdDomain) : undefined,
  };
  if (r.canal !== 'whatsapp') return base;
  if (v.__forma === undefined) return { ...base, freeText: r.conteudo };
  if (sendsAsTemplate(v, now)) return { ...base, template: undefined, ...(v.__modelo as Partial<SendPayload>) };
  if (v.__forma === 'texto_livre')
    return { ...base, template: undefined, templateParams: undefined, freeText: r.conteudo };
  return base;
}
