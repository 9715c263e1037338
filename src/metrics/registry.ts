import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics (README "Metrics"): one registry per process, served on /metrics by
 * `serve --http` and by `worker` (its own port). Every label is from a closed set — channel, status,
 * error class, provider, tool name, outcome — never a phone, an e-mail, a name or a tenant id.
 *
 * Counters are counted where things happen (the executor, the tool runner, the importer); gauges that
 * reflect the database (queue depth, oldest due) are read at scrape time (db-gauges.ts); gauges fed by
 * another part of the process (tier budget, webhook backlog) take a source function set once at start.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'agente_' });

const registers = [registry];

/** Downstream sends by channel and what became of the row (enviado, pendente, falhou, incerto, bloqueado). */
export const sendsTotal = new Counter({
  name: 'agente_sends_total',
  help: 'Downstream send attempts by channel, resulting status and error class (none when sent)',
  labelNames: ['channel', 'status', 'error_class'] as const,
  registers,
});

export const sendDuration = new Histogram({
  name: 'agente_send_duration_seconds',
  help: 'Time of one downstream send call, by channel',
  labelNames: ['channel'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30],
  registers,
});

/** Claimed rows handed back unsent: a missed slot, or a stop before their call started. */
export const sendsHandedBack = new Counter({
  name: 'agente_sends_handed_back_total',
  help: 'Claimed rows handed back to the queue without a call (missed slot, or graceful stop)',
  labelNames: ['channel', 'reason'] as const,
  registers,
});

/** How far ahead the first granted slot was: the time a batch waits on the channel's pace. */
export const rateLimitWait = new Histogram({
  name: 'agente_rate_limit_wait_seconds',
  help: 'Wait from reservation to the first granted send slot (the pace), by channel',
  labelNames: ['channel'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
  registers,
});

export const rateLimitDenied = new Counter({
  name: 'agente_rate_limit_denied_total',
  help: 'Reservations that got no slot (pace or 24 h recipient cap reached), by channel',
  labelNames: ['channel'] as const,
  registers,
});

export const toolCalls = new Counter({
  name: 'agente_tool_calls_total',
  help: 'MCP tool calls by tool and outcome (ok, an error code, internal_error)',
  labelNames: ['tool', 'outcome'] as const,
  registers,
});

export const toolDuration = new Histogram({
  name: 'agente_tool_call_duration_seconds',
  help: 'MCP tool call latency by tool',
  labelNames: ['tool'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});

export const importRows = new Counter({
  name: 'agente_import_rows_total',
  help: 'Spreadsheet rows read by finished imports (rate() of it is rows/s)',
  labelNames: ['status'] as const,
  registers,
});

export const importSeconds = new Counter({
  name: 'agente_import_seconds_total',
  help: 'Time spent in finished imports (rows_total / seconds_total is the imports’ own rows/s)',
  labelNames: ['status'] as const,
  registers,
});

/** Inbound events processed (stored webhooks and polled inbox messages), by what came of them. */
export const inboundProcessed = new Counter({
  name: 'agente_inbound_processed_total',
  help: 'Inbound items processed: messages, duplicates, statuses applied, refused, opt-outs',
  labelNames: ['result'] as const,
  registers,
});

/** Webhook deliveries out to the orchestrator (events out): fed by the deliverer through recordWebhookDelivery. */
export const webhookDeliveries = new Counter({
  name: 'agente_webhook_deliveries_total',
  help: 'Event deliveries to subscribed webhooks by outcome (delivered, retry, failed, dead)',
  labelNames: ['outcome'] as const,
  registers,
});

export const webhookLag = new Histogram({
  name: 'agente_webhook_delivery_lag_seconds',
  help: 'From an event being recorded to its delivery being acknowledged',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
  registers,
});

export const stopping = new Gauge({
  name: 'agente_stopping',
  help: '1 while the process drains after SIGTERM (claims nothing new)',
  registers,
});

/** A deliverer (events out) reports one delivery attempt: its outcome and, when delivered, the event's age. */
export function recordWebhookDelivery(outcome: 'delivered' | 'retry' | 'failed' | 'dead', lagSeconds?: number): void {
  webhookDeliveries.inc({ outcome });
  if (outcome === 'delivered' && lagSeconds !== undefined) webhookLag.observe(Math.max(0, lagSeconds));
}

/** One tool call: its outcome (ok or an error code) and latency. */
export function recordToolCall(tool: string, outcome: string, ms: number): void {
  toolCalls.inc({ tool, outcome });
  toolDuration.observe({ tool }, ms / 1000);
}

/** One finished import: rows read and the time it took. */
export function recordImport(status: 'concluido' | 'falhou', rows: number, ms: number): void {
  importRows.inc({ status }, rows);
  importSeconds.inc({ status }, ms / 1000);
}
