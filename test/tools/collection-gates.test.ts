import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preSendStops } from '../../src/core/dispatch/pre-send-check.js';
import { preSendFacts } from '../../src/core/dispatch/sql/pre-send-facts.js';
import type { Claimed } from '../../src/core/dispatch/outcome.js';
import { isDeferral } from '../../src/core/model/index.js';
import { loadPolicy, prescriptionCutoff } from '../../src/core/outreach/policy.js';
import { withTenant } from '../../src/db/tenant.js';
import type { ChannelStatus, ServerDeps } from '../../src/deps.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead, type LeadSpec } from '../helpers/fixtures.js';
import { cnpjFor } from '../helpers/leads-data.js';
import { connectClient, fixedClock, makeDeps, textOf } from '../helpers/server.js';
import { plantingFixtures } from '../helpers/transition-guard.js';
import { expectFormsAgree } from '../helpers/decision-forms.js';
import { createScope } from '../../src/scope.js';

/*
 * The collection gates (issue 17), table-driven, each through the four places a message is decided:
 * decide_channel, dry_run_dispatch (counts per gate), start_dispatch with sending off (a dry-run
 * campaign) and the send-time re-check (a queued collection disparo checked as the executor does right
 * before the downstream call). Tuesday 24/11/2026 10:00 in São Paulo unless a case says otherwise.
 */
const TUESDAY_10 = '2026-11-24T13:00:00Z';
const channels = (): ChannelStatus[] =>
  (['whatsapp', 'email', 'calendar'] as const).map((channel) => ({
    channel,
    server: 'x',
    preset: null,
    transport: 'stdio',
    state: 'configured',
    detail: null,
  }));

interface Case {
  name: string;
  at?: string;
  creditor?: null;
  lead?: Partial<LeadSpec>;
  /** Other leads of the tenant, inserted before the decision. */
  others?: (n: number) => LeadSpec[];
  /** Runs with the lead's id before the decision (a confirmation, a suppression…). */
  setup?: (db: TestDb, deps: ServerDeps, leadId: string, otherIds: string[]) => Promise<void>;
  code: string | null;
  /** What the send-time re-check does with a queued collection message (undefined: sends it). */
  atSend?: { status: 'bloqueado' | 'adiado'; motivo: RegExp };
}

let seq = 100;
const PHONE = (n: number) => `+55119${String(80000000 + n)}`;

const cases: Case[] = [
  { name: 'an open debt, creditor set, own phone → sends now', code: null },
  {
    name: 'creditor unset → credor_nao_configurado',
    creditor: null,
    code: 'credor_nao_configurado',
    atSend: { status: 'bloqueado', motivo: /^credor_nao_configurado/ },
  },
  {
    name: 'phone shared with a lead of another document → contato_compartilhado',
    others: (n) => [{ nome: 'Outra Empresa Ltda', documento: cnpjFor(n + 5000), phones: [{ e164: PHONE(n) }] }],
    code: 'contato_compartilhado',
    atSend: { status: 'bloqueado', motivo: /^contato_compartilhado/ },
  },
  {
    name: 'shared phone confirmed as this lead’s → sends now',
    others: (n) => [{ nome: 'Outra Empresa Ltda', documento: cnpjFor(n + 5000), phones: [{ e164: PHONE(n) }] }],
    setup: async (_db, deps, leadId) => {
      const client = await connectClient(deps);
      const res = await client.callTool({
        name: 'manage_suppression',
        arguments: { action: 'confirm_destination', lead_id: leadId, value: '(11) 98' + PHONE(seq).slice(-7) },
      });
      await client.closeAll();
      expect(res.isError, textOf(res)).toBeFalsy();
    },
    code: null,
  },
  {
    name: 'shared phone confirmed as the other lead’s → contato_compartilhado',
    others: (n) => [{ nome: 'Outra Empresa Ltda', documento: cnpjFor(n + 5000), phones: [{ e164: PHONE(n) }] }],
    setup: async (db, deps, _leadId, [other]) => {
      const t = deps.tenant.tenant_id;
      await withTenant(db.kysely, t, (tx) =>
        sql`insert into destinos_confirmados (tenant_id, tipo, valor, lead_id, motivo, ator)
            values (${t}, 'telefone', ${PHONE(seq)}, ${other}, 'é da outra', 'teste')`.execute(tx),
      );
    },
    code: 'contato_compartilhado',
    atSend: { status: 'bloqueado', motivo: /^contato_compartilhado/ },
  },
  {
    name: 'every debt due more than 5 years ago → divida_prescrita',
    lead: { debts: [{ valor_centavos: 50000, vencimento: '2021-11-24' }] },
    code: 'divida_prescrita',
    atSend: { status: 'bloqueado', motivo: /^divida_prescrita/ },
  },
  {
    name: 'one prescribed and one open debt → sends now (about the open one)',
    lead: {
      debts: [
        { valor_centavos: 50000, vencimento: '2020-01-10' },
        { valor_centavos: 7000, vencimento: '2026-10-01' },
      ],
    },
    code: null,
  },
  {
    name: 'a debt due 5 years ago minus a day → sends now',
    lead: { debts: [{ valor_centavos: 50000, vencimento: '2021-11-25' }] },
    code: null,
  },
  { name: 'no debt imported → variaveis_ausentes', lead: { debts: [] }, code: 'variaveis_ausentes' },
  {
    name: 'Sunday 10:00 in São Paulo → fora_do_horario_cobranca (deferred)',
    at: '2026-11-29T13:00:00Z',
    code: 'fora_do_horario_cobranca',
    atSend: { status: 'adiado', motivo: /domingo/ },
  },
  {
    name: 'SP state holiday (09/07, Revolução Constitucionalista) for a DDD 11 lead → fora_do_horario_cobranca',
    at: '2026-07-09T13:00:00Z',
    code: 'fora_do_horario_cobranca',
    atSend: { status: 'adiado', motivo: /Revolução Constitucionalista \(feriado estadual, SP\)/ },
  },
  {
    name: 'the same day for a DDD 21 (RJ) lead → sends now',
    at: '2026-07-09T13:00:00Z',
    lead: { phones: [{ e164: '+5521980001234' }] },
    code: null,
  },
  {
    name: 'RJ state holiday (23/04, São Jorge) for a DDD 21 lead → fora_do_horario_cobranca',
    at: '2026-04-23T13:00:00Z',
    lead: { phones: [{ e164: '+5521980001235' }] },
    code: 'fora_do_horario_cobranca',
    atSend: { status: 'adiado', motivo: /São Jorge \(feriado estadual, RJ\)/ },
  },
  {
    name: 'Saturday 15:00 in São Paulo (window ends 14:00) → fora_do_horario_cobranca',
    at: '2026-11-28T18:00:00Z',
    code: 'fora_do_horario_cobranca',
    atSend: { status: 'adiado', motivo: /sábado, a partir das 14:00/ },
  },
  {
    name: 'Tuesday 07:30 in Manaus (08:30 in Brasília) for an AM lead → fora_do_horario_cobranca',
    at: '2026-11-24T11:30:00Z',
    lead: { phones: [{ e164: '+5592980001236' }], timezone: 'America/Manaus' },
    code: 'fora_do_horario_cobranca',
    atSend: { status: 'adiado', motivo: /America\/Manaus/ },
  },
  {
    name: 'the same instant, DDD 11 phone but the sheet says AM (Manaus) → fora_do_horario_cobranca',
    at: '2026-11-24T11:30:00Z',
    lead: { uf: 'AM', timezone: 'America/Manaus' },
    code: 'fora_do_horario_cobranca',
    atSend: {
      status: 'adiado',
      motivo: /^fora_do_horario_cobranca: .*America\/Manaus.*SP Lei 15\.426\/2014 \(padrão\)/,
    },
  },
  {
    name: 'the same instant, DDD 11 phone, no sheet UF (08:30 in São Paulo) → sends now',
    at: '2026-11-24T11:30:00Z',
    code: null,
  },
  {
    name: 'RJ state holiday (23/04) for a DDD 11 lead whose sheet says RJ → fora_do_horario_cobranca',
    at: '2026-04-23T13:00:00Z',
    lead: { uf: 'RJ' },
    code: 'fora_do_horario_cobranca',
    atSend: { status: 'adiado', motivo: /São Jorge \(feriado estadual, RJ\).*RJ Lei 7\.868\/2018/ },
  },
  {
    name: 'SP state holiday (09/07) for a DDD 11 lead whose sheet says RJ → sends now',
    at: '2026-07-09T13:00:00Z',
    lead: { uf: 'RJ' },
    code: null,
  },
  {
    name: 'a tenant window open on Sundays 06:00–23:00 cannot widen the law: Sunday → fora_do_horario_cobranca',
    at: '2026-11-29T13:00:00Z',
    setup: async (_db, deps) => wideWindow(deps),
    code: 'fora_do_horario_cobranca',
    atSend: { status: 'adiado', motivo: /domingo/ },
  },
  {
    name: 'the same wide window, Tuesday 21:00 (law ends 20:00) → fora_do_horario_cobranca',
    at: '2026-11-25T00:00:00Z',
    setup: async (_db, deps) => wideWindow(deps),
    code: 'fora_do_horario_cobranca',
    atSend: { status: 'adiado', motivo: /a partir das 20:00/ },
  },
  {
    name: 'a tenant window narrower than the law (Tuesday from 11:00) → fora_da_janela at 10:00',
    setup: async (_db, deps) => wideWindow(deps, { start: '11:00', end: '18:00' }),
    code: 'fora_da_janela',
    atSend: { status: 'adiado', motivo: /antes das 11:00/ },
  },
  {
    name: 'phone on an opt-out registry in force (listed 01/10, +30 days) → registro_nao_perturbe',
    setup: async (_db, deps) => importRegistry(deps, '2026-10-01'),
    code: 'registro_nao_perturbe',
    atSend: { status: 'bloqueado', motivo: /^registro_nao_perturbe: .*sp_nao_me_ligue/ },
  },
  {
    name: 'phone on a registry listed 10/11 (in force from 10/12) → sends now',
    setup: async (_db, deps) => importRegistry(deps, '2026-11-10'),
    code: null,
  },
  {
    name: 'a newer registry file without the phone replaces the older one → sends now',
    setup: async (_db, deps) => {
      await importRegistry(deps, '2026-10-01');
      await importRegistry(deps, '2026-10-15', '+5511955554444');
    },
    code: null,
  },
];

/** The tenant's window wider than the law: every day 06:00–23:00 (or the given hours). */
async function wideWindow(deps: ServerDeps, day = { start: '06:00', end: '23:00' }) {
  const client = await connectClient(deps);
  const res = await client.callTool({
    name: 'set_outreach_policy',
    arguments: { send_window: { days: [day, day, day, day, day, day, day] } },
  });
  await client.closeAll();
  expect(res.isError, textOf(res)).toBeFalsy();
}

/** Imports an SP "Não Me Ligue" list dated `date` holding the case's phone (in another form) or `phone`. */
async function importRegistry(deps: ServerDeps, date: string, phone?: string) {
  const n = String(80000000 + seq);
  const csv = `Telefone\n${phone ?? `(11) 9${n.slice(0, 4)}-${n.slice(4)}`}\n`;
  const client = await connectClient(deps);
  const res = await client.callTool({
    name: 'manage_suppression',
    arguments: {
      action: 'import_registry',
      content_base64: Buffer.from(csv).toString('base64'),
      filename: 'nao-me-ligue.csv',
      registry_date: date,
    },
  });
  await client.closeAll();
  expect(res.isError, textOf(res)).toBeFalsy();
  expect((res.structuredContent as any).registries[0]).toMatchObject({ source: 'sp_nao_me_ligue', numbers: 1 });
}

describe(`collection gates through decide, dry run, campaign and the send-time re-check (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  it.each(cases)('$name', async (c) => {
    const n = ++seq;
    const now = c.at ?? TUESDAY_10;
    const deps: ServerDeps = await makeDeps(db, {
      tenantSlug: `g-${Math.random().toString(36).slice(2, 10)}`,
      clock: fixedClock(now),
      channels,
      ...(c.creditor === null ? { creditor: null } : {}),
    });
    const t = deps.tenant.tenant_id;
    const otherIds: string[] = [];
    for (const o of c.others?.(n) ?? []) otherIds.push(await insertLead(db.kysely, t, o));
    const leadId = await insertLead(db.kysely, t, {
      nome: `Devedora ${n} Ltda`,
      contato: 'Ana Souza',
      documento: cnpjFor(n),
      phones: [{ e164: PHONE(n) }],
      ...c.lead,
    });
    await c.setup?.(db, deps, leadId, otherIds);
    const client = await connectClient(deps);
    const call = async (name: string, args: Record<string, unknown>) => {
      const res = await client.callTool({ name, arguments: args });
      expect(res.isError, textOf(res)).toBeFalsy();
      return res.structuredContent as any;
    };

    // decide_channel
    const d = (await call('decide_channel', { lead_id: leadId })).decisions[0];
    expect(d.block_code, d.block_reason).toBe(c.code);
    if (c.code === null) {
      expect(d.would_send_now).toBe(true);
      expect(d.message).toContain('Alquimista Cobranças Ltda (CNPJ 11.222.333/0001-81)');
      expect(d.message).toMatch(/o valor de R\$ [\d.]+,\d\d, com vencimento em \d\d\/\d\d\/\d{4}/);
    } else expect(d.block_reason).toBeTruthy();

    // dry_run_dispatch: counts per gate
    const dry = await call('dry_run_dispatch', { lead_ids: [leadId] });
    expect(dry.by_block_code).toEqual(c.code ? { [c.code]: 1 } : {});
    // the set-based form (a dry run or campaign over a filter) decides every lead of the tenant alike
    const rows = await expectFormsAgree(db, createScope(deps));
    expect(rows.find((r) => r.lead_id === leadId)?.codigo_bloqueio).toBe(c.code);

    // start_dispatch with sending off: a dry-run campaign counts the same block
    const camp = await call('start_dispatch', { lead_ids: [leadId], campaign_key: `g-${n}` });
    expect(camp.mode).toBe('dry_run');
    expect(camp.blocked).toEqual(c.code && !isDeferral(c.code) ? { [c.code]: 1 } : {});
    expect(camp.deferred).toBe(isDeferral(c.code) ? 1 : 0);

    // the send-time re-check of a queued collection message to the lead's phone
    const stop = await withTenant(db.kysely, t, async (tx) => {
      await plantingFixtures(tx);
      const { rows } = await sql<{ disparo_id: string }>`
        insert into disparos (tenant_id, lead_id, canal, destino, template, idempotency_key, status, conteudo)
        values (${t}, ${leadId}, 'whatsapp', ${c.lead?.phones?.[0]?.e164 ?? PHONE(n)}, 'cobranca_padrao_whatsapp_v2',
                ${`g-${n}`}, 'pendente', 'x')
        returning disparo_id`.execute(tx);
      const id = rows[0].disparo_id;
      const policy = await loadPolicy(tx, deps.tenant);
      const at = new Date(now);
      const facts = await preSendFacts(tx, t, [id], prescriptionCutoff(at, policy.prescricaoAnos), at);
      const claimed = { disparo_id: id, tenant_id: t, lead_id: leadId } as Claimed;
      return preSendStops([claimed], facts, policy.janela, at, { credorSet: policy.credor !== null }).get(id);
    });
    if (c.atSend) expect(stop).toMatchObject(c.atSend);
    else if (c.code !== 'variaveis_ausentes') expect(stop).toBeUndefined();
    await client.closeAll();
  });
});
