import { COBRANCA_TEMPLATES } from '../../src/core/templates/builtin-cobranca.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFormsAgree } from '../helpers/decision-forms.js';
import { PRESETS } from '../../src/channels/presets.js';
import { renderArguments } from '../../src/channels/profile.js';
import { Executor } from '../../src/core/dispatch/executor.js';
import { enqueueDisparos } from '../../src/core/dispatch/enqueue.js';
import { decide } from '../../src/core/outreach/decide.js';
import { loadDecisionContext } from '../../src/core/outreach/decision-context.js';
import type { ChannelClient, SendPayload } from '../../src/core/outreach/channel-port.js';
import { manageTemplates } from '../../src/core/templates/manage.js';
import type { Scope } from '../../src/core/scope.js';
import { withTenant } from '../../src/db/tenant.js';
import { queueMeetingMessage } from '../../src/core/meetings/meeting-message.js';
import { randomUUID } from 'node:crypto';
import type { ChannelStatus } from '../../src/deps.js';
import { createScope } from '../../src/scope.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { makeDeps } from '../helpers/server.js';
import { silentLogger as silentLoggerForTests } from '../../src/core/ports.js';
import { policyOpenAllWeek } from '../helpers/dispatch-setup.js';

/*
 * Issue 16: the 24-hour window in the decision and the send. The WhatsApp channel is the Twilio preset
 * (no built-in counts as approved there). A fake downstream records what would be sent; the clock is
 * passed in and moved by the test.
 */
const PHONE = '+5511987650001';
const SID = 'HX' + 'ab12'.repeat(8);
/** The built-in collection template's parameters, in {{n}} order. */
const PARAMS = [...COBRANCA_TEMPLATES.find((t) => t.canal === 'whatsapp')!.whatsapp!.parametros];

const channels =
  (preset: string): (() => ChannelStatus[]) =>
  () =>
    (['whatsapp', 'email'] as const).map((channel) => ({
      channel,
      server: 'x',
      preset: channel === 'whatsapp' ? preset : 'sandbox-email',
      transport: 'stdio',
      state: 'configured',
      detail: null,
    }));

describe(`WhatsApp 24-hour window: template outside, free text inside (${testDbKind()})`, () => {
  let db: TestDb;
  let scope: Scope;
  let tenantId: string;
  let leadId: string;
  let now = new Date('2026-11-24T14:00:00Z');
  const sent: SendPayload[] = [];
  const channel: ChannelClient & { isIdempotent(): boolean } = {
    isIdempotent: () => true,
    send: async (_canal, payload) => {
      sent.push(payload);
      return { ok: true, messageId: `SM${sent.length}`, raw: null };
    },
  };
  const clock = { now: () => now };

  beforeAll(async () => {
    db = await openTestDb();
    const deps = await makeDeps(db, {
      tenantSlug: 'janela-24h',
      clock,
      channels: channels('twilio-whatsapp'),
      env: { MICRO_AGENT_DISPARO_ENABLED: 'true' },
    });
    scope = createScope(deps);
    tenantId = deps.tenant.tenant_id;
    leadId = await insertLead(db.kysely, tenantId, {
      nome: 'Padaria Janela Ltda',
      contato: 'Ana Souza',
      documento: '11444777000161',
      phones: [{ e164: PHONE }],
    });
    await withTenant(db.kysely, tenantId, (tx) =>
      policyOpenAllWeek(tx, tenantId, { remetente: 'Cobra Fácil', maxPorLead24h: 10 }),
    );
  });
  afterAll(async () => db?.destroy());

  const enqueue = (key: string) =>
    scope.tx(async (tx) => {
      const ctx = await loadDecisionContext(tx, scope);
      return enqueueDisparos(
        tx,
        ctx,
        { leadIds: [leadId] },
        { campaignId: null, campaignKey: key, actor: 't', reason: 't' },
      );
    });
  const decision = async () => {
    const d = await scope.tx(
      async (tx) => (await decide(tx, await loadDecisionContext(tx, scope, {}, [leadId]), { leadIds: [leadId] }))[0]!,
    );
    // the set-based form (dry runs and campaigns over a filter) decides alike
    expect(await expectFormsAgree(db, scope)).toEqual([d]);
    return d;
  };
  const drain = async () => {
    const ex = new Executor({
      db: db.kysely,
      channel,
      clock,
      logger: silentLoggerForTests,
      workerId: 'w1',
      batchSize: 10,
    });
    await ex.tick();
    await ex.stop();
    await new Promise((r) => setTimeout(r, 200));
  };
  const reopen = async () =>
    sql`update lead_telefones set valido_para_disparo = true where numero_e164 = ${PHONE}`.execute(db.kysely);

  it('first contact without an approved template is blocked with its reason; nothing goes downstream', async () => {
    const d = await decision();
    expect(d).toMatchObject({ canal: 'whatsapp', codigo_bloqueio: 'sem_template_aprovado', forma: 'modelo' });
    expect(d.razao_bloqueio).toMatch(/janela de 24 h.*manage_templates/);
    const r = await enqueue('primeiro');
    expect(r).toMatchObject({ enqueued: 0, blocked: { sem_template_aprovado: 1 } });
    await drain();
    expect(sent).toHaveLength(0);
  });

  it('a registration with an unknown variable or mismatched parameters is refused, naming the known ones', async () => {
    const base = {
      action: 'register' as const,
      template_id: 'cobranca_padrao_whatsapp_v2',
      provider: 'twilio' as const,
    };
    await expect(
      manageTemplates(scope, { ...base, name: SID, category: 'utility', params: [...PARAMS.slice(1), 'apelido'] }),
    ).rejects.toThrow(/variável desconhecida: apelido; as conhecidas são contato, empresa.*faltam contato/);
    await expect(
      manageTemplates(scope, { ...base, name: 'HX123', category: 'utility', params: PARAMS }),
    ).rejects.toThrow(/Content SID/);
  });

  it('with an approved template registered, it goes out as ContentSid + ContentVariables in order', async () => {
    await manageTemplates(scope, {
      action: 'register',
      template_id: 'cobranca_padrao_whatsapp_v2',
      provider: 'twilio',
      name: SID,
      category: 'utility',
      params: PARAMS,
    });
    expect((await decision()).codigo_bloqueio).toBeNull();
    expect((await enqueue('segundo')).enqueued).toBe(1);
    await drain();
    expect(sent).toHaveLength(1);
    const p = sent[0]!;
    expect(p.contentSid).toBe(SID);
    expect(p.freeText).toBeUndefined();
    const vars = JSON.parse(p.contentVariables!);
    expect(vars['1']).toBe('Ana');
    expect(vars['2']).toBe('Cobra Fácil');
    expect(vars['8']).toBe('R$ 1.234,56');
    expect(Object.keys(vars)).toHaveLength(10);
    // The Twilio preset's arguments: ContentSid and ContentVariables, no Body.
    const args = renderArguments(PRESETS['twilio-whatsapp']!.arguments, { ...p, to: PHONE }) as Record<string, unknown>;
    expect(args).toMatchObject({ ContentSid: SID, ContentVariables: p.contentVariables });
    expect(args).not.toHaveProperty('Body');
  });

  it('a reply opens the window: the follow-up goes out as free text (Body); 24 h later it is a template again', async () => {
    await withTenant(db.kysely, tenantId, (tx) =>
      sql`insert into mensagens_recebidas (tenant_id, lead_id, canal, remetente, texto, recebida_em, message_id_externo,
                                           classe, confianca, remetente_formas)
          values (${tenantId}, ${leadId}, 'whatsapp', ${PHONE}, 'Oi, quero negociar', ${new Date(now.getTime() - 3600_000)},
                  'SMin1', 'interesse', 0.9, ${[PHONE, '+551187650001']}::text[])`.execute(tx),
    );
    await reopen();
    // A minute after the first message: our pair rate (one message per recipient per 6.5 s) lets it go.
    now = new Date(now.getTime() + 60_000);
    expect(await decision()).toMatchObject({ codigo_bloqueio: null, forma: 'texto_livre' });
    expect((await enqueue('terceiro')).enqueued).toBe(1);
    await drain();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ freeText: expect.stringContaining('Olá, Ana!') });
    expect(sent[1]!.contentSid).toBeUndefined();
    const args = renderArguments(PRESETS['twilio-whatsapp']!.arguments, { ...sent[1]!, to: PHONE }) as Record<
      string,
      unknown
    >;
    expect(args.Body).toContain('Olá, Ana!');
    expect(args).not.toHaveProperty('ContentSid');

    // Queued as free text inside the window, still waiting when it closes: it goes as the approved template.
    expect((await enqueue('quarto')).enqueued).toBe(1);
    now = new Date(now.getTime() + 24 * 3600_000);
    await drain();
    expect(sent).toHaveLength(3);
    expect(sent[2]).toMatchObject({ contentSid: SID });
    expect(sent[2]!.freeText).toBeUndefined();
    expect(JSON.parse(sent[2]!.contentVariables!)['1']).toBe('Ana');
    expect(await decision()).toMatchObject({ codigo_bloqueio: null, forma: 'modelo' });
  });

  it('a paused approval blocks outside the window with template_pausado', async () => {
    await manageTemplates(scope, {
      action: 'register',
      template_id: 'cobranca_padrao_whatsapp_v2',
      provider: 'twilio',
      name: SID,
      category: 'utility',
      status: 'paused',
      params: PARAMS,
    });
    expect(await decision()).toMatchObject({ codigo_bloqueio: 'template_pausado' });
    const listed = (await manageTemplates(scope, { action: 'list' })).items as Array<Record<string, unknown>>;
    expect(listed.find((i) => i.template_id === 'cobranca_padrao_whatsapp_v2')).toMatchObject({
      provider: 'twilio',
      outside_window: 'template_pausado',
    });
  });

  it('a meeting confirmation follows the window too: blocked outside it without approval, free text inside', async () => {
    const deps = await makeDeps(db, { tenantSlug: 'janela-24h', clock, channels: channels('twilio-whatsapp') });
    const rehearsal = createScope(deps); // sending off: the confirmation is rehearsed, not queued
    const meeting = {
      agendamento_id: randomUUID(),
      lead_id: leadId,
      inicio: new Date(now.getTime() + 86_400_000),
      timezone: 'America/Sao_Paulo',
      local: 'https://meet.exemplo.com.br/x',
    };
    const out = await rehearsal.tx((tx) => queueMeetingMessage(tx, rehearsal, meeting, 'confirmacao'));
    expect(out).toMatchObject({
      status: 'bloqueado',
      channel: 'whatsapp',
      template: 'confirmacao_reuniao_whatsapp_v1',
    });
    expect(out.reason).toMatch(/^sem_template_aprovado: /);
    await withTenant(db.kysely, tenantId, (tx) =>
      sql`insert into mensagens_recebidas (tenant_id, lead_id, canal, remetente, texto, recebida_em, message_id_externo,
                                           classe, confianca, remetente_formas)
          values (${tenantId}, ${leadId}, 'whatsapp', ${PHONE}, 'Pode ser amanhã', ${new Date(now.getTime() - 600_000)},
                  'SMin2', 'interesse', 0.9, ${[PHONE]}::text[])`.execute(tx),
    );
    const inside = await rehearsal.tx((tx) => queueMeetingMessage(tx, rehearsal, meeting, 'confirmacao'));
    expect(inside).toMatchObject({ status: 'dry_run', channel: 'whatsapp' });
    expect(inside.message).toContain('Confirmamos nossa reunião');
  });

  it('a meeting template registered as marketing is checked like the others: not to who refused marketing', async () => {
    const deps = await makeDeps(db, { tenantSlug: 'janela-24h', clock, channels: channels('twilio-whatsapp') });
    const rehearsal = createScope(deps);
    // A day later: the window the last test opened has closed.
    now = new Date(now.getTime() + 25 * 3600_000);
    const meeting = {
      agendamento_id: randomUUID(),
      lead_id: leadId,
      inicio: new Date(now.getTime() + 86_400_000),
      timezone: 'America/Sao_Paulo',
      local: 'https://meet.exemplo.com.br/y',
    };
    const register = (category: 'utility' | 'marketing') =>
      manageTemplates(scope, {
        action: 'register',
        template_id: 'lembrete_reuniao_whatsapp_v1',
        provider: 'twilio',
        name: SID,
        category,
        params: ['contato', 'remetente', 'empresa', 'data_reuniao', 'hora_reuniao', 'fuso', 'link_ou_local'],
      });
    const reminder = () => rehearsal.tx((tx) => queueMeetingMessage(tx, rehearsal, meeting, 'lembrete'));
    await withTenant(db.kysely, tenantId, (tx) =>
      sql`insert into restricoes_marketing (tenant_id, telefone, motivo, desde)
          values (${tenantId}, ${PHONE}, 'a pessoa parou de receber marketing (código 131050)', ${now})`.execute(tx),
    );
    await register('marketing');
    const out = await reminder();
    expect(out).toMatchObject({ status: 'bloqueado', channel: 'whatsapp', template: 'lembrete_reuniao_whatsapp_v1' });
    expect(out.reason).toBe(
      'marketing_recusado: A pessoa parou de receber mensagens de marketing desta empresa (WhatsApp 131050)',
    );
    // As a utility template (what a meeting reminder is) it goes: the refusal is of marketing only.
    await register('utility');
    expect(await reminder()).toMatchObject({ status: 'dry_run', channel: 'whatsapp' });
  });
});
