import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_APP_URI } from '../../src/apps/campaign-app.js';
import { applyStatus } from '../../src/core/inbound/apply-status.js';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { cnpjFor } from '../helpers/leads-data.js';
import { meetingsEnv, type MeetingsEnv } from '../helpers/meetings-setup.js';
import { textOf } from '../helpers/server.js';

/*
 * get_report (issue 19 step 2) through a real MCP client on both databases: the funnel counted from
 * events (delivery statuses, failures by code, per channel, template and period), paging of the lists,
 * refusals that say what to do; and a cancelled or missed meeting returns its lead to where it was
 * before the booking (a lead that never replied does not become respondeu).
 */
const NOW = '2026-11-24T13:00:00Z';

describe(`get_report: funnel from events, lists, paging (${testDbKind()})`, () => {
  let db: TestDb;
  let e: MeetingsEnv;
  let n = 0;
  let campaignId = '';
  const leads: string[] = [];
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await e.client.callTool({ name, arguments: args });
    expect(r.isError, textOf(r)).toBeFalsy();
    return { data: r.structuredContent as any, text: textOf(r) };
  };
  const refused = async (args: Record<string, unknown>) => {
    const r = await e.client.callTool({ name: 'get_report', arguments: args });
    expect(r.isError).toBe(true);
    return textOf(r);
  };
  const lead = (s: { phone?: string; email?: string; status?: string }) => {
    const i = ++n;
    return insertLead(db.kysely, e.tenantId, {
      nome: `Loja ${String(i).padStart(2, '0')}`,
      contato: `Pessoa ${i}`,
      documento: cnpjFor(500 + i),
      status: s.status ?? 'novo',
      phones: s.phone ? [{ e164: s.phone }] : [],
      emails: s.email ? [{ email: s.email }] : [],
    });
  };
  const leadStatus = async (id: string) =>
    (
      await withTenant(db.kysely, e.tenantId, (tx) =>
        tx.selectFrom('leads').select('status').where('lead_id', '=', id).executeTakeFirstOrThrow(),
      )
    ).status;

  beforeAll(async () => {
    db = await openTestDb();
    e = await meetingsEnv(db, { now: NOW });
    for (let i = 1; i <= 4; i++) leads.push(await lead({ phone: `+55119710000${i}0` }));
    leads.push(await lead({ email: 'cinco@loja.com.br' }));
    const started = await call('start_dispatch', { lead_ids: leads, campaign_key: 'funil' });
    campaignId = started.data.job_id;
    await e.drain();
    // Delivery statuses through the return path's use case (as a webhook applies them).
    const ids = await withTenant(db.kysely, e.tenantId, (tx) =>
      sql<{ lead_id: string; message_id_externo: string }>`
        select lead_id, message_id_externo from disparos where campanha_id = ${campaignId}`.execute(tx),
    );
    const msg = (lead: string) => ids.rows.find((r) => r.lead_id === lead)!.message_id_externo;
    const at = new Date(NOW);
    const status = (lead: string, s: 'entregue' | 'lido' | 'falhou', code: string | null = null) =>
      withTenant(db.kysely, e.tenantId, (tx) =>
        applyStatus(
          tx,
          { tenantId: e.tenantId, actor: 'teste', now: at },
          {
            providerId: msg(lead),
            status: s,
            at,
            code,
            detail: null,
          },
        ),
      );
    await status(leads[0], 'entregue');
    await status(leads[0], 'lido');
    await status(leads[1], 'entregue');
    await status(leads[2], 'falhou', '999999');
  }, 60_000);
  afterAll(async () => {
    await e?.close();
    await db?.destroy();
  });

  it('funnel of a campaign: delivered, read, failed by code, per channel; a template or channel narrows it', async () => {
    const r = await call('get_report', { view: 'funnel', campaign_id: campaignId });
    expect(r.data.funnel).toMatchObject({ queued: 5, sent: 5, delivered: 2, read: 1, failed: 1, replied: 0 });
    expect(r.data.funnel.failed_by_reason).toEqual({ '999999': 1 });
    expect(r.data.by_channel.whatsapp).toMatchObject({ queued: 4, sent: 4, delivered: 2, read: 1, failed: 1 });
    expect(r.data.by_channel.email).toMatchObject({ queued: 1, sent: 1, delivered: 0 });
    expect(Object.keys(r.data).sort()).toEqual(
      ['blocked_by_reason', 'bucket_seconds', 'by_channel', 'funnel', 'pace_per_second', 'scope', 'timeline'].sort(),
    );
    expect(r.data.timeline.length).toBeLessThanOrEqual(121);
    expect(r.text).toContain('Failed by reason: 999999 1.');
    const email = await call('get_report', { view: 'funnel', campaign_id: campaignId, channel: 'email' });
    expect(email.data.funnel).toMatchObject({ queued: 1, sent: 1, failed: 0 });
    const tpl = await call('get_report', { view: 'funnel', template: 'cobranca_padrao_email_v2' });
    expect(tpl.data.scope).toMatchObject({ campaign_id: null, template: 'cobranca_padrao_email_v2' });
    expect(tpl.data.funnel).toMatchObject({ queued: 1, sent: 1 });
  });

  it('funnel of a period: every event of the tenant in it, buckets so the timeline stays ≤ ~120 points', async () => {
    const all = await call('get_report', { view: 'funnel' });
    expect(all.data.funnel).toMatchObject({ queued: 5, sent: 5, delivered: 2, read: 1, failed: 1 });
    const long = await call('get_report', { view: 'funnel', from: '2000-01-01' });
    expect(long.data.timeline.length).toBeLessThanOrEqual(121);
    expect(long.data.timeline.reduce((a: number, p: any) => a + p.sent, 0)).toBe(5);
    const none = await call('get_report', { view: 'funnel', from: '2001-01-01', to: '2001-01-31' });
    expect(none.data.funnel).toMatchObject({ queued: 0, sent: 0 });
    expect(none.data.bucket_seconds).toBe(43200);
  });

  it('a cancelled meeting of a lead that never replied leaves it novo; a missed one returns contatado', async () => {
    const fresh = await lead({ phone: '+5511971111111' });
    const booked = await call('schedule_meeting', { lead_id: fresh, start: '2026-11-25T10:00:00-03:00' });
    expect(booked.data.lead_status).toBe('agendado');
    const cancel = await call('update_meeting', {
      agendamento_id: booked.data.agendamento.agendamento_id,
      action: 'cancel',
    });
    expect(cancel.data.lead_status).toBe('novo');
    expect(await leadStatus(fresh)).toBe('novo');
    // A lead of the campaign (contatado) books and does not come.
    expect(await leadStatus(leads[1])).toBe('contatado');
    const m = await call('schedule_meeting', { lead_id: leads[1], start: '2026-11-25T11:00:00-03:00' });
    e.clock.set('2026-11-25T15:00:00Z');
    const missed = await call('update_meeting', {
      agendamento_id: m.data.agendamento.agendamento_id,
      action: 'no_show',
    });
    expect(missed.data.lead_status).toBe('contatado');
    e.clock.set(NOW);
    const r = await call('get_report', { view: 'funnel', campaign_id: campaignId });
    expect(r.data.funnel.meetings).toEqual({ booked: 1, confirmed: 0, held: 0, no_show: 1, cancelled: 0 });
    const all = await call('get_report', { view: 'funnel' });
    expect(all.data.funnel.meetings).toEqual({ booked: 2, confirmed: 0, held: 0, no_show: 1, cancelled: 1 });
    const day = await call('get_report', { view: 'meetings', from: '2026-11-25', status: 'cancelado' });
    expect(day.data.rows.map((x: any) => x.lead_id)).toEqual([fresh]);
  });

  it('blocked: a page at a time with a cursor, all counts by reason on every page; one reason alone', async () => {
    for (let i = 0; i < 3; i++) await lead({});
    const dry = await call('dry_run_dispatch', { filter: { status: ['novo', 'sem_canal'] } });
    const first = await call('get_report', { view: 'blocked', batch_id: dry.data.batch_id, limit: 2 });
    expect(first.data.blocked_by_reason).toMatchObject({ sem_canal: 3 });
    expect(first.data.rows).toHaveLength(2);
    expect(first.text).toContain(`cursor "${first.data.next_cursor}"`);
    const rest = await call('get_report', {
      view: 'blocked',
      batch_id: dry.data.batch_id,
      limit: 2,
      cursor: first.data.next_cursor,
    });
    const all = [...first.data.rows, ...rest.data.rows];
    expect(new Set(all.map((x: any) => x.lead_id)).size).toBe(all.length);
    expect(all.filter((x: any) => x.reason === 'sem_canal')).toHaveLength(3);
    const only = await call('get_report', { view: 'blocked', batch_id: dry.data.batch_id, reason: 'sem_canal' });
    expect(only.data.rows.map((x: any) => x.reason)).toEqual(['sem_canal', 'sem_canal', 'sem_canal']);
    expect(only.data.next_cursor).toBeNull();
  });

  it('campaigns: newest first, paged, with target, counts and pace', async () => {
    await call('start_dispatch', { lead_ids: [leads[0]], campaign_key: 'segunda', pace: 2 });
    const p1 = await call('get_report', { view: 'campaigns', limit: 1 });
    expect(p1.data.rows).toEqual([expect.objectContaining({ key: 'segunda', pace: 2, filter: '1 lead_ids' })]);
    const p2 = await call('get_report', { view: 'campaigns', limit: 1, cursor: p1.data.next_cursor });
    expect(p2.data.rows).toEqual([expect.objectContaining({ key: 'funil', mode: 'real', counts: { enviado: 5 } })]);
    expect(p2.text).toContain(`${campaignId} | funil | real`);
  });

  it('carries the campaign App in tools/list, so App hosts draw the funnel as a picture', async () => {
    const { tools } = await e.client.listTools();
    const tool = tools.find((t) => t.name === 'get_report')!;
    expect((tool._meta as any)?.ui?.resourceUri).toBe(CAMPAIGN_APP_URI);
  });

  it('refuses what it cannot answer, saying what to give instead', async () => {
    expect(await refused({ view: 'funnel', from: '2026-12-10 10:00' })).toMatch(/2026-12-10T10:00:00-03:00/);
    expect(await refused({ view: 'blocked' })).toMatch(/batch_id \(from dry_run_dispatch\)/);
    expect(await refused({ view: 'blocked', campaign_id: campaignId })).toMatch(/dry_run_dispatch/);
    expect(await refused({ view: 'blocked', batch_id: campaignId, reason: 'nope' })).toMatch(/not a block code/);
    expect(await refused({ view: 'meetings', status: 'feito' })).toMatch(/agendado/);
    expect(await refused({ view: 'campaigns', cursor: 'xyz' })).toMatch(/next_cursor/);
  });
});
