import { z } from 'zod';
import { appliedMigrations, listMigrations } from '../db/migrate.js';
import type { ServerDeps } from '../deps.js';
import { ingestFolders } from '../files/allowed-path.js';
import { defineTool } from './define-tool.js';

const StatusSchema = {
  server: z.object({ name: z.string(), version: z.string(), transport: z.string(), read_only: z.boolean() }),
  database: z.object({
    kind: z.enum(['pglite', 'postgres']),
    label: z.string(),
    migrations_applied: z.array(z.string()),
    migrations_pending: z.array(z.string()),
  }),
  tenant: z.object({ slug: z.string() }),
  ingest: z
    .object({ folders: z.array(z.string()), inbox: z.string().nullable() })
    .describe('Folders ingest_leads may read a file_path from (inbox: the default one, when in use)'),
  dispatch: z.object({
    enabled: z.boolean(),
    note: z.string(),
  }),
  channels: z.array(
    z.object({
      channel: z.enum(['whatsapp', 'email', 'calendar']),
      server: z.string().nullable(),
      preset: z.string().nullable(),
      transport: z.enum(['stdio', 'http']).nullable(),
      state: z.enum(['configured', 'not_configured', 'config_error']),
      detail: z.string().nullable(),
      preset_proof: z.enum(['proven', 'unverified']).nullable(),
      preset_proof_detail: z.string().nullable(),
      last_success_at: z.string().nullable(),
      last_failure: z
        .object({
          at: z.string(),
          error_class: z.enum(['transitorio', 'destino_invalido', 'politica', 'desconhecido']),
          reason: z.string().nullable(),
          provider_code: z.string().nullable(),
        })
        .nullable(),
    }),
  ),
};

export type ServerStatus = z.infer<z.ZodObject<typeof StatusSchema>>;

export async function readStatus(deps: ServerDeps): Promise<ServerStatus> {
  const applied = await appliedMigrations(deps.db);
  const pending = (await listMigrations()).map((m) => m.name).filter((n) => !applied.includes(n));
  const enabled = deps.config.dispatchEnabled;
  const { folders, inbox } = ingestFolders(deps.config, deps.transport, deps.tenant.slug);
  return {
    server: {
      name: 'agente-disparo-agenda',
      version: deps.config.version,
      transport: deps.transport,
      read_only: !!deps.readOnly,
    },
    database: { kind: deps.db.kind, label: deps.db.label, migrations_applied: applied, migrations_pending: pending },
    tenant: { slug: deps.tenant.slug },
    ingest: { folders, inbox },
    dispatch: {
      enabled,
      note: enabled
        ? 'Real sends are ON: messages leave through the downstream channels.'
        : `Dry run: nothing is sent. MICRO_AGENT_DISPARO_ENABLED is ${deps.config.dispatchFlagRaw === undefined ? 'unset' : JSON.stringify(deps.config.dispatchFlagRaw)}; only the exact string "true" turns sending on.`,
    },
    channels: deps.channels().map((c) => ({
      ...c,
      preset_proof: c.preset_proof ?? null,
      preset_proof_detail: c.preset_proof_detail ?? null,
      last_success_at: c.last_success_at ?? null,
      last_failure: (c.last_failure ?? null) as ServerStatus['channels'][number]['last_failure'],
    })),
  };
}

export const getStatus = defineTool({
  name: 'get_status',
  title: 'Server status',
  description:
    "Call first: version, database and migrations, tenant, whether real sending is on, and each downstream channel's state.",
  toolset: 'core',
  access: 'read',
  input: {},
  output: StatusSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (_args, { deps }) => {
    const s = await readStatus(deps);
    const ch = s.channels
      .map((c) => `${c.channel}:${c.state}${c.preset_proof === 'unverified' ? ' (unverified preset)' : ''}`)
      .join(', ');
    return {
      data: s,
      text:
        `agente-disparo-agenda ${s.server.version} on ${s.database.kind} (${s.database.migrations_applied.length} migrations), ` +
        `tenant ${s.tenant.slug}, sending ${s.dispatch.enabled ? 'ON' : 'OFF (dry run)'}; channels ${ch}; ` +
        `ingest_leads file_path: ${s.ingest.folders.join(', ') || 'off (content_base64 only)'}`,
    };
  },
});
