import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { McpChannelClient } from '../../src/channels/channel-client.js';
import { McpConfigSchema } from '../../src/channels/config.js';
import { McpClientPool } from '../../src/channels/pool.js';
import { Executor } from '../../src/core/dispatch/executor.js';
import { setRateLimit } from '../../src/core/dispatch/rate-limit.js';
import { saveTemplateOverride } from '../../src/core/outreach/templates.js';
import { silentLogger, systemClock } from '../../src/core/ports.js';
import type { Db } from '../../src/db/connect.js';
import { withTenant } from '../../src/db/tenant.js';
import {
  busiestWindow,
  configuredChannels,
  NOTICE_EMAIL_TEMPLATE,
  NOTICE_TEMPLATE,
  policyOpenAllWeek,
  sandboxSends,
  statusCounts,
  writeSandboxMcpConfig,
} from './dispatch-setup.js';
import { insertLead } from './fixtures.js';
import { cnpjFor } from './leads-data.js';
import { connectClient, makeDeps, textOf } from './server.js';
import { tempDir } from './spawn.js';
import { asOwner } from './tenant-seed.js';

/**
 * A campaign with a pace, on the wall clock, through a real MCP client: `leads` leads with a WhatsApp
 * mobile each, a send window open all week, start_dispatch {pace}, one executor sending to a sandbox
 * WhatsApp server process; then the report's funnel of the campaign. Returns the busiest 1-s window of
 * the sends (enviado_em) and the span of the sandbox's own record of them.
 */
export async function paceRun(db: Db, opts: { leads: number; pace: number }) {
  const dir = tempDir('pace-report-');
  const config = McpConfigSchema.parse(JSON.parse(readFileSync(writeSandboxMcpConfig(dir), 'utf8')));
  const deps = await makeDeps(db, {
    tenantSlug: `pace-${Math.random().toString(36).slice(2, 8)}`,
    config: { dispatchEnabled: true, dispatchFlagRaw: 'true' },
    channels: configuredChannels('whatsapp', 'email'),
    // A notice, not a collection (no creditor, no debts): it goes at any hour of the open window (seedCampaign).
    creditor: null,
  });
  const t = deps.tenant.tenant_id;
  const ids: string[] = [];
  for (let i = 0; i < opts.leads; i++) {
    ids.push(
      await insertLead(db.kysely, t, {
        nome: `Ritmo ${i}`,
        documento: cnpjFor(900 + i),
        phones: [{ e164: `+5511977${String(i).padStart(6, '0')}` }],
        debts: [],
      }),
    );
  }
  await withTenant(db.kysely, t, async (tx) => {
    await policyOpenAllWeek(tx, t);
    await setRateLimit(tx, t, 'whatsapp', 80);
    for (const def of [NOTICE_TEMPLATE, NOTICE_EMAIL_TEMPLATE]) await saveTemplateOverride(tx, t, def);
  });
  const client = await connectClient(deps);
  const pool = new McpClientPool(config.mcpServers, silentLogger);
  const channels = new McpChannelClient(config, pool, silentLogger, {}, 10_000);
  const executor = new Executor({
    db: db.kysely,
    channel: channels,
    clock: systemClock,
    logger: silentLogger,
    workerId: `pace-${t.slice(0, 8)}`,
    idleMs: 20,
  });
  try {
    await channels.verify();
    const started = await client.callTool({
      name: 'start_dispatch',
      arguments: {
        lead_ids: ids,
        campaign_key: 'ritmo',
        pace: opts.pace,
        template_whatsapp: NOTICE_TEMPLATE.id,
        template_email: NOTICE_EMAIL_TEMPLATE.id,
      },
    });
    if (started.isError) throw new Error(textOf(started));
    const campaignId = (started.structuredContent as { job_id: string }).job_id;
    executor.start();
    const end = Date.now() + 60_000;
    while ((await statusCounts(db, campaignId)).enviado !== opts.leads) {
      if (Date.now() > end) {
        const { rows } = await asOwner(db.kysely, (tx) =>
          sql<{
            motivo: string | null;
          }>`select distinct motivo from disparos where campanha_id = ${campaignId}`.execute(tx),
        );
        throw new Error(
          `not all sent: ${JSON.stringify(await statusCounts(db, campaignId))}; ${rows.map((r) => r.motivo).join(' | ')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await executor.stop();
    const times = sandboxSends(dir)
      .map((s) => Date.parse(s.ts))
      .sort((a, b) => a - b);
    // As we sent them (disparos.enviado_em, each at its slot), as dispatch-limits.test.ts measures: on a
    // loaded 2-core machine the sandbox process may be scheduled late and log two arrivals together.
    const sentAt = await asOwner(db.kysely, (tx) =>
      sql<{ t: Date }>`select enviado_em as t from disparos where campanha_id = ${campaignId} order by 1`.execute(tx),
    );
    const r = await client.callTool({ name: 'get_report', arguments: { view: 'funnel', campaign_id: campaignId } });
    if (r.isError) throw new Error(textOf(r));
    return {
      sends: times.length,
      busiest: busiestWindow(sentAt.rows.map((x) => new Date(x.t).getTime())),
      spanMs: times[times.length - 1] - times[0],
      report: r.structuredContent as any,
    };
  } finally {
    await executor.stop();
    await client.closeAll();
    await pool.close();
  }
}
