import { z } from 'zod';
import type { Infer } from '../schemas.js';
import { describeFlag, type Scope } from '../scope.js';
import { ChannelStateSchema, DB_KINDS, LIMITS_MAX_AGE_MS } from './server-facts.js';
import { ChannelLimitsSchema, dispatchLimits } from '../dispatch/limits.js';

export const getStatusInput = {};
export const getStatusOutput = {
  server: z.object({ name: z.string(), version: z.string(), transport: z.string(), read_only: z.boolean() }),
  database: z.object({
    kind: z.enum(DB_KINDS),
    label: z.string(),
    migrations_applied: z.array(z.string()),
    migrations_pending: z.array(z.string()),
  }),
  tenant: z.object({ slug: z.string() }),
  ingest: z
    .object({ folders: z.array(z.string()), inbox: z.string().nullable() })
    .describe('Folders ingest_leads reads file_path from (inbox: the default)'),
  dispatch: z.object({
    enabled: z.boolean(),
    note: z.string(),
    limits: ChannelLimitsSchema,
    checked_at: z.string().describe(`When limits were read (≤ ${LIMITS_MAX_AGE_MS / 1000} s ago)`),
  }),
  channels: z.array(ChannelStateSchema),
};
export type ServerStatus = Infer<typeof getStatusOutput>;

/** The server, its database and migrations, the tenant, whether real sending is on, each channel. */
export async function getStatus(scope: Scope, _input: Infer<typeof getStatusInput> = {}): Promise<ServerStatus> {
  const facts = scope.server;
  if (!facts) throw new Error('getStatus needs scope.server');
  const { applied, pending } = await facts.migrations();
  const enabled = scope.sending.enabled;
  const tenantId = scope.tenant.tenant_id;
  const now = scope.clock.now();
  // Read once for the calls of the last LIMITS_MAX_AGE_MS (a status poll is not a query per call); read-only
  // with one statement: begin, tenant scope and the statement with its commit in one round trip.
  const { limits, checkedAt } = await facts.recentLimits(tenantId, now, () =>
    scope.tx((tx) => dispatchLimits(tx, tenantId, now, { final: true }), { readOnly: true, genericPlans: true }),
  );
  return {
    server: { name: facts.name, version: facts.version, transport: facts.transport, read_only: facts.readOnly },
    database: { ...facts.database, migrations_applied: applied, migrations_pending: pending },
    tenant: { slug: scope.tenant.slug },
    ingest: { folders: [...facts.ingest.folders], inbox: facts.ingest.inbox },
    dispatch: {
      enabled,
      note: enabled
        ? 'Real sends are ON: messages leave through the downstream channels.'
        : `Dry run: nothing is sent. MICRO_AGENT_DISPARO_ENABLED is ${describeFlag(scope.sending)}; ` +
          'only the exact string "true" turns sending on.',
      limits,
      checked_at: checkedAt.toISOString(),
    },
    channels: facts.channels(),
  };
}
