import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COBRANCA_TEMPLATES } from '../../src/core/templates/builtin-cobranca.js';
import { Executor } from '../../src/core/dispatch/executor.js';
import { enqueueDisparos } from '../../src/core/dispatch/enqueue.js';
import { loadDecisionContext } from '../../src/core/outreach/decision-context.js';
import type { ChannelClient, SendOutcome, SendPayload } from '../../src/core/outreach/channel-port.js';
import { manageTemplates } from '../../src/core/templates/manage.js';
import type { Scope } from '../../src/core/scope.js';
import { disparoKey } from '../../src/core/model/index.js';
import { withTenant } from '../../src/db/tenant.js';
import type { ChannelStatus } from '../../src/deps.js';
import { createScope } from '../../src/scope.js';
import { silentLogger } from '../../src/core/ports.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { cnpjFor } from '../helpers/leads-data.js';
import { makeDeps } from '../helpers/server.js';
import { policyOpenAllWeek } from '../helpers/dispatch-setup.js';

/*
 * A template the platform paused or disabled after messages were queued with it holds those messages
 * back at send time (dispatch/pre-send-check.ts), not only new decisions: paused → adiado until it is
 * approved again, disabled → bloqueado. The status arrives by manage_templates or by the provider's code
 * on a refused send (provider-actions.ts pause_template). Twilio preset: outside the 24-hour window
 * every message goes as the registered Content SID.
 */
const SID = 'HX' + 'cd34'.repeat(8);
const TEMPLATE = 'cobranca_padrao_whatsapp_v2';
const PARAMS = [...COBRANCA_TEMPLATES.find((t) => t.id === TEMPLATE)!.whatsapp!.parametros];

const channels = (): ChannelStatus[] =>
  (['whatsapp', 'email'] as const).map((channel) => ({
    channel,
    server: 'x',
    preset: channel === 'whatsapp' ? 'twilio-whatsapp' : 'sandbox-email',
    transport: 'stdio',
    state: 'configured',
    detail: null,
  }));

describe(`a paused or disabled template holds back the messages queued with it (${testDbKind()})`, () => {
  let db: TestDb;
  let scope: Scope;
  let tenantId: string;
  let leadIds: string[] = [];
  let n = 0;
  let now = new Date('2026-11-24T14:00:00Z');
  const clock = { now: () => now };
  const sent: SendPayload[] = [];
  /** The downstream's answer to the next calls (ok unless a test sets a refusal). */
  let answer: () => SendOutcome = () => ({ ok: true, messageId: `SM${sent.length}`, raw: null });
  const channel: ChannelClient & { isIdempotent(): boolean } = {
    isIdempotent: () => true,
    send: async (_canal, payload) => {
      sent.push(payload);
      return answer();
    },
  };

  beforeAll(async () => {
    db = await openTestDb();
    const deps = await makeDeps(db, {
      tenantSlug: 'modelo-pausado',
      clock,
      channels,
      env: { MICRO_AGENT_DISPARO_ENABLED: 'true' },
    });
    scope = createScope(deps);
    tenantId = deps.tenant.tenant_id;
    await withTenant(db.kysely, tenantId, (tx) =>
      policyOpenAllWeek(tx, tenantId, { remetente: 'Cobra Fácil', maxPorLead24h: 10 }),
    );
  });
  afterAll(async () => db?.destroy());

  const register = (status: 'approved' | 'paused' | 'disabled') =>
    manageTemplates(scope, {
      action: 'register',
      template_id: TEMPLATE,
      provider: 'twilio',
      name: SID,
      category: 'utility',
      status,
      params: PARAMS,
    });
  /**
   * Two new leads, each with its own phone, as the leads of the next messages.
   */
  const newLeads = async () => {
    leadIds = [];
    for (let i = 0; i < 2; i++)
      leadIds.push(
        await insertLead(db.kysely, tenantId, {
          nome: `Padaria Pausa ${++n} Ltda`,
          contato: 'Ana Souza',
          documento: cnpjFor(8000 + n),
          phones: [{ e164: `+55119876${String(5000 + n).padStart(5, '0')}` }],
        }),
      );
  };
  const enqueue = (key: string) =>
    scope.tx(async (tx) =>
      enqueueDisparos(
        tx,
        await loadDecisionContext(tx, scope),
        { leadIds },
        { campaignId: null, campaignKey: key, actor: 't', reason: 't' },
      ),
    );
  /** One executor round of `batchSize` rows, waited for. */
  const drain = async (batchSize = 10) => {
    const ex = new Executor({ db: db.kysely, channel, clock, logger: silentLogger, workerId: 'w1', batchSize });
    await ex.tick();
    await ex.stop();
  };
  const rows = (key: string) =>
    withTenant(db.kysely, tenantId, async (tx) => {
      const { rows } = await sql<{ status: string; motivo: string | null; proxima: Date; tentativas: number }>`
        select status, motivo, proxima_tentativa_em as proxima, tentativas from disparos
        where idempotency_key = any(${leadIds.map((l) => disparoKey(tenantId, l, TEMPLATE, key))}::text[])
        order by destino`.execute(tx);
      return rows;
    });

  it('paused after queuing (manage_templates): nothing goes, the rows wait as adiado; approved again, they go', async () => {
    await register('approved');
    await newLeads();
    expect((await enqueue('pausa')).enqueued).toBe(2);
    await register('paused');
    await drain();
    expect(sent).toHaveLength(0);
    const held = await rows('pausa');
    expect(held).toHaveLength(2);
    for (const r of held) {
      expect(r.status).toBe('adiado');
      expect(r.motivo).toMatch(/^template_pausado: Fora da janela de 24 h e o modelo aprovado está pausado pela Meta/);
      expect(new Date(r.proxima).getTime() - now.getTime()).toBe(3 * 3600_000);
      // The hold spends no attempt.
      expect(r.tentativas).toBe(0);
    }
    // Still paused when looked at again: held again.
    now = new Date(now.getTime() + 3 * 3600_000);
    await drain();
    expect(sent).toHaveLength(0);
    expect((await rows('pausa')).map((r) => r.status)).toEqual(['adiado', 'adiado']);

    await register('approved');
    now = new Date(now.getTime() + 3 * 3600_000);
    await drain();
    expect(sent).toHaveLength(2);
    expect(sent.every((p) => p.contentSid === SID && p.freeText === undefined)).toBe(true);
    expect((await rows('pausa')).map((r) => r.status)).toEqual(['enviado', 'enviado']);
  });

  it('disabled after queuing (manage_templates): the rows are blocked with template_desativado, nothing goes', async () => {
    await newLeads();
    expect((await enqueue('desativado')).enqueued).toBe(2);
    await register('disabled');
    await drain();
    expect(sent).toHaveLength(2);
    for (const r of await rows('desativado')) {
      expect(r.status).toBe('bloqueado');
      expect(r.motivo).toBe(
        'template_desativado: Fora da janela de 24 h e o modelo aprovado foi rejeitado ou desativado pela Meta',
      );
    }
    // Nothing else queued for them: the leads are back where they were before (novo), not stuck in
    // em_disparo — so once the template is approved again a new campaign reaches them.
    const statuses = await withTenant(db.kysely, tenantId, (tx) =>
      tx.selectFrom('leads').select('status').where('lead_id', 'in', leadIds).execute(),
    );
    expect(statuses.map((l) => l.status)).toEqual(['novo', 'novo']);
    await register('approved');
    expect((await enqueue('desativado-de-novo')).enqueued).toBe(2);
    await drain();
    expect(sent).toHaveLength(4);
  });

  it('a marketing template: the person who stopped marketing since it was queued (131050) does not get it', async () => {
    await manageTemplates(scope, {
      action: 'register',
      template_id: TEMPLATE,
      provider: 'twilio',
      name: SID,
      category: 'marketing',
      params: PARAMS,
    });
    await newLeads();
    expect((await enqueue('marketing')).enqueued).toBe(2);
    const [refused] = await withTenant(db.kysely, tenantId, (tx) =>
      tx.selectFrom('lead_telefones').select('numero_e164').where('lead_id', '=', leadIds[0]!).execute(),
    );
    await withTenant(db.kysely, tenantId, (tx) =>
      sql`insert into restricoes_marketing (tenant_id, telefone, motivo, desde)
          values (${tenantId}, ${refused!.numero_e164}, 'a pessoa parou de receber marketing (código 131050)', ${now})`.execute(
        tx,
      ),
    );
    const before = sent.length;
    await drain();
    const to = sent.slice(before).map((p) => p.to);
    expect(to).toHaveLength(1);
    expect(to).not.toContain(refused!.numero_e164);
    const byPhone = await withTenant(db.kysely, tenantId, async (tx) => {
      const { rows } = await sql<{ destino: string; status: string; motivo: string | null }>`
        select destino, status, motivo from disparos
        where idempotency_key = any(${leadIds.map((l) => disparoKey(tenantId, l, TEMPLATE, 'marketing'))}::text[])`.execute(
        tx,
      );
      return Object.fromEntries(rows.map((r) => [r.destino === refused!.numero_e164 ? 'refused' : 'other', r]));
    });
    expect(byPhone.refused).toMatchObject({
      status: 'bloqueado',
      motivo: 'marketing_recusado: A pessoa parou de receber mensagens de marketing desta empresa (WhatsApp 131050)',
    });
    expect(byPhone.other).toMatchObject({ status: 'enviado' });
  });

  it("disabled by the provider's refusal (Twilio 63042): the other message already queued is blocked, not sent", async () => {
    await register('approved');
    await newLeads();
    expect((await enqueue('recusa')).enqueued).toBe(2);
    answer = () => ({
      ok: false,
      errorClass: 'politica',
      error: 'Template disabled',
      raw: null,
      reason: 'template_refused',
      providerCode: '63042',
    });
    // One row per round: the first is refused and its code disables the template in the registry.
    const before = sent.length;
    await drain(1);
    expect(sent).toHaveLength(before + 1);
    now = new Date(now.getTime() + 60_000);
    await drain(1);
    expect(sent).toHaveLength(before + 1);
    const statuses = (await rows('recusa')).map((r) => `${r.status} ${r.motivo!.split(':')[0]}`).sort();
    // The refused one is recorded as the channel's policy refusal; the other never left.
    expect(statuses).toEqual([expect.stringMatching(/^bloqueado recusado.*63042/), 'bloqueado template_desativado']);
    const registry = await withTenant(db.kysely, tenantId, (tx) =>
      tx.selectFrom('modelos_aprovados').select('status').where('template_id', '=', TEMPLATE).execute(),
    );
    expect(registry).toEqual([{ status: 'disabled' }]);
  });
});
