import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFallbackEmail } from '../../src/core/dispatch/fallback.js';
import type { Claimed } from '../../src/core/dispatch/outcome.js';
import { preSendStops } from '../../src/core/dispatch/pre-send-check.js';
import { preSendFacts } from '../../src/core/dispatch/sql/pre-send-facts.js';
import { loadPolicy, prescriptionCutoff } from '../../src/core/outreach/policy.js';
import { saveTemplateOverride } from '../../src/core/outreach/templates.js';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import {
  configuredChannels,
  NOTICE_EMAIL_TEMPLATE,
  NOTICE_TEMPLATE,
  policyOpenAllWeek,
} from '../helpers/dispatch-setup.js';
import { insertLead } from '../helpers/fixtures.js';
import { cnpjFor } from '../helpers/leads-data.js';
import { connectClient, fixedClock, makeDeps, textOf } from '../helpers/server.js';
import { plantingFixtures } from '../helpers/transition-guard.js';

/*
 * A collection message is one whose template names a debt or the creditor (isCollectionTemplate); only
 * it is held to the law's hours (never on Sundays). A tenant that collects (creditor set) may also send a
 * notice that names neither to a lead that owes: the decision, the queued message, the send-time re-check
 * and the e-mail fallback of a refused number must all treat it as the notice it is — the re-check used
 * to class it by the lead's variables (which always name the debt and the creditor) and defer it.
 */
const SUNDAY_10 = '2026-11-29T13:00:00Z'; // 10:00 in São Paulo

/** A tenant with a creditor (makeDeps's default), sending on, on Sunday 10:00. */
const collectingTenant = () =>
  makeDeps(db, {
    tenantSlug: `n-${Math.random().toString(36).slice(2, 10)}`,
    clock: fixedClock(SUNDAY_10),
    channels: configuredChannels('whatsapp', 'email', 'calendar'),
    config: { dispatchEnabled: true },
  });

let db: TestDb;
describe(`a notice from a collecting tenant is not a collection message (${testDbKind()})`, () => {
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  it('Sunday 10:00, window open all week: the notice is decided, queued, re-checked and falls back as a notice; the collection waits', async () => {
    const deps = await collectingTenant();
    const t = deps.tenant.tenant_id;
    await withTenant(db.kysely, t, async (tx) => {
      await policyOpenAllWeek(tx, t);
      for (const def of [NOTICE_TEMPLATE, NOTICE_EMAIL_TEMPLATE])
        expect(await saveTemplateOverride(tx, t, def)).toEqual([]);
    });
    const leadId = await insertLead(db.kysely, t, {
      nome: 'Devedora Aviso Ltda',
      contato: 'Ana Souza',
      documento: cnpjFor(9101),
      phones: [{ e164: '+5511980009101' }],
      emails: [{ email: 'ana@devedora.com.br' }],
    });
    const client = await connectClient(deps);
    const call = async (name: string, args: Record<string, unknown>) => {
      const res = await client.callTool({ name, arguments: args });
      expect(res.isError, textOf(res)).toBeFalsy();
      return res.structuredContent as any;
    };

    // The lead owes: the collection template waits for Monday; the notice may go now.
    const collection = (await call('decide_channel', { lead_id: leadId })).decisions[0];
    expect(collection.block_code).toBe('fora_do_horario_cobranca');
    const notice = (await call('decide_channel', { lead_id: leadId, template_whatsapp: NOTICE_TEMPLATE.id }))
      .decisions[0];
    expect(notice.block_code, notice.block_reason).toBeNull();
    expect(notice.would_send_now).toBe(true);
    expect(notice.message).toContain('Olá, Ana! A equipe de Teste quer falar com você.');
    expect(notice.message).not.toMatch(/R\$|CNPJ/);

    const camp = await call('start_dispatch', {
      lead_ids: [leadId],
      campaign_key: 'aviso-domingo',
      template_whatsapp: NOTICE_TEMPLATE.id,
      template_email: NOTICE_EMAIL_TEMPLATE.id,
    });
    expect(camp.mode).toBe('real');
    expect(camp.queued).toBe(1);
    await client.closeAll();

    const at = new Date(SUNDAY_10);
    const recheck = async (ids: string[]) =>
      withTenant(db.kysely, t, async (tx) => {
        const policy = await loadPolicy(tx, deps.tenant);
        const facts = await preSendFacts(tx, t, ids, prescriptionCutoff(at, policy.prescricaoAnos), at);
        expect(facts).toHaveLength(ids.length);
        const claimed = ids.map((id) => ({ disparo_id: id, tenant_id: t, lead_id: leadId }) as Claimed);
        return { facts, stops: preSendStops(claimed, facts, policy.janela, at, { credorSet: policy.credor !== null }) };
      });

    const queued = await withTenant(db.kysely, t, (tx) =>
      tx
        .selectFrom('disparos')
        .select(['disparo_id', 'lead_id', 'idempotency_key', 'template', 'status'])
        .where('campanha_id', '=', camp.job_id)
        .execute(),
    );
    expect(queued).toMatchObject([{ template: NOTICE_TEMPLATE.id, status: 'pendente' }]);
    const first = await recheck([queued[0].disparo_id]);
    expect(first.facts[0].cobranca).toBe(false);
    expect(first.stops.size).toBe(0);

    // The number refused permanently: the e-mail is the campaign's notice, not the collections e-mail.
    await withTenant(db.kysely, t, (tx) =>
      renderFallbackEmail(tx, t, queued[0], 'ana@devedora.com.br', { actor: 'teste', now: at }),
    );
    const fallback = await withTenant(db.kysely, t, (tx) =>
      tx
        .selectFrom('disparos')
        .select(['disparo_id', 'template', 'assunto', 'conteudo'])
        .where('lead_id', '=', leadId)
        .where('canal', '=', 'email')
        .execute(),
    );
    expect(fallback).toMatchObject([{ template: NOTICE_EMAIL_TEMPLATE.id, assunto: 'Aviso de Teste' }]);
    expect(fallback[0].conteudo).not.toMatch(/R\$|Pendência/);
    const second = await recheck([fallback[0].disparo_id]);
    expect(second.facts[0].cobranca).toBe(false);
    expect(second.stops.size).toBe(0);

    // A collection message queued for the same lead is still held to the law's hours at the re-check.
    const collectionId = await withTenant(db.kysely, t, async (tx) => {
      await plantingFixtures(tx);
      const { rows } = await sql<{ disparo_id: string }>`
        insert into disparos (tenant_id, lead_id, canal, destino, template, variaveis, idempotency_key, status, conteudo)
        values (${t}, ${leadId}, 'whatsapp', '+5511980009101', 'cobranca_padrao_whatsapp_v2',
                ${JSON.stringify({ __cobranca: true })}::jsonb, 'aviso-cobranca-1', 'pendente', 'x')
        returning disparo_id`.execute(tx);
      return rows[0].disparo_id;
    });
    const third = await recheck([collectionId]);
    expect(third.stops.get(collectionId)).toMatchObject({
      status: 'adiado',
      motivo: /fora_do_horario_cobranca.*domingo/,
    });
  });

  it('a single send refused on WhatsApp falls back to its e-mail twin; a notice without one has no fallback, never the collections e-mail', async () => {
    const deps = await collectingTenant();
    const t = deps.tenant.tenant_id;
    const leadId = await insertLead(db.kysely, t, {
      nome: 'Gêmeos Ltda',
      contato: 'Rui Lima',
      documento: cnpjFor(9102),
      phones: [{ e164: '+5511980009102' }],
      emails: [{ email: 'rui@gemeos.com.br' }],
    });
    await withTenant(db.kysely, t, async (tx) => {
      // A tenant notice with no e-mail twin.
      expect(
        await saveTemplateOverride(tx, t, {
          ...NOTICE_TEMPLATE,
          id: 'lembrete_sem_gemeo',
          whatsapp: { ...NOTICE_TEMPLATE.whatsapp!, nome_aprovado: 'lembrete_sem_gemeo' },
        }),
      ).toEqual([]);
    });
    const cases = [
      { template: 'contato_comercial_whatsapp_v1', cobranca: false, expected: 'contato_comercial_email_v1' },
      { template: 'cobranca_padrao_whatsapp_v2', cobranca: true, expected: 'cobranca_padrao_email_v2' },
      { template: 'lembrete_sem_gemeo', cobranca: false, expected: null },
    ];
    for (const [i, c] of cases.entries()) {
      const fallback = await withTenant(db.kysely, t, async (tx) => {
        await plantingFixtures(tx);
        const key = `avulso-${i}`;
        const { rows } = await sql<{ disparo_id: string }>`
          insert into disparos (tenant_id, lead_id, canal, destino, template, variaveis, idempotency_key, status, conteudo)
          values (${t}, ${leadId}, 'whatsapp', '+5511980009102', ${c.template},
                  ${JSON.stringify({ __cobranca: c.cobranca })}::jsonb, ${key}, 'falhou', 'x')
          returning disparo_id`.execute(tx);
        const row = { disparo_id: rows[0].disparo_id, lead_id: leadId, idempotency_key: key };
        await renderFallbackEmail(tx, t, row, 'rui@gemeos.com.br', { actor: 'teste', now: new Date(SUNDAY_10) });
        return tx
          .selectFrom('disparos')
          .select(['template', 'conteudo', 'variaveis'])
          .where('canal', '=', 'email')
          .where('idempotency_key', 'like', `${key}%`)
          .execute();
      });
      if (c.expected === null) expect(fallback, c.template).toEqual([]);
      else {
        expect(fallback, c.template).toMatchObject([{ template: c.expected }]);
        expect((fallback[0].variaveis as any).__cobranca, c.template).toBe(c.cobranca);
        if (!c.cobranca) expect(fallback[0].conteudo).not.toMatch(/R\$|Pendência/);
      }
    }
  });
});
