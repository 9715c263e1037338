import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { leadsCsv } from '../helpers/leads-data.js';
import { meetingsEnv, type MeetingsEnv } from '../helpers/meetings-setup.js';
import { textOf } from '../helpers/server.js';

/**
 * Every tool's `text` carries the rows it returns (issue 19 step 5): a client that passes only text
 * to the model gives it the data, not a count. The tools come from tools/list, so a new tool fails
 * here until it has a case below (or is in NO_ROWS with why). Each case calls the tool through a real
 * client with the real sandbox channels, and every row's key (up to the tool's page size) must be in
 * the text; a page larger than the text shows ends with where to get the rest.
 */

type Sc = Record<string, any>;
interface Ctx {
  leads: string[];
  jobId: string;
  campaignId: string;
  agendamentoId: string;
}
interface Case {
  args(c: Ctx): Record<string, unknown>;
  /** The keys of the rows the call returned, in the order returned. */
  rows(sc: Sc): string[];
  /** Rows the text must show; the rest are counted with a pointer. */
  page?: number;
  /** Remembers what later cases need (a job, a meeting). */
  keep?(sc: Sc, c: Ctx): void;
}

const LEADS = 110;
const ids = (xs: Array<Record<string, unknown>> | undefined, key: string) => (xs ?? []).map((x) => String(x[key]));

/** In call order: later cases use what earlier ones made (a campaign, a meeting). */
const CASES: Record<string, Case> = {
  get_status: { args: () => ({}), rows: (sc) => ids(sc.channels, 'channel') },
  query_leads: { args: () => ({ limit: 100 }), rows: (sc) => ids(sc.leads, 'lead_id'), page: 100 },
  decide_channel: { args: (c) => ({ lead_ids: c.leads }), rows: (sc) => ids(sc.decisions, 'lead_id'), page: 100 },
  dry_run_dispatch: { args: (c) => ({ lead_ids: c.leads.slice(0, 20) }), rows: (sc) => ids(sc.sample, 'lead_id') },
  send_message: { args: (c) => ({ lead_id: c.leads[1] }), rows: (sc) => [sc.lead_id, sc.disparo_id] },
  start_dispatch: {
    args: (c) => ({ lead_ids: c.leads.slice(1, 6), campaign_key: 'rows-in-text' }),
    rows: (sc) => [sc.job_id],
    keep: (sc, c) => void (c.campaignId = sc.job_id),
  },
  job_status: { args: () => ({}), rows: (sc) => ids(sc.jobs, 'job_id') },
  // (Its funnel view answers one CampaignReport, its table of stages; the lists are rows.)
  get_report: { args: () => ({ view: 'campaigns' }), rows: (sc) => ids(sc.rows, 'campaign_id'), page: 50 },
  manage_suppression: {
    args: () => ({ action: 'list' }),
    rows: (sc) => ids(sc.entries, 'value'),
  },
  handle_reply: {
    args: () => ({ channel: 'whatsapp', from: '+5511910000007', text: 'Vocês atendem em Manaus? Qual o valor?' }),
    rows: (sc) => [sc.inbound_message_id, sc.lead_id],
  },
  list_replies: { args: () => ({ filter: 'todas' }), rows: (sc) => ids(sc.replies, 'inbound_message_id') },
  list_events: { args: () => ({ limit: 50 }), rows: (sc) => ids(sc.events, 'sequence'), page: 50 },
  manage_webhooks: { args: () => ({ action: 'list' }), rows: (sc) => ids(sc.webhooks, 'webhook_id') },
  manage_templates: { args: () => ({ action: 'list' }), rows: (sc) => ids(sc.items, 'template_id') },
  propose_slots: { args: (c) => ({ lead_id: c.leads[10] }), rows: (sc) => ids(sc.slots, 'start_local') },
  schedule_meeting: {
    args: (c) => ({ lead_id: c.leads[10], start: '2026-11-24T10:00' }),
    rows: (sc) => [sc.agendamento.agendamento_id],
    keep: (sc, c) => void (c.agendamentoId = sc.agendamento.agendamento_id),
  },
  update_meeting: {
    args: (c) => ({ agendamento_id: c.agendamentoId, action: 'confirm' }),
    rows: (sc) => [sc.agendamento.agendamento_id],
  },
  send_reminders: { args: () => ({ window_hours: 48 }), rows: (sc) => ids(sc.items, 'agendamento_id') },
  generate_briefing: { args: (c) => ({ lead_id: c.leads[10] }), rows: (sc) => ids(sc.timeline, 'summary') },
  lgpd_request: { args: () => ({ action: 'list' }), rows: (sc) => ids(sc.requests, 'request_id') },
  ingest_leads: {
    args: () => ({ content_base64: b64(badRows), filename: 'ruins.csv' }),
    rows: (sc) => sc.job.problems_sample.map((p: { row: number }) => `\n${p.row} |`),
  },
};

/** Tools that answer one record and no rows — each with why. */
const NO_ROWS: Record<string, string> = {
  update_lead:
    "one lead's change (id, status before and after, fields corrected); the lead itself: query_leads {lead_id}",
  control_dispatch: "one campaign's id and its status after the action",
  set_outreach_policy: "the tenant's policy, one record; its per-channel limits are a line each",
};

const b64 = (s: string) => Buffer.from(s).toString('base64');
const badRows =
  'Empresa;Contato;CNPJ;Celular;Email\n' +
  'Sem Telefone Ltda;Ana;;123;nao-e-email\n' +
  'Outro Ruim Ltda;Bia;;(11) 1234;@@\n' +
  'Terceiro Ltda;Caio;;99;x@\n';

describe(`every tool's text carries its rows (${testDbKind()})`, () => {
  let db: TestDb;
  let e: MeetingsEnv;
  const ctx: Ctx = { leads: [], jobId: '', campaignId: '', agendamentoId: '' };
  beforeAll(async () => {
    db = await openTestDb();
    e = await meetingsEnv(db, { now: '2026-11-23T13:00:00Z' }); // Monday 10:00 in São Paulo; sending on
    const call = async (name: string, args: Record<string, unknown>) => {
      const r = await e.client.callTool({ name, arguments: args });
      expect(r.isError, textOf(r)).toBeFalsy();
      return r.structuredContent as Sc;
    };
    await call('ingest_leads', { content_base64: b64(leadsCsv(0, LEADS)), filename: 'rows.csv' });
    let cursor: string | null = null;
    do {
      const page: Sc = await call('query_leads', { limit: 100, ...(cursor ? { cursor } : {}) });
      ctx.leads.push(...ids(page.leads, 'lead_id'));
      cursor = page.next_cursor;
    } while (cursor);
    for (const value of ['+5511900000001', 'bloqueado@exemplo.com.br', '11222333000181'])
      await call('manage_suppression', {
        action: 'add',
        kind: value.includes('@') ? 'email' : value.startsWith('+') ? 'telefone' : 'documento',
        value,
      });
    await call('manage_webhooks', { action: 'add', url: 'https://hooks.example.com/agente' });
    await call('lgpd_request', { action: 'open', type: 'access', email: 'contato3@empresa3.com.br' });
  }, 240_000);
  afterAll(async () => {
    await e?.close();
    await db?.destroy();
  });

  it('every tool in tools/list has a rows case or is listed as answering no rows, with why', async () => {
    const { tools } = await e.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names.filter((n) => !(n in CASES) && !(n in NO_ROWS))).toEqual([]);
    expect(Object.keys(CASES).filter((n) => n in NO_ROWS)).toEqual([]);
    for (const why of Object.values(NO_ROWS)) expect(why.length).toBeGreaterThan(20);
    expect(ctx.leads).toHaveLength(LEADS);
  });

  it.each(Object.keys(CASES))('%s: the text shows each row it returns', async (name) => {
    const c = CASES[name];
    const res = await e.client.callTool({ name, arguments: c.args(ctx) });
    const text = textOf(res);
    expect(res.isError, text).toBeFalsy();
    const sc = res.structuredContent as Sc;
    c.keep?.(sc, ctx);
    if (process.env.SHOW_TEXTS) process.stdout.write(`\n=== ${name}\n${text.slice(0, 1500)}\n`);
    const rows = c
      .rows(sc)
      .filter((k) => k !== null && k !== undefined && k !== 'null' && k !== '')
      .map(String);
    expect(rows.length, `${name} returned no rows to check`).toBeGreaterThan(0);
    const page = c.page ?? rows.length;
    const missing = rows.slice(0, page).filter((k) => !text.includes(k));
    expect(missing, `${name}: rows missing from its text:\n${text.slice(0, 2000)}`).toEqual([]);
    if (rows.length > page) expect(text).toMatch(/more row\(s\): |call again/);
    expect(Buffer.byteLength(text), `${name}: text is bounded`).toBeLessThan(40_000);
  });

  it('a page larger than the text shows counts the rest and says how to get them', async () => {
    const res = await e.client.callTool({ name: 'decide_channel', arguments: { lead_ids: ctx.leads } });
    expect(textOf(res)).toContain(`… ${LEADS - 100} more row(s): call again with the lead_ids after these`);
    const page = await e.client.callTool({ name: 'query_leads', arguments: { limit: 100 } });
    const cursor = (page.structuredContent as Sc).next_cursor;
    expect(textOf(page)).toContain(`More: call again with cursor "${cursor}".`);
  });
});
