import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { seedTenant, tenantSnapshot, tenantTables, type SeededTenant } from '../helpers/tenant-seed.js';

/**
 * What a call should give when tenant A names tenant B's objects: 'not_found' = an isError result that
 * says so; 'nothing' = a normal result that reveals none of B's data (an empty list, a job of A's own).
 * Every call, whatever its expectation, must leave B's rows unchanged and never echo B's ids or contacts.
 */
type Expect = 'not_found' | 'nothing';
interface Call {
  args: Record<string, unknown>;
  expect: Expect;
}

let bWebhookId = '';

const csv = (b: SeededTenant) =>
  Buffer.from(`nome;cnpj;telefone;email\nEmpresa B Copiada;${b.documento};${b.phone};${b.email}\n`).toString('base64');

/**
 * Every tool of tools/list needs an entry (the test fails otherwise): the arguments by which a caller
 * of tenant A could reach tenant B's leads, jobs, campaigns, meetings, suppressions, replies, …
 */
const CALLS: Record<string, (b: SeededTenant) => Call[]> = {
  get_status: () => [{ args: {}, expect: 'nothing' }],
  ingest_leads: (b) => [
    { args: { content_base64: csv(b), filename: 'b.csv', validate_only: true }, expect: 'nothing' },
  ],
  job_status: (b) => [
    { args: { job_id: b.jobId }, expect: 'not_found' },
    { args: { job_id: b.campanhaId }, expect: 'not_found' },
    { args: {}, expect: 'nothing' },
  ],
  query_leads: (b) => [
    { args: { lead_id: b.leadId }, expect: 'not_found' },
    { args: { source_job_id: b.jobId }, expect: 'nothing' },
    { args: { text: b.documento }, expect: 'nothing' },
    { args: {}, expect: 'nothing' },
  ],
  update_lead: (b) => [
    { args: { lead_id: b.leadId, status: 'perdido', reason: 'tentativa de outro tenant' }, expect: 'not_found' },
  ],
  decide_channel: (b) => [
    { args: { lead_id: b.leadId }, expect: 'not_found' },
    { args: { lead_ids: [b.leadId] }, expect: 'nothing' }, // a batch reports the unknown ids, decides nothing
  ],
  dry_run_dispatch: (b) => [
    { args: { lead_ids: [b.leadId] }, expect: 'nothing' },
    { args: { filter: { source_job_id: b.jobId } }, expect: 'nothing' },
  ],
  send_message: (b) => [{ args: { lead_id: b.leadId }, expect: 'not_found' }],
  start_dispatch: (b) => [
    { args: { lead_ids: [b.leadId], campaign_key: 'cross-tenant' }, expect: 'nothing' },
    { args: { filter: { source_job_id: b.jobId }, campaign_key: 'cross-tenant-filter' }, expect: 'nothing' },
  ],
  control_dispatch: (b) =>
    (['pause', 'resume', 'cancel'] as const).map((action) => ({
      args: { job_id: b.campanhaId, action },
      expect: 'not_found' as const,
    })),
  manage_suppression: (b) => [
    { args: { action: 'opt_out_lead', lead_id: b.leadId }, expect: 'not_found' },
    { args: { action: 'remove', kind: 'email', value: `sup-${b.email}` }, expect: 'nothing' },
    { args: { action: 'list' }, expect: 'nothing' },
  ],
  lgpd_request: (b) => [
    // By document: handle_reply's calls below leave A rows of its own from B's phone and e-mail.
    { args: { action: 'export', document: b.documento }, expect: 'nothing' },
    { args: { action: 'list', document: b.documento }, expect: 'nothing' },
    { args: { action: 'open', type: 'erasure', email: b.email }, expect: 'nothing' },
  ],
  handle_reply: (b) => [
    {
      args: {
        channel: 'whatsapp',
        from: b.phone,
        text: 'SAIR',
        received_at: '2026-11-24T13:00:00Z',
        message_id: `wamid-${b.leadId}`,
      },
      expect: 'nothing',
    },
    {
      args: {
        channel: 'email',
        from: b.email,
        text: 'quero parar',
        received_at: '2026-11-24T13:00:00Z',
        message_id: 'email-b-1',
      },
      expect: 'nothing',
    },
  ],
  // (Not 'todas': handle_reply above stored, in A, replies from B's phone and e-mail as unknown senders —
  // A's own rows, which would read as B's data here.)
  list_replies: () => [
    { args: { filter: 'ambiguas' }, expect: 'nothing' },
    { args: {}, expect: 'nothing' },
  ],
  // B's campaign is not found; the lists show A's rows only (B's dry run batch lists nothing). (Not
  // 'campaigns': start_dispatch above made A campaigns whose own target names B's job id.)
  get_report: (b) => [
    { args: { view: 'funnel', campaign_id: b.campanhaId }, expect: 'not_found' },
    { args: { view: 'blocked', campaign_id: b.campanhaId }, expect: 'not_found' },
    { args: { view: 'blocked', batch_id: b.loteId }, expect: 'nothing' },
    ...(['funnel', 'inbound', 'meetings'] as const).map((view) => ({
      args: { view, from: '2000-01-01', to: '2100-01-01' },
      expect: 'nothing' as const,
    })),
  ],
  // A's events only: none of B's ids, even reading from the start.
  list_events: () => [
    { args: {}, expect: 'nothing' },
    { args: { after: '0', limit: 500 }, expect: 'nothing' },
  ],
  propose_slots: (b) => [{ args: { lead_id: b.leadId }, expect: 'not_found' }],
  schedule_meeting: (b) => [
    { args: { lead_id: b.leadId, start: '2100-01-05T10:00:00-03:00', force: true }, expect: 'not_found' },
  ],
  update_meeting: (b) =>
    (['confirm', 'cancel', 'reschedule', 'complete', 'no_show'] as const).map((action) => ({
      args: {
        agendamento_id: b.agendamentoId,
        action,
        ...(action === 'reschedule' ? { start: '2100-01-06T10:00:00-03:00' } : {}),
      },
      expect: 'not_found' as const,
    })),
  send_reminders: () => [{ args: { window_hours: 168 }, expect: 'nothing' }],
  generate_briefing: (b) => [
    { args: { lead_id: b.leadId }, expect: 'not_found' },
    { args: { agendamento_id: b.agendamentoId }, expect: 'not_found' },
  ],
  manage_templates: (b) => [
    { args: { action: 'list' }, expect: 'nothing' },
    { args: { action: 'preview', template_id: 'cobranca_padrao_whatsapp_v2', lead_id: b.leadId }, expect: 'not_found' },
  ],
  // B's endpoint (seeded in eventos_destinos; its id read in beforeAll) is not A's to rotate or remove.
  manage_webhooks: () => [
    { args: { action: 'list' }, expect: 'nothing' },
    { args: { action: 'rotate', webhook_id: bWebhookId }, expect: 'not_found' },
    { args: { action: 'remove', webhook_id: bWebhookId }, expect: 'not_found' },
  ],
  set_outreach_policy: () => [
    { args: { pace: { channel: 'whatsapp', per_second: 1 }, max_messages_per_lead_24h: 2 }, expect: 'nothing' },
  ],
};

describe(`tenant isolation through every tool (${testDbKind()})`, () => {
  let db: TestDb;
  let a: SeededTenant;
  let b: SeededTenant;
  let tables: string[];
  let client: Awaited<ReturnType<typeof connectClient>>;

  beforeAll(async () => {
    db = await openTestDb();
    tables = await tenantTables(db.kysely);
    const ta = await ensureTenant(db.kysely, 'iso-a');
    a = await seedTenant(db.kysely, ta.tenant_id, 1);
    b = await seedTenant(db.kysely, (await ensureTenant(db.kysely, 'iso-b')).tenant_id, 2);
    bWebhookId = await withTenant(db.kysely, b.tenantId, async (tx) => {
      const { rows } = await sql<{ destino_id: string }>`select destino_id from eventos_destinos limit 1`.execute(tx);
      return rows[0]!.destino_id;
    });
    // Tenant A's server, every tool registered, sending off (the safe default).
    client = await connectClient(await makeDeps(db, { tenant: ta, env: {} }));
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('has an entry for every tool of tools/list (add one for each new tool)', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).filter((n) => !(n in CALLS))).toEqual([]);
  });

  it("answers tenant A's calls with tenant B's ids with 'not found' or nothing, and leaves B's data untouched", async () => {
    const { tools } = await client.listTools();
    const before = await tenantSnapshot(db.kysely, b.tenantId, tables);
    // What of B's must never appear in an answer to A (A's own seed uses other values).
    const secrets = [
      b.tenantId,
      b.leadId,
      b.jobId,
      b.campanhaId,
      b.disparoId,
      b.agendamentoId,
      b.tokenId,
      b.mensagemId,
      b.loteId,
      b.phone,
      b.email,
      b.documento,
      bWebhookId,
      'iso-b',
    ];
    const report: string[] = [];
    for (const tool of tools) {
      for (const call of (CALLS[tool.name] ?? (() => []))(b)) {
        const res = await client.callTool({ name: tool.name, arguments: call.args });
        const text = textOf(res);
        const shown = JSON.stringify(res.structuredContent ?? {}) + text;
        // Echoing an id the caller gave is no leak; anything else of B's is.
        const given = JSON.stringify(call.args);
        const leaked = secrets.filter((s) => shown.includes(s) && !given.includes(s));
        const ok =
          call.expect === 'not_found'
            ? res.isError === true && /not[ _]found|não encontrad/i.test(text)
            : res.isError !== true;
        if (!ok || leaked.length)
          report.push(
            `${tool.name} ${JSON.stringify(call.args).slice(0, 120)} → ${res.isError ? 'isError ' : ''}${text.slice(0, 200)}${leaked.length ? ` LEAKED ${leaked.join(',')}` : ''}`,
          );
      }
    }
    expect(report).toEqual([]);
    expect(await tenantSnapshot(db.kysely, b.tenantId, tables)).toEqual(before);
    // A's own rows were reachable all along (the calls did not fail for some unrelated reason).
    const mine = await client.callTool({ name: 'query_leads', arguments: { lead_id: a.leadId } });
    expect(mine.isError).toBeFalsy();
  });
});
