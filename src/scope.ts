import { ingestFolders } from './files/allowed-path.js';
import { copyTxFor } from './core/ingest/ports.js';
import { actorLabel, type Actor } from './core/model/index.js';
import type { Scope } from './core/scope.js';
import type { ChannelLimits } from './core/dispatch/limits.js';
import { LIMITS_MAX_AGE_MS, type ChannelState, type ServerFacts } from './core/status/server-facts.js';
import type { Db } from './db/connect.js';
import { createCopyTx } from './db/copy-tx.js';
import { assertFreeSpace } from './db/disk-space.js';
import { appliedMigrations, listMigrations } from './db/migrate.js';
import { withTenant } from './db/tenant.js';
import type { ServerDeps } from './deps.js';
import { remoteSources } from './files/remote-allow.js';
import { createSpreadsheetFiles } from './files/source.js';

/** The parts of the server's or a command's dependencies a scope is made of. */
export type ScopeDeps = Pick<
  ServerDeps,
  'db' | 'tenant' | 'config' | 'logger' | 'clock' | 'tasks' | 'channelClient' | 'calendar' | 'actor' | 'transport'
> &
  // Optional so that a command building a scope without mcp.json statuses still compiles (no channel then).
  Partial<Pick<ServerDeps, 'readOnly' | 'channels'>>;

/** Who acts when the deps do not say: the stdio operator (also in-process tests). */
export const actorOf = (deps: Pick<ScopeDeps, 'actor' | 'tenant'>): Actor =>
  deps.actor ?? { kind: 'stdio', tenantSlug: deps.tenant.slug };

/**
 * Builds the scope of one tool call or command. The composition root's dependencies stop here: a use
 * case gets the tenant, the actor, time, a logger, a tenant-scoped transaction runner and the ports.
 */
export function createScope(deps: ScopeDeps, opts: { signal?: AbortSignal; actor?: Actor } = {}): Scope {
  const actor = opts.actor ?? actorOf(deps);
  const { db, tenant, config } = deps;
  return {
    tenant,
    actor,
    actorLabel: actorLabel(actor),
    clock: deps.clock,
    logger: deps.logger,
    tx: (fn, opts) => withTenant(db.kysely, tenant.tenant_id, fn, opts),
    // PGlite blocks for good after a write hits a full disk (db/disk-space.ts): refuse writes first.
    assertWritable: () => (db.kind === 'pglite' ? assertFreeSpace(config.dataDir) : Promise.resolve()),
    sending: { enabled: config.dispatchEnabled, flag: config.dispatchFlagRaw },
    channels: config.dispatchEnabled ? deps.channelClient : undefined,
    calendar: config.dispatchEnabled ? deps.calendar : undefined,
    channelStates: deps.channels,
    configuredChannels: () =>
      new Set((deps.channels?.() ?? []).filter((c) => c.state === 'configured').map((c) => c.channel)),
    background: deps.tasks,
    signal: opts.signal,
    spreadsheets: createSpreadsheetFiles(
      ingestFolders(config, deps.transport, tenant.slug),
      remoteSources(config, deps.transport, tenant.slug),
    ),
    bulk: copyTxFor(createCopyTx(db), tenant.tenant_id),
    // One connection of the pool stays free for everything else.
    connections:
      db.kind === 'postgres' ? Math.max(1, Math.min(config.dryRunConnections, (db.pool?.options.max ?? 10) - 1)) : 1,
    server: serverFacts(deps),
  };
}

/** What get_status reports about this server, from the composition root's dependencies. */
function serverFacts(deps: ScopeDeps): ServerFacts {
  const { db, config } = deps;
  return {
    name: 'agente-disparo-agenda',
    version: config.version,
    transport: deps.transport,
    readOnly: !!deps.readOnly,
    database: { kind: db.kind, label: db.label },
    migrations: async () => {
      const applied = await appliedMigrations(db);
      // appliedMigrations answers the same list while it caches it: its pending ones are worked out once.
      let pending = pendingOf.get(applied);
      if (!pending) {
        const done = new Set(applied);
        pendingOf.set(applied, (pending = (await listMigrations()).map((m) => m.name).filter((n) => !done.has(n))));
      }
      return { applied, pending: [...pending] };
    },
    ingest: ingestFolders(config, deps.transport, deps.tenant.slug),
    channels: () =>
      (deps.channels?.() ?? []).map((c) => ({
        ...c,
        preset_proof: c.preset_proof ?? null,
        preset_proof_detail: c.preset_proof_detail ?? null,
        last_success_at: c.last_success_at ?? null,
        last_failure: (c.last_failure ?? null) as ChannelState['last_failure'],
      })),
    recentLimits: (tenantId, now, read) => recentLimits(db, tenantId, now, read),
    forgetLimits: (tenantId) => void recentLimitsOf.get(db)?.delete(tenantId),
  };
}

const pendingOf = new WeakMap<string[], string[]>();

/** A tenant's dispatch limits read by this process: when (clock and real time), and the read itself. */
interface LimitsRead {
  checkedAt: Date;
  readAt: number;
  limits: Promise<ChannelLimits[]>;
}
const recentLimitsOf = new WeakMap<Db, Map<string, LimitsRead>>();

/**
 * ServerFacts.recentLimits: the read of the last LIMITS_MAX_AGE_MS, by the clock (a test's clock that
 * moves on reads again) and in real time, or a new read. Calls that arrive while it runs share it; a
 * failed read is forgotten at once.
 */
function recentLimits(
  db: Db,
  tenantId: string,
  now: Date,
  read: () => Promise<ChannelLimits[]>,
): Promise<{ limits: ChannelLimits[]; checkedAt: Date }> {
  let byTenant = recentLimitsOf.get(db);
  if (!byTenant) recentLimitsOf.set(db, (byTenant = new Map()));
  let entry = byTenant.get(tenantId);
  const age = entry && now.getTime() - entry.checkedAt.getTime();
  if (!entry || age! < 0 || age! >= LIMITS_MAX_AGE_MS || performance.now() - entry.readAt >= LIMITS_MAX_AGE_MS) {
    const fresh: LimitsRead = (entry = { checkedAt: now, readAt: performance.now(), limits: read() });
    byTenant.set(tenantId, fresh);
    fresh.limits.catch(() => {
      if (byTenant.get(tenantId) === fresh) byTenant.delete(tenantId);
    });
  }
  const { checkedAt, limits } = entry;
  return limits.then((l) => ({ limits: l, checkedAt }));
}
