import { plantingFixtures } from '../helpers/transition-guard.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead, type LeadSpec } from '../helpers/fixtures.js';
import { connectClient, fixedClock, makeDeps, textOf } from '../helpers/server.js';
import type { ChannelStatus, ServerDeps } from '../../src/deps.js';
import { addSuppression } from '../../src/core/outreach/suppression.js';
import { savePolicy } from '../../src/core/outreach/policy.js';
import { withTenant } from '../../src/db/tenant.js';
import { expectFormsAgree } from '../helpers/decision-forms.js';
import { createScope } from '../../src/scope.js';
import { plantDisparo, type PlantedDisparo } from '../helpers/disparos.js';

const CNPJ = '11222333000181';
const MOBILE = '+5511987654321';
const both = (wa = true, email = true): ChannelStatus[] =>
  (['whatsapp', 'email', 'calendar'] as const).map((channel) => ({
    channel,
    server: 'x',
    preset: null,
    transport: 'stdio',
    state: (channel === 'whatsapp' ? wa : channel === 'email' ? email : true) ? 'configured' : 'not_configured',
    detail: null,
  }));

// Tuesday 24 Nov 2026, 10:00 in São Paulo (13:00 UTC).
const TUESDAY_10 = '2026-11-24T13:00:00Z';

const suppress = (tipo: 'documento' | 'telefone' | 'email', valor: string) => async (db: TestDb, t: string) => {
  await withTenant(db.kysely, t, (tx) =>
    addSuppression(tx, t, { tipo, valor, motivo: 'pediu para sair', ator: 'test' }),
  );
};
const planted =
  (...ds: PlantedDisparo[]) =>
  async (db: TestDb, t: string, leadId: string) => {
    for (const d of ds) await plantDisparo(db.kysely, t, leadId, { destino: MOBILE, ...d });
  };
/**
 * The WhatsApp template registered at Meta with this category and status (manage_templates' row), and
 * the person's refusal of marketing (WhatsApp 131050: restricoes_marketing) when `refused`.
 */
const registered =
  (categoria: 'utility' | 'marketing', status: 'approved' | 'disabled', refused = false) =>
  async (db: TestDb, t: string) => {
    await withTenant(db.kysely, t, async (tx) => {
      await sql`insert into modelos_aprovados (tenant_id, template_id, provedor, nome, categoria, status, ator)
                values (${t}, ${WA_TEMPLATE}, 'meta', ${WA_TEMPLATE}, ${categoria}, ${status}, 'teste')`.execute(tx);
      if (refused)
        await sql`insert into restricoes_marketing (tenant_id, telefone, motivo, desde)
                  values (${t}, ${MOBILE}, 'a pessoa parou de receber marketing (código 131050)', now())`.execute(tx);
    });
  };
const WA_TEMPLATE = 'cobranca_padrao_whatsapp_v2';
const sendNow = { canal: 'whatsapp', codigo: null, agora: true } as const;
const capped = (previsto: string) =>
  ({ canal: 'whatsapp', codigo: 'limite_por_destinatario', agora: false, previsto }) as const;

interface Case {
  name: string;
  lead: LeadSpec;
  at?: string;
  channels?: ChannelStatus[];
  setup?: (db: TestDb, tenantId: string, leadId: string) => Promise<void>;
  expect: {
    canal: string;
    codigo: string | null;
    agora: boolean;
    previsto?: string | null;
    motivo?: RegExp;
    razao?: RegExp;
  };
}

const cases: Case[] = [
  {
    name: 'valid mobile → whatsapp, sends now',
    lead: { nome: 'Padaria Sol', documento: CNPJ, phones: [{ e164: MOBILE }], emails: [{ email: 'a@sol.com.br' }] },
    expect: {
      canal: 'whatsapp',
      codigo: null,
      agora: true,
      motivo: /^Lead possui telefone válido para WhatsApp; fora da janela de 24 h.*modelo aprovado$/,
    },
  },
  {
    name: 'outside the 24-h window, the approved template disabled by Meta → template_desativado',
    lead: { nome: 'Modelo Off', documento: CNPJ, phones: [{ e164: MOBILE }], emails: [{ email: 'a@off.com.br' }] },
    setup: registered('utility', 'disabled'),
    expect: {
      canal: 'whatsapp',
      codigo: 'template_desativado',
      agora: false,
      previsto: null,
      razao: /^Fora da janela de 24 h e o modelo aprovado foi rejeitado ou desativado pela Meta$/,
    },
  },
  {
    name: 'outside the window, a marketing template to a person who refused marketing → marketing_recusado',
    lead: { nome: 'Sem Marketing', documento: CNPJ, phones: [{ e164: MOBILE }] },
    setup: registered('marketing', 'approved', true),
    expect: {
      canal: 'whatsapp',
      codigo: 'marketing_recusado',
      agora: false,
      previsto: null,
      razao: /^A pessoa parou de receber mensagens de marketing desta empresa \(WhatsApp 131050\)$/,
    },
  },
  {
    name: 'a utility template to the same person still goes (the refusal is of marketing only)',
    lead: { nome: 'Só Utilidade', documento: CNPJ, phones: [{ e164: MOBILE }] },
    setup: registered('utility', 'approved', true),
    expect: sendNow,
  },
  {
    name: 'landline + e-mail → email',
    lead: {
      nome: 'Oficina',
      documento: CNPJ,
      phones: [{ e164: '+551134567890', valido: false }],
      emails: [{ email: 'ze@oficina.com' }],
    },
    expect: { canal: 'email', codigo: null, agora: true, motivo: /possui email válido/ },
  },
  {
    name: 'nothing valid → none, sem_canal',
    lead: { nome: 'Sem Nada', documento: CNPJ, phones: [{ e164: '+551134567890', valido: false }] },
    expect: { canal: 'none', codigo: 'sem_canal', agora: false, razao: /nem email válidos/ },
  },
  {
    name: 'opted out → never',
    lead: { nome: 'Saiu', documento: CNPJ, status: 'opt_out', phones: [{ e164: MOBILE }] },
    expect: { canal: 'whatsapp', codigo: 'opt_out', agora: false, razao: /opt-out/ },
  },
  {
    name: 'phone on the suppression list in its old 8-digit form → suprimido',
    lead: { nome: 'Suprimido', documento: CNPJ, phones: [{ e164: '+5521988887777' }] },
    setup: async (db, t) => {
      await withTenant(db.kysely, t, (tx) =>
        addSuppression(tx, t, { tipo: 'telefone', valor: '+55 21 8888-7777', motivo: 'pediu para sair', ator: 'test' }),
      );
    },
    expect: { canal: 'whatsapp', codigo: 'suprimido', agora: false },
  },
  {
    name: 'lead in a meeting → estado_inelegivel',
    lead: { nome: 'Agendado', documento: CNPJ, status: 'agendado', phones: [{ e164: MOBILE }] },
    expect: { canal: 'whatsapp', codigo: 'estado_inelegivel', agora: false, razao: /agendado/ },
  },
  {
    name: 'whatsapp not configured → falls back to email',
    lead: { nome: 'Fallback', documento: CNPJ, phones: [{ e164: MOBILE }], emails: [{ email: 'f@b.com' }] },
    channels: both(false, true),
    expect: { canal: 'email', codigo: null, agora: true },
  },
  {
    name: 'no configured channel for its contacts → canal_nao_configurado',
    lead: { nome: 'Sem Config', documento: CNPJ, phones: [{ e164: MOBILE }] },
    channels: both(false, true),
    expect: { canal: 'none', codigo: 'canal_nao_configurado', agora: false },
  },
  {
    name: 'no document for documento_mascarado → variaveis_ausentes',
    lead: { nome: 'Sem Doc', phones: [{ e164: MOBILE }] },
    expect: { canal: 'whatsapp', codigo: 'variaveis_ausentes', agora: false },
  },
  {
    name: 'already messaged 2 h ago → deferred 24 h after that message',
    lead: { nome: 'Cap', documento: CNPJ, phones: [{ e164: MOBILE }] },
    setup: async (db, t, leadId) => {
      await withTenant(db.kysely, t, async (tx) =>
        (await plantingFixtures(tx), tx)
          .insertInto('disparos' as never)
          .values({
            tenant_id: t,
            lead_id: leadId,
            canal: 'whatsapp',
            destino: MOBILE,
            template: 'x',
            idempotency_key: `k-${leadId}`,
            status: 'enviado',
            enviado_em: '2026-11-24T11:00:00Z',
          } as never)
          .execute(),
      );
    },
    expect: {
      canal: 'whatsapp',
      codigo: 'limite_por_destinatario',
      agora: false,
      previsto: '2026-11-25T11:00:00.000Z',
    },
  },
  // The suppression list by each kind of value, and the gates' order.
  {
    name: 'document on the suppression list → suprimido',
    lead: { nome: 'Doc', documento: CNPJ, phones: [{ e164: MOBILE }] },
    setup: suppress('documento', '11.222.333/0001-81'),
    expect: { canal: 'whatsapp', codigo: 'suprimido', agora: false },
  },
  {
    name: 'e-mail on the suppression list → suprimido',
    lead: { nome: 'Mail', documento: CNPJ, emails: [{ email: 'fulano@empresa.com.br' }] },
    setup: suppress('email', ' Fulano@Empresa.com.br '),
    expect: { canal: 'email', codigo: 'suprimido', agora: false },
  },
  {
    name: 'opted out and suppressed → opt_out (the first gate wins)',
    lead: { nome: 'Ambos', documento: CNPJ, status: 'opt_out', phones: [{ e164: MOBILE }] },
    setup: suppress('documento', CNPJ),
    expect: { canal: 'whatsapp', codigo: 'opt_out', agora: false },
  },
  {
    name: 'already queued (em_disparo) → estado_inelegivel',
    lead: { nome: 'Fila', documento: CNPJ, status: 'em_disparo', phones: [{ e164: MOBILE }] },
    expect: { canal: 'whatsapp', codigo: 'estado_inelegivel', agora: false },
  },
  {
    name: 'sem_canal that gained a phone (re-import) → eligible, sends now',
    lead: { nome: 'Ganhou', documento: CNPJ, status: 'sem_canal', phones: [{ e164: MOBILE }] },
    expect: sendNow,
  },
  {
    name: 'erro (an earlier send failed) → eligible, sends now',
    lead: { nome: 'Erro', documento: CNPJ, status: 'erro', phones: [{ e164: MOBILE }] },
    expect: sendNow,
  },
  {
    name: 'a state gate before the channel: a lead in a meeting without any channel → estado_inelegivel',
    lead: { nome: 'Sem Canal Reuniao', documento: CNPJ, status: 'confirmado' },
    expect: { canal: 'none', codigo: 'estado_inelegivel', agora: false },
  },
  // "Reached in the last 24 h" (core/dispatch/recent-sends.ts): what counts toward the per-lead cap.
  {
    name: 'a send whose outcome is unknown (incerto) 2 h ago counts: deferred 24 h after its last attempt',
    lead: { nome: 'Incerto', documento: CNPJ, phones: [{ e164: MOBILE }] },
    setup: planted({ status: 'incerto', updated_at: '2026-11-24T11:00:00Z' }),
    expect: capped('2026-11-25T11:00:00.000Z'),
  },
  {
    name: 'a send in flight counts from its claim',
    lead: { nome: 'Voando', documento: CNPJ, phones: [{ e164: MOBILE }] },
    setup: planted({ status: 'em_execucao', updated_at: '2026-11-24T12:59:00Z' }),
    expect: capped('2026-11-25T12:59:00.000Z'),
  },
  {
    name: 'queued 3 days ago and sent 1 h ago counts from when it was sent',
    lead: { nome: 'Velho', documento: CNPJ, phones: [{ e164: MOBILE }] },
    setup: planted({ status: 'enviado', created_at: '2026-11-21T12:00:00Z', enviado_em: '2026-11-24T12:00:00Z' }),
    expect: capped('2026-11-25T12:00:00.000Z'),
  },
  {
    name: 'sent 25 h ago, a failed send and a queued one do not count → sends now',
    lead: { nome: 'Livre', documento: CNPJ, phones: [{ e164: MOBILE }] },
    setup: planted(
      { status: 'enviado', enviado_em: '2026-11-23T12:00:00Z' },
      { status: 'falhou', updated_at: '2026-11-24T12:00:00Z' },
      { status: 'pendente', updated_at: '2026-11-24T12:00:00Z' },
      { status: 'cancelado', updated_at: '2026-11-24T12:00:00Z' },
    ),
    expect: sendNow,
  },
  {
    name: 'a cap of 2 per 24 h with one sent → sends now',
    lead: { nome: 'Dois', documento: CNPJ, phones: [{ e164: MOBILE }] },
    setup: async (db, t, leadId) => {
      await withTenant(db.kysely, t, (tx) => savePolicy(tx, t, { maxPorLead24h: 2 }));
      await planted({ status: 'enviado', enviado_em: '2026-11-24T12:00:00Z' })(db, t, leadId);
    },
    expect: sendNow,
  },
  {
    name: 'a cap of 2 per 24 h with two sent → deferred 24 h after the first',
    lead: { nome: 'Dois Cheio', documento: CNPJ, phones: [{ e164: MOBILE }] },
    setup: async (db, t, leadId) => {
      await withTenant(db.kysely, t, (tx) => savePolicy(tx, t, { maxPorLead24h: 2 }));
      await planted(
        { status: 'enviado', enviado_em: '2026-11-24T08:00:00Z' },
        { status: 'enviado', enviado_em: '2026-11-24T12:00:00Z' },
      )(db, t, leadId);
    },
    expect: { ...capped('2026-11-25T08:00:00.000Z'), razao: /Limite de 2 mensagem/ },
  },
  {
    name: 'capped and outside the window → the cap is reported (it comes first)',
    lead: { nome: 'Cap Domingo', documento: CNPJ, phones: [{ e164: MOBILE }] },
    at: '2026-11-29T15:00:00Z',
    setup: planted({ status: 'enviado', enviado_em: '2026-11-29T12:00:00Z' }),
    expect: capped('2026-11-30T12:00:00.000Z'),
  },
  {
    name: 'Sunday → deferred to Monday 08:00 local (the collection hours of the law)',
    lead: { nome: 'Domingo', documento: CNPJ, phones: [{ e164: MOBILE }] },
    at: '2026-11-29T15:00:00Z',
    expect: {
      canal: 'whatsapp',
      codigo: 'fora_do_horario_cobranca',
      agora: false,
      previsto: '2026-11-30T11:00:00.000Z',
      razao: /segunda/,
    },
  },
  {
    name: 'Manaus at 07:30 local (08:30 in São Paulo) → deferred to 08:00 Manaus',
    lead: { nome: 'Manaus', documento: CNPJ, timezone: 'America/Manaus', phones: [{ e164: '+5592991234567' }] },
    at: '2026-11-24T11:30:00Z',
    expect: {
      canal: 'whatsapp',
      codigo: 'fora_do_horario_cobranca',
      agora: false,
      previsto: '2026-11-24T12:00:00.000Z',
    },
  },
  {
    name: 'national holiday (Proclamação da República, Mon 15 Nov 2027) → next day',
    lead: { nome: 'Feriado', documento: CNPJ, phones: [{ e164: MOBILE }] },
    at: '2027-11-15T13:00:00Z',
    expect: {
      canal: 'whatsapp',
      codigo: 'fora_do_horario_cobranca',
      agora: false,
      previsto: '2027-11-16T11:00:00.000Z',
      razao: /feriado/,
    },
  },
];

describe(`decide_channel: every branch and gate (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  it.each(cases)('$name', async (c) => {
    const deps: ServerDeps = await makeDeps(db, {
      tenantSlug: `t-${Math.random().toString(36).slice(2, 10)}`,
      clock: fixedClock(c.at ?? TUESDAY_10),
      channels: () => c.channels ?? both(),
    });
    const leadId = await insertLead(db.kysely, deps.tenant.tenant_id, c.lead);
    await c.setup?.(db, deps.tenant.tenant_id, leadId);
    const client = await connectClient(deps);
    const res = await client.callTool({ name: 'decide_channel', arguments: { lead_id: leadId } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const d = (res.structuredContent as any).decisions[0];
    expect(d.channel).toBe(c.expect.canal);
    expect(d.block_code).toBe(c.expect.codigo);
    expect(d.would_send_now).toBe(c.expect.agora);
    if (c.expect.previsto !== undefined) expect(d.scheduled_for).toBe(c.expect.previsto);
    if (c.expect.motivo) expect(d.reason).toMatch(c.expect.motivo);
    if (c.expect.razao) expect(d.block_reason).toMatch(c.expect.razao);
    if (c.expect.agora) {
      expect(d.template).toBe(d.channel === 'whatsapp' ? 'cobranca_padrao_whatsapp_v2' : 'cobranca_padrao_email_v2');
      expect(d.message).toContain('responda SAIR');
    }
    // Again: the configuration now cached, the facts and the context in one statement
    // (core/outreach/decide-targeted.ts) — the same answer.
    const again = await client.callTool({ name: 'decide_channel', arguments: { lead_id: leadId } });
    expect(again.structuredContent).toEqual(res.structuredContent);
    await client.closeAll();
    // Given lead ids, the facts are read per lead (form 'targeted'); a filter reads them set-based ('set');
    // decide_channel applies the rule to the targeted facts in JS: the same decision every way.
    expect(await expectFormsAgree(db, createScope(deps))).toHaveLength(1);
  });
});

describe(`dry_run_dispatch: the template's block codes and their reasons in the batch (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  it('marketing_recusado for the person who refused marketing only; template_desativado for all once disabled', async () => {
    const deps = await makeDeps(db, { tenantSlug: 'modelo-marketing', clock: fixedClock(TUESDAY_10), channels: both });
    const t = deps.tenant.tenant_id;
    const refused = await insertLead(db.kysely, t, { nome: 'Recusou', documento: CNPJ, phones: [{ e164: MOBILE }] });
    const other = await insertLead(db.kysely, t, {
      nome: 'Aceita',
      documento: '11444777000161',
      phones: [{ e164: '+5511987650002' }],
    });
    await registered('marketing', 'approved', true)(db, t);
    const client = await connectClient(deps);
    const dryRun = async () => {
      const res = await client.callTool({ name: 'dry_run_dispatch', arguments: { lead_ids: [refused, other] } });
      expect(res.isError, textOf(res)).toBeFalsy();
      const s = res.structuredContent as { batch_id: string; by_block_code: unknown; would_send_now: number };
      const log = await withTenant(db.kysely, t, (tx) =>
        tx
          .selectFrom('dry_run_log')
          .select(['lead_id', 'codigo_bloqueio', 'razao_bloqueio'])
          .where('lote_id', '=', s.batch_id)
          .execute(),
      );
      const why = Object.fromEntries(log.map((r) => [r.lead_id === refused ? 'refused' : 'other', r]));
      return { ...s, why };
    };
    const first = await dryRun();
    expect(first).toMatchObject({ by_block_code: { marketing_recusado: 1 }, would_send_now: 1 });
    expect(first.why.refused).toMatchObject({
      codigo_bloqueio: 'marketing_recusado',
      razao_bloqueio: 'A pessoa parou de receber mensagens de marketing desta empresa (WhatsApp 131050)',
    });
    expect(first.why.other).toMatchObject({ codigo_bloqueio: null, razao_bloqueio: null });

    await withTenant(db.kysely, t, (tx) =>
      sql`update modelos_aprovados set status = 'disabled' where tenant_id = ${t}`.execute(tx),
    );
    const second = await dryRun();
    expect(second).toMatchObject({ by_block_code: { template_desativado: 2 }, would_send_now: 0 });
    for (const r of Object.values(second.why))
      expect(r).toMatchObject({
        codigo_bloqueio: 'template_desativado',
        razao_bloqueio: 'Fora da janela de 24 h e o modelo aprovado foi rejeitado ou desativado pela Meta',
      });
    await client.closeAll();
  });
});
