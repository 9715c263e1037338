import { getStatus as readStatus, getStatusInput, getStatusOutput } from '../core/status/get-status.js';
import { limitsLine, type ChannelLimits } from '../core/dispatch/limits.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

export const getStatus = defineTool({
  name: 'get_status',
  title: 'Server status',
  description: "Call first: version, database, tenant, whether real sending is on, each channel's state.",
  toolset: 'core',
  access: 'read',
  input: getStatusInput,
  output: getStatusOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const s = await readStatus(scope, args);
    const channels = table(
      ['channel', 'state', 'server', 'detail', 'last_success_at'],
      s.channels.map((c) => [c.channel, c.state, c.server, c.detail, c.last_success_at]),
    );
    return {
      data: s,
      text:
        `agente-disparo-agenda ${s.server.version} on ${s.database.kind} (${s.database.migrations_applied.length} migrations), ` +
        `tenant ${s.tenant.slug}, sending ${s.dispatch.enabled ? 'ON' : 'OFF (dry run)'}; ` +
        `ingest_leads file_path: ${s.ingest.folders.join(', ') || 'off (content_base64 only)'}; ` +
        `limits: ${limitsLine(s.dispatch.limits as unknown as ChannelLimits[])}
${channels}`,
    };
  },
});
