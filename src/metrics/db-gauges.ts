import { sql } from 'kysely';
import { Gauge } from 'prom-client';
import { DISPARO_QUEUED } from '../core/model/index.js';
import type { Db } from '../db/connect.js';
import { withSystem } from '../db/tenant.js';
import { registry } from './registry.js';
import { setWebhookBacklogSource, type BacklogSample } from './sources.js';

/** How long the scrape-time statement may take; past it the gauges keep their last values. */
export const DB_SCRAPE_TIMEOUT_MS = 2000;

/** Statuses of the queue: rows not yet final (queued, or being sent). */
const OPEN = [...DISPARO_QUEUED, 'em_execucao'] as const;

interface QueueRow {
  status: string;
  n: number;
  oldest_due_s: number | null;
}

/**
 * The queue as the database has it, across tenants, in one statement run as the system role (which may
 * read disparos) under a statement timeout: rows by open status, and how long the oldest due row has
 * waited past its time. Only open rows are read (the partial indexes of migration 004 cover them).
 */
export async function readQueue(db: Db, now: Date): Promise<QueueRow[]> {
  return withSystem(db.kysely, async (tx) => {
    if (db.kind === 'postgres')
      await sql`select set_config('statement_timeout', ${String(DB_SCRAPE_TIMEOUT_MS)}, true)`.execute(tx);
    const { rows } = await sql<QueueRow>`
      select status, count(*)::int as n,
             extract(epoch from (${now}::timestamptz - min(proxima_tentativa_em)
               filter (where proxima_tentativa_em <= ${now}::timestamptz)))::float8 as oldest_due_s
      from disparos where status in (${sql.join(OPEN.map((s) => sql.lit(s)))})
      group by status`.execute(tx);
    return rows;
  });
}

/**
 * Events out (README "Events"), per destination across tenants as the system role: deliveries pending
 * (the partial index of migration 051) plus events not yet fanned out to it (the tenant's last sequence −
 * the destination's cursor; for an endpoint with a type filter this part counts events it will not get,
 * until the deliverer's next round fans them out). A disabled endpoint's waiting events count too.
 */
export async function readEventBacklog(db: Db): Promise<BacklogSample[]> {
  return withSystem(db.kysely, async (tx) => {
    if (db.kind === 'postgres')
      await sql`select set_config('statement_timeout', ${String(DB_SCRAPE_TIMEOUT_MS)}, true)`.execute(tx);
    const { rows } = await sql<{ destination: string; kind: BacklogSample['kind']; pending: number }>`
      select d.destino_id as destination, d.tipo as kind,
        ((select count(*) from eventos_entregas e where e.destino_id = d.destino_id and e.status = 'pendente')
          + greatest(coalesce(c.ultimo, 0) - d.cursor_seq, 0))::int as pending
      from eventos_destinos d left join eventos_contador c on c.tenant_id = d.tenant_id`.execute(tx);
    return rows;
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`metrics database read over ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/**
 * Registers the gauges read from this process's database at scrape time: queue depth by status,
 * oldest due age, and the pg pool's connections (PostgreSQL). One read serves one scrape (the gauges'
 * collects run together and share it). A failed or slow read counts in agente_metrics_db_errors_total
 * and leaves the queue gauges as they were. Returns what unregisters them.
 */
export function registerDbGauges(db: Db, now: () => Date = () => new Date()): () => void {
  let errorCount = 0;
  let last: { at: number; read: Promise<QueueRow[] | null> } | null = null;
  const read = () => {
    if (!last || performance.now() - last.at > 250) {
      const p = withTimeout(readQueue(db, now()), DB_SCRAPE_TIMEOUT_MS + 500).catch(() => {
        errorCount++;
        return null;
      });
      last = { at: performance.now(), read: p };
    }
    return last.read;
  };
  const depth = new Gauge({
    name: 'agente_queue_depth',
    help: 'Disparos not yet final, by status (pendente, adiado, em_execucao), all tenants',
    labelNames: ['status'] as const,
    registers: [],
    async collect() {
      const rows = await read();
      if (!rows) return;
      const by = new Map(rows.map((r) => [r.status, r.n]));
      for (const s of OPEN) this.set({ status: s }, by.get(s) ?? 0);
    },
  });
  const oldest = new Gauge({
    name: 'agente_queue_oldest_due_age_seconds',
    help: 'How long the oldest queued row that is due has waited past its time (0: none overdue)',
    registers: [],
    async collect() {
      const rows = await read();
      if (rows)
        this.set(Math.max(0, ...rows.filter((r) => r.status !== 'em_execucao').map((r) => r.oldest_due_s ?? 0)));
    },
  });
  const errors = new Gauge({
    name: 'agente_metrics_db_errors',
    help: 'Scrape-time database reads that failed or timed out since start (queue gauges kept their last values)',
    registers: [],
    async collect() {
      await read();
      this.set(errorCount);
    },
  });
  const gauges = [depth, oldest, errors, ...poolGauges(db)];
  for (const g of gauges) registry.registerMetric(g);
  setWebhookBacklogSource(() =>
    withTimeout(readEventBacklog(db), DB_SCRAPE_TIMEOUT_MS + 500).catch(() => {
      errorCount++;
      return null;
    }),
  );
  return () => {
    setWebhookBacklogSource(null);
    gauges.forEach((g) => registry.removeSingleMetric((g as unknown as { name: string }).name));
  };
}

/** The pg pool's connections: total, idle, and clients waiting for one (PostgreSQL only). */
function poolGauges(db: Db): Gauge[] {
  const pool = db.pool;
  if (!pool) return [];
  return [
    new Gauge({
      name: 'agente_db_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting clients), and the pool size (max)',
      labelNames: ['state'] as const,
      registers: [],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
        this.set({ state: 'max' }, pool.options.max ?? 10);
      },
    }),
  ];
}
