import { Gauge } from 'prom-client';
import { registry } from './registry.js';

/**
 * Gauges whose values another part of the process knows: set a source once at start (the coordinator
 * wires them as those parts land). Without a source the gauge has no samples. A source that throws
 * leaves the gauge as it was.
 */

/** One channel's messaging budget: used and the limit, over the provider's window (e.g. WhatsApp's 24 h tier). */
export interface BudgetSample {
  channel: 'whatsapp' | 'email';
  used: number;
  limit: number;
}

let budgetSource: (() => Promise<BudgetSample[]> | BudgetSample[]) | null = null;
/** One events-out destination's backlog: pending deliveries plus events not yet fanned out to it. */
export interface BacklogSample {
  destination: string;
  kind: 'webhook' | 'eventbridge';
  pending: number;
}

let webhookBacklogSource: (() => Promise<BacklogSample[] | null> | BacklogSample[] | null) | null = null;

/** The dispatch tier limits (issue 16) report the budget here: read at scrape time. */
export function setTierBudgetSource(fn: typeof budgetSource): void {
  budgetSource = fn;
}

/** Events out: the backlog per destination, read at scrape time (db-gauges.ts sets it). */
export function setWebhookBacklogSource(fn: typeof webhookBacklogSource): void {
  webhookBacklogSource = fn;
}

new Gauge({
  name: 'agente_tier_budget_used',
  help: 'Messaging budget used in the provider window (e.g. distinct WhatsApp recipients in 24 h), by channel',
  labelNames: ['channel'] as const,
  registers: [registry],
  async collect() {
    const samples = await readSource(budgetSource);
    for (const s of samples ?? []) this.set({ channel: s.channel }, s.used);
  },
});

new Gauge({
  name: 'agente_tier_budget_limit',
  help: 'Messaging budget of the provider window (the tier), by channel',
  labelNames: ['channel'] as const,
  registers: [registry],
  async collect() {
    const samples = await readSource(budgetSource);
    for (const s of samples ?? []) this.set({ channel: s.channel }, s.limit);
  },
});

new Gauge({
  name: 'agente_webhook_backlog',
  help: 'Events recorded and not yet delivered, per destination (webhook endpoint or EventBridge bus id) and kind',
  labelNames: ['destination', 'kind'] as const,
  registers: [registry],
  async collect() {
    const samples = await readSource(webhookBacklogSource);
    if (!samples) return; // a failed read keeps the last values
    this.reset(); // a removed destination leaves no stale series
    for (const s of samples) this.set({ destination: s.destination, kind: s.kind }, s.pending);
  },
});

async function readSource<T>(fn: (() => Promise<T> | T) | null): Promise<T | null> {
  if (!fn) return null;
  try {
    return await fn();
  } catch {
    return null;
  }
}
