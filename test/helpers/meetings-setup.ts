import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpCalendar } from '../../src/channels/calendar.js';
import { McpChannelClient } from '../../src/channels/channel-client.js';
import { McpClientPool } from '../../src/channels/pool.js';
import { McpConfigSchema } from '../../src/channels/config.js';
import { Executor } from '../../src/core/dispatch/executor.js';
import { setRateLimit } from '../../src/core/dispatch/rate-limit.js';
import { timezoneForDdd } from '../../src/core/normalize/timezone.js';
import { silentLogger, type Clock } from '../../src/core/ports.js';
import type { Db } from '../../src/db/connect.js';
import { withTenant } from '../../src/db/tenant.js';
import type { ServerDeps } from '../../src/deps.js';
import { insertLead } from './fixtures.js';
import { connectClient, makeDeps } from './server.js';
import { ROOT, tempDir } from './spawn.js';

/** A clock tests can move. */
export function movableClock(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return {
    now: () => now,
    set: (x: string) => {
      now = new Date(x);
    },
  };
}

export interface MeetingsEnv {
  dir: string;
  deps: ServerDeps;
  client: Awaited<ReturnType<typeof connectClient>>;
  pool: McpClientPool;
  channels: McpChannelClient;
  executor: Executor;
  clock: ReturnType<typeof movableClock>;
  tenantId: string;
  /** Lines the sandbox recorded (idempotent replays excluded). */
  record(
    channel: 'whatsapp' | 'email' | 'calendar',
  ): Array<{ tool: string; args: Record<string, unknown>; message_id: string; idempotency_key: string | null }>;
  /** Runs the executor until nothing due is left (at most a few rounds). */
  drain(): Promise<void>;
  lead(spec: { nome: string; phone?: string; email?: string; timezone?: string; status?: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * Sending on, real sandbox servers (whatsapp, email, calendar) as stdio processes, a channel layer
 * verified against them, the calendar port, an executor on the same movable clock, and a tenant with
 * no pace limit (sends go at once; the clock is fixed, not wall time).
 */
export async function meetingsEnv(
  db: Db,
  opts: {
    now: string;
    calendarEnv?: Record<string, string>;
    whatsappEnv?: Record<string, string>;
    calendarProfile?: Record<string, unknown>;
    calendarTimeoutMs?: number;
    dispatchEnabled?: boolean;
  },
): Promise<MeetingsEnv> {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = tempDir('meet-');
  const server = (name: string, extra: Record<string, string> = {}) => ({
    command: process.execPath,
    args: [join(ROOT, 'dist', 'sandbox', `${name}-server.js`)],
    env: { SANDBOX_RECORD: join(dir, `${name}.jsonl`), ...extra },
  });
  const config = McpConfigSchema.parse({
    mcpServers: {
      wa: server('whatsapp', opts.whatsappEnv),
      mail: server('email'),
      cal: server('calendar', opts.calendarEnv),
    },
    channels: {
      whatsapp: { server: 'wa', preset: 'sandbox-whatsapp' },
      email: { server: 'mail', preset: 'sandbox-email' },
      calendar: { server: 'cal', preset: 'sandbox-calendar', ...opts.calendarProfile },
    },
  });
  writeFileSync(join(dir, 'mcp.json'), JSON.stringify(config));
  const pool = new McpClientPool(config.mcpServers, silentLogger);
  const channels = new McpChannelClient(config, pool, silentLogger, {}, 10_000);
  await channels.verify();
  const clock = movableClock(opts.now);
  const enabled = opts.dispatchEnabled ?? true;
  const deps = await makeDeps(db, {
    tenantSlug: `m-${Math.random().toString(36).slice(2, 8)}`,
    clock,
    config: { dispatchEnabled: enabled, dispatchFlagRaw: enabled ? 'true' : undefined },
    channels: () => channels.status(),
    channelClient: enabled ? channels : undefined,
    calendar: enabled ? new McpCalendar(channels, opts.calendarTimeoutMs ?? 20_000) : undefined,
  });
  const tenantId = deps.tenant.tenant_id;
  await withTenant(db.kysely, tenantId, async (tx) => {
    await setRateLimit(tx, tenantId, 'whatsapp', null);
    await setRateLimit(tx, tenantId, 'email', null);
  });
  const executor = new Executor({
    db: db.kysely,
    channel: channels,
    clock,
    logger: silentLogger,
    workerId: `test-${tenantId.slice(0, 8)}`,
    idleMs: 20,
  });
  const client = await connectClient(deps);
  const record = (channel: string) => {
    try {
      return readFileSync(join(dir, `${channel}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((r) => !r.duplicate);
    } catch {
      return [];
    }
  };
  let n = 0;
  return {
    dir,
    deps,
    client,
    pool,
    channels,
    executor,
    clock,
    tenantId,
    record,
    drain: async () => {
      for (let i = 0; i < 10; i++) {
        const worked = await executor.tick();
        await executor.stop(); // waits for the batches in flight
        if (!worked) break;
      }
    },
    lead: (s) =>
      insertLead(db.kysely, tenantId, {
        nome: s.nome,
        contato: 'Ana Souza',
        documento: undefined,
        status: s.status ?? 'respondeu',
        // As ingest does: the zone from the phone's DDD unless given (Noronha cannot be inferred).
        timezone: s.timezone ?? timezoneForDdd(s.phone ? s.phone.slice(3, 5) : null),
        phones: s.phone ? [{ e164: s.phone }] : [],
        emails: s.email ? [{ email: s.email }] : [{ email: `contato${++n}@empresa.com.br` }],
      }),
    close: async () => {
      await executor.stop();
      await client.closeAll();
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
