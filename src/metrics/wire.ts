import { Counter } from 'prom-client';
import { setTierBudgetSource, type BudgetSample } from './sources.js';
import { setCoreMetrics, type CoreMetrics } from '../core/metrics.js';
import {
  inboundProcessed,
  rateLimitDenied,
  rateLimitWait,
  recordImport,
  registry,
  sendDuration,
  sendsHandedBack,
  sendsTotal,
} from './registry.js';

/** What core counts (core/metrics.ts), into the process's Prometheus registry. */
export const promCoreMetrics: CoreMetrics = {
  sendRecorded: (channel, status, errorClass) => sendsTotal.inc({ channel, status, error_class: errorClass ?? 'none' }),
  sendDuration: (channel, ms) => sendDuration.observe({ channel }, ms / 1000),
  handedBack: (channel, reason) => sendsHandedBack.inc({ channel, reason }),
  slotsReserved: (channel, waitMs, granted) => {
    if (granted > 0) rateLimitWait.observe({ channel }, Math.max(0, waitMs) / 1000);
    else rateLimitDenied.inc({ channel });
  },
  importFinished: recordImport,
  inboundProcessed: (result, n) => inboundProcessed.inc({ result }, n),
  tierBudget: (channel, used, limit) => tierBudgets.set(channel, { channel, used, limit }),
};

/**
 * The last fresh count per channel (reserveSlots counts at most once a second while sending): with one
 * tenant, its budget; with several, the one that sent last (no tenant label, see metrics/registry.ts).
 */
const tierBudgets = new Map<string, BudgetSample>();

/** Called once by a long-running command (serve, worker): core's counts go to /metrics. */
export function wireMetrics(): void {
  setCoreMetrics(promCoreMetrics);
  setTierBudgetSource(() => [...tierBudgets.values()]);
}

let webhookCounter: Counter<'provider' | 'result'> | null = null;

/**
 * The webhook requests the HTTP server counted (http/webhooks/receive.ts: "provider.result" → n), as
 * agente_inbound_events_total{provider,result}; read at scrape time. Providers are the closed list of
 * WEBHOOK_PROVIDERS (plus "any" for unknown paths), results a closed set too.
 */
export function registerWebhookCounts(counts: Record<string, number>): void {
  const seen = new Map<string, number>();
  if (webhookCounter) registry.removeSingleMetric('agente_inbound_events_total');
  webhookCounter = new Counter({
    name: 'agente_inbound_events_total',
    help: 'Provider webhook requests by provider and result (accepted, duplicate, bad_signature, stale, not_found…)',
    labelNames: ['provider', 'result'] as const,
    registers: [registry],
    collect() {
      for (const [key, n] of Object.entries(counts)) {
        const delta = n - (seen.get(key) ?? 0);
        if (delta <= 0) continue;
        seen.set(key, n);
        const [provider, result] = key.split('.', 2);
        this.inc({ provider, result: result ?? 'unknown' }, delta);
      }
    },
  });
}
