/**
 * Helpers of bench/events.bench.ts: the webhook receiver in its own process (events-receiver.ts), the
 * floor of a delivery figure (a bare loop posting signed requests to that receiver: its own accept rate and
 * request latency, no database), and a synthetic backlog delivered in-process (PGlite has no worker).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pLimit from 'p-limit';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { Db } from '../../src/db/connect.js';
import { withTenant } from '../../src/db/tenant.js';
import { EventDeliverer } from '../../src/events-out/deliverer.js';
import { makeWebhookTransport } from '../../src/events-out/webhook-transport.js';

export interface Report {
  got: number;
  dup: number;
  bad: number;
  first: number;
  last: number;
  lags: number[];
}

export interface Receiver {
  url: string;
  report(): Promise<Report>;
  reset(): Promise<void>;
  close(): void;
}

export async function startReceiverProcess(secret: string): Promise<Receiver> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./events-receiver.ts', import.meta.url)), [secret], {
    execArgv: ['--import', 'tsx'],
  });
  const port = await new Promise<number>((r) => child.once('message', (m) => r((m as { port: number }).port)));
  const ask = <T>(what: string) =>
    new Promise<T>((r) => {
      child.once('message', (m) => r(m as T));
      child.send(what);
    });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    report: () => ask<Report>('report'),
    reset: () => ask<void>('reset'),
    close: () => child.kill(),
  };
}

export const perSecond = (r: Report) => (r.got - 1) / ((r.last - r.first) / 1000);

export const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;

export const median = (xs: number[]) => pct(xs, 0.5);

/** What a campaign event looks like on the wire (≈ 400 bytes of CloudEvent). */
function sampleBody(i: number) {
  const id = randomUUID();
  return {
    id,
    body: JSON.stringify({
      specversion: '1.0',
      id,
      source: '/agente-disparo-agenda/bench',
      type: 'br.com.alquimista.disparo.sent',
      subject: randomUUID(),
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      sequence: String(i).padStart(19, '0'),
      data: { disparo_id: randomUUID(), lead_id: randomUUID(), campanha_id: randomUUID(), canal: 'whatsapp', i },
    }),
  };
}

/**
 * The floor: n signed POSTs from a bare loop (this process, an undici Agent, `concurrency` in flight,
 * as the deliverer) — or paced at `rate` per second — to the receiver. Returns its accept rate and the
 * requests' latency p50/p99 (ms).
 */
export async function bareLoop(url: string, secret: string, n: number, concurrency: number, rate?: number) {
  const wh = new Webhook(secret);
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  const limit = pLimit(concurrency);
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      limit(async () => {
        if (rate) {
          const due = t0 + (i / rate) * 1000 - performance.now();
          if (due > 0) await new Promise((r) => setTimeout(r, due));
        }
        const { id, body } = sampleBody(i);
        const at = new Date();
        const s = performance.now();
        const res = await request(url, {
          dispatcher: agent,
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': wh.sign(id, at, body),
          },
        });
        await res.body.dump();
        lat.push(performance.now() - s);
      }),
    ),
  );
  const perSec = n / ((performance.now() - t0) / 1000);
  await agent.close();
  return { perSec, p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

/** n events of n/2 subjects (two each, like a disparo queued then sent), written in one transaction. */
export async function writeBacklog(db: Db, tenantId: string, n: number) {
  await withTenant(db.kysely, tenantId, (tx) =>
    sql`insert into eventos_saida (tenant_id, tipo, assunto, dados)
      select ${tenantId}, 'br.com.alquimista.disparo.' || k, s, jsonb_build_object('disparo_id', s, 'canal', 'whatsapp')
      from (select gen_random_uuid() as s, i from generate_series(1, ${Math.ceil(n / 2)}) i) x,
           (values (1, 'queued'), (2, 'sent')) v (o, k)
      order by o, i`.execute(tx),
  );
}

/** Delivers the tenant's backlog with an in-process deliverer (as `serve` on PGlite does) until rx has n. */
export async function deliverInProcess(db: Db, rx: Receiver, n: number) {
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet } as never;
  const transport = makeWebhookTransport({ timeoutMs: 10_000, concurrency: 64, allowPrivate: true });
  const d = new EventDeliverer({
    db: db.kysely,
    kind: 'webhook',
    owner: 'bench',
    leaseMs: 30_000,
    batch: 200,
    idleMs: 50,
    logger: quiet,
    transport,
  }).start();
  let r: Report;
  const end = Date.now() + 600_000;
  while ((r = await rx.report()).got < n && Date.now() < end) await new Promise((x) => setTimeout(x, 100));
  await d.stop();
  await transport.close();
  return { report: r!, stats: d.stats };
}
