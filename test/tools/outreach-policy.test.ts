import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelClient } from '../../src/core/outreach/channel-port.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { withTenant } from '../../src/db/tenant.js';
import { insertLead } from '../helpers/fixtures.js';
import { cnpjFor } from '../helpers/leads-data.js';
import { TEST_CREDITOR, connectClient, fixedClock, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';
import { configuredChannels } from '../helpers/dispatch-setup.js';

const TUESDAY_10 = fixedClock('2026-11-24T13:00:00Z');
const configured = configuredChannels('whatsapp', 'email', 'calendar');

describe(`lead states, suppression, dry run and the dispatch flag (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  const setup = async (env: NodeJS.ProcessEnv = {}, channelClient?: ChannelClient) => {
    const deps = await makeDeps(db, {
      tenantSlug: `t-${Math.random().toString(36).slice(2, 10)}`,
      clock: TUESDAY_10,
      channels: configured,
      env,
      channelClient,
    });
    return { deps, client: await connectClient(deps) };
  };

  it('refuses illegal transitions with the possible ones, records legal ones in the history', async () => {
    const { deps, client } = await setup();
    const id = await insertLead(db.kysely, deps.tenant.tenant_id, { nome: 'Estado', documento: '11222333000181' });
    const bad = await client.callTool({
      name: 'update_lead',
      arguments: { lead_id: id, status: 'realizado', reason: 'teste' },
    });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(
      /Illegal transition novo → realizado.*From novo a lead can go to: em_disparo, contatado/,
    );
    const ok = await client.callTool({
      name: 'update_lead',
      arguments: { lead_id: id, status: 'perdido', reason: 'sem interesse' },
    });
    expect(ok.structuredContent).toEqual({ lead_id: id, previous_status: 'novo', status: 'perdido', changed: [] });
    const detail = (await client.callTool({ name: 'query_leads', arguments: { lead_id: id } }))
      .structuredContent as any;
    expect(detail.lead.history).toEqual([
      expect.objectContaining({
        type: 'transicao',
        from_status: 'novo',
        to_status: 'perdido',
        reason: 'sem interesse',
        actor: `stdio:${deps.tenant.slug}`,
      }),
    ]);
    await client.closeAll();
  });

  it('lets only one of two concurrent conflicting transitions win', async () => {
    const { deps, client } = await setup();
    const id = await insertLead(db.kysely, deps.tenant.tenant_id, { nome: 'Corrida', documento: '11222333000181' });
    const other = await connectClient(deps);
    // Racing respondeu against sem_canal: both legal from novo, and neither is legal from the other
    // (sem_canal → contatado is legal — a fallback e-mail may still reach the lead — so that pair may both win).
    const results = await Promise.all([
      client.callTool({
        name: 'update_lead',
        arguments: { lead_id: id, status: 'respondeu', reason: 'respondeu por telefone' },
      }),
      other.callTool({
        name: 'update_lead',
        arguments: { lead_id: id, status: 'sem_canal', reason: 'sem contato' },
      }),
    ]);
    expect(
      results.filter((r) => !r.isError),
      results.map(textOf).join(' / '),
    ).toHaveLength(1);
    const detail = (await client.callTool({ name: 'query_leads', arguments: { lead_id: id } }))
      .structuredContent as any;
    expect(detail.lead.history).toHaveLength(1);
    await client.closeAll();
    await other.closeAll();
  });

  it('keeps an opted-out person out: the lead stays opt_out and a re-import under another name is born opted out', async () => {
    const { deps, client } = await setup();
    const dir = tempDir('optout-');
    deps.config.ingestDirs = [dir];
    writeFileSync(join(dir, 'a.csv'), 'Empresa;Celular;Email\nLoja Azul;(11) 98765-4321;azul@loja.com.br\n');
    writeFileSync(join(dir, 'b.csv'), 'Empresa;Celular\nAZUL COMERCIO (outro nome);11 8765-4321\n');
    await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dir, 'a.csv') } });
    const [lead] = (
      (await client.callTool({ name: 'query_leads', arguments: { text: 'loja azul' } })).structuredContent as any
    ).leads;
    const out = await client.callTool({
      name: 'manage_suppression',
      arguments: { action: 'opt_out_lead', lead_id: lead.lead_id, reason: 'respondeu SAIR' },
    });
    expect(out.isError, textOf(out)).toBeFalsy();
    expect((out.structuredContent as any).changed).toBe(2);
    const back = await client.callTool({
      name: 'update_lead',
      arguments: { lead_id: lead.lead_id, status: 'novo', reason: 'tentar de novo' },
    });
    expect(back.isError).toBe(true);
    expect(textOf(back)).toMatch(/opt_out is terminal/);

    await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dir, 'a.csv') } });
    await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dir, 'b.csv') } });
    const all = ((await client.callTool({ name: 'query_leads', arguments: {} })).structuredContent as any).leads;
    expect(all.map((l: any) => [l.name, l.status]).sort()).toEqual([
      ['AZUL COMERCIO (outro nome)', 'opt_out'],
      ['Loja Azul', 'opt_out'],
    ]);
    const dry = (await client.callTool({ name: 'dry_run_dispatch', arguments: { filter: {} } }))
      .structuredContent as any;
    expect(dry.would_send_now).toBe(0);
    expect(dry.by_block_code).toEqual({ opt_out: 2 });
    await client.closeAll();
  });

  it('dry_run_dispatch writes exactly one dry_run_log row per lead and returns rendered examples', async () => {
    const { deps, client } = await setup();
    const t = deps.tenant.tenant_id;
    for (let i = 0; i < 30; i++) {
      await insertLead(db.kysely, t, {
        nome: `Empresa ${i}`,
        contato: `Pessoa ${i}`,
        documento: i % 3 === 2 ? undefined : cnpjFor(i),
        phones: i % 2 === 0 ? [{ e164: `+55119${String(80000000 + i)}` }] : [],
        emails: i % 5 === 0 ? [] : [{ email: `p${i}@e.com` }],
      });
    }
    const res = await client.callTool({ name: 'dry_run_dispatch', arguments: { filter: {}, limit: 1000 } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const s = res.structuredContent as any;
    expect(s.total).toBe(30);
    const rows = await withTenant(db.kysely, deps.tenant.tenant_id, (tx) =>
      tx
        .selectFrom('dry_run_log')
        .select(['lead_id', 'canal_decidido', 'disparo_seria_executado', 'razao_bloqueio'])
        .where('lote_id', '=', s.batch_id)
        .execute(),
    );
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((r) => r.lead_id)).size).toBe(30);
    expect(s.by_channel.whatsapp + (s.by_channel.email ?? 0) + (s.by_channel.none ?? 0)).toBe(30);
    expect(s.would_send_now + s.deferred + s.blocked).toBe(30);
    for (const r of rows) expect(r.disparo_seria_executado || !!r.razao_bloqueio).toBe(true);
    expect(s.sample.length).toBeGreaterThan(0);
    const sample = s.sample.find((a: any) => a.message);
    expect(sample.message).toMatch(/^Olá, Pessoa[!,]/);
    expect(textOf(res)).toMatch(/^DRY RUN .* nothing was sent/);
    // filter.channel keeps only the leads decided for that channel.
    const none = (
      await client.callTool({ name: 'dry_run_dispatch', arguments: { filter: { channel: 'none' }, limit: 1000 } })
    ).structuredContent as any;
    expect(none.total).toBe(s.by_channel.none ?? 0);
    expect(Object.keys(none.by_channel)).toEqual(none.total ? ['none'] : []);
    await client.closeAll();
  });

  it('set_outreach_policy: English fields in and out, stored as the time module reads them; bad windows refused', async () => {
    const { deps, client } = await setup();
    const read = await client.callTool({ name: 'set_outreach_policy', arguments: {} });
    const weekday = { start: '08:00', end: '20:00' };
    // No sender name set: the creditor's razão social, never the tenant's slug.
    expect(read.structuredContent).toEqual({
      sender_name: TEST_CREDITOR.razao_social,
      creditor: {
        legal_name: TEST_CREDITOR.razao_social,
        tax_id: TEST_CREDITOR.cnpj,
        address: TEST_CREDITOR.endereco,
        contact: TEST_CREDITOR.contato,
      },
      prescription_years: 5,
      max_messages_per_lead_24h: 1,
      send_window: {
        respect_holidays: true,
        days: [null, weekday, weekday, weekday, weekday, weekday, { start: '08:00', end: '14:00' }],
      },
      // The platform's limits as they stand (nothing configured yet: the defaults, nothing used).
      limits: ['whatsapp', 'email'].map((channel) => ({
        channel,
        per_second: 80,
        sent_last_second: 0,
        recipients_24h: { used: 0, max: 100_000, frees_at: null },
        pair_ms: 6500,
        campaign_pace: null,
      })),
    });
    const days = [null, ...Array(5).fill({ start: '09:00', end: '18:00' }), null];
    const res = await client.callTool({
      name: 'set_outreach_policy',
      arguments: {
        sender_name: 'Cobranças Sul',
        send_window: { days, respect_holidays: true, extra_holidays: ['2026-12-24'] },
        max_messages_per_lead_24h: 2,
        pace: { channel: 'email', per_second: 5, max_recipients_24h: 2000 },
        template: {
          id: 'aviso_curto_v1',
          channel: 'whatsapp',
          body: 'Olá, {{contato}}! Aqui é {{remetente}}.\n\nSe não quiser mais receber mensagens, responda SAIR.',
        },
      },
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent).toMatchObject({
      sender_name: 'Cobranças Sul',
      prescription_years: 5,
      send_window: { days, respect_holidays: true, extra_holidays: ['2026-12-24'] },
      max_messages_per_lead_24h: 2,
      // The pace just set reads back in the answer.
      limits: [{ channel: 'whatsapp' }, { channel: 'email', per_second: 5, recipients_24h: { max: 2000 } }],
    });
    const t = deps.tenant.tenant_id;
    const stored = await withTenant(db.kysely, t, async (tx) => ({
      policy: await tx.selectFrom('tenant_politicas').select('janela_envio').executeTakeFirstOrThrow(),
      pace: await tx
        .selectFrom('rate_limits')
        .select(['por_segundo', 'max_destinatarios_24h'])
        .executeTakeFirstOrThrow(),
      template: await tx.selectFrom('templates_tenant').select('definicao').executeTakeFirstOrThrow(),
    }));
    expect((stored.policy.janela_envio as any).dias[1]).toEqual({ inicio: '09:00', fim: '18:00' });
    expect(Number(stored.pace.por_segundo)).toBe(5);
    expect(stored.pace.max_destinatarios_24h).toBe(2000);
    expect(stored.template.definicao).toMatchObject({ id: 'aviso_curto_v1', canal: 'whatsapp' });
    // A window that ends before it starts is refused by the schema, naming the English field.
    const bad = await client.callTool({
      name: 'set_outreach_policy',
      arguments: { send_window: { days: [null, { start: '18:00', end: '09:00' }, null, null, null, null, null] } },
    });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/send_window\.days\[1\]: start must be before end/);
    await client.closeAll();
  });

  it('start_dispatch with sending off is a dry-run campaign: every decision logged, nothing queued', async () => {
    const { deps, client } = await setup();
    const t = deps.tenant.tenant_id;
    const ok = await insertLead(db.kysely, t, {
      nome: 'Vai',
      documento: cnpjFor(1),
      phones: [{ e164: '+5511987650101' }],
    });
    await insertLead(db.kysely, t, { nome: 'Sem Canal', documento: cnpjFor(2) });
    await insertLead(db.kysely, t, {
      nome: 'Saiu',
      documento: cnpjFor(3),
      status: 'opt_out',
      phones: [{ e164: '+5511987650103' }],
    });
    const res = await client.callTool({ name: 'start_dispatch', arguments: { filter: {}, campaign_key: 'ensaio' } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const r = res.structuredContent as any;
    expect(r).toMatchObject({
      mode: 'dry_run',
      queued: 0,
      would_send_now: 1,
      deferred: 0,
      already_queued: 0,
      blocked: { sem_canal: 1, opt_out: 1 },
    });
    expect(textOf(res)).toMatch(/^DRY-RUN campaign .* nothing was sent/);
    const logged = await withTenant(db.kysely, t, (tx) =>
      tx
        .selectFrom('dry_run_log')
        .select(['lead_id', 'disparo_seria_executado'])
        .where('lote_id', '=', r.dry_run_batch_id)
        .execute(),
    );
    expect(logged).toHaveLength(3);
    expect(logged.filter((l) => l.disparo_seria_executado).map((l) => l.lead_id)).toEqual([ok]);
    const job = (
      (await client.callTool({ name: 'job_status', arguments: { job_id: r.job_id } })).structuredContent as any
    ).jobs[0];
    expect(job).toMatchObject({ kind: 'dispatch', status: 'concluido' });
    expect(job.finished_at).not.toBeNull();
    await client.closeAll();
  });

  it.each([undefined, 'false', 'TRUE', '1', 'yes', ' true'])(
    'with MICRO_AGENT_DISPARO_ENABLED=%j nothing reaches the channel layer and a dry run is recorded',
    async (flag) => {
      const calls: unknown[] = [];
      const spy: ChannelClient = {
        send: async (...a) => {
          calls.push(a);
          return { ok: true, messageId: 'x', raw: null };
        },
      };
      const { deps, client } = await setup({ MICRO_AGENT_DISPARO_ENABLED: flag }, spy);
      const id = await insertLead(db.kysely, deps.tenant.tenant_id, {
        nome: 'Flag',
        contato: 'Ana',
        documento: '11222333000181',
        phones: [{ e164: '+5511987654321' }],
      });
      const res = await client.callTool({ name: 'send_message', arguments: { lead_id: id } });
      expect(res.isError, textOf(res)).toBeFalsy();
      const out = res.structuredContent as any;
      expect(out).toMatchObject({
        sent: false,
        mode: 'dry_run',
        channel: 'whatsapp',
        status: 'dry_run',
        disparo_id: null,
      });
      expect(out.reason).toContain('Nothing was sent');
      expect(out.reason).toContain(flag === undefined ? 'is unset' : JSON.stringify(flag));
      expect(textOf(res)).toMatch(/^NOT SENT/);
      await client.callTool({ name: 'dry_run_dispatch', arguments: { lead_ids: [id] } });
      const logged = await withTenant(db.kysely, deps.tenant.tenant_id, (tx) =>
        tx.selectFrom('dry_run_log').select('log_id').where('lead_id', '=', id).execute(),
      );
      expect(logged).toHaveLength(2);
      const disparos = await withTenant(db.kysely, deps.tenant.tenant_id, (tx) =>
        tx
          .selectFrom('disparos' as never)
          .select('disparo_id' as never)
          .where('lead_id' as never, '=', id as never)
          .execute(),
      );
      expect(disparos).toHaveLength(0);
      expect(calls).toHaveLength(0);
      await client.closeAll();
    },
  );
});
