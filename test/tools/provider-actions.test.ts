import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/core/dispatch/classify.js';
import { reserveSlots } from '../../src/core/dispatch/rate-limit.js';
import type { Claimed } from '../../src/core/dispatch/outcome.js';
import { applyStatus } from '../../src/core/inbound/apply-status.js';
import { channelSlowedUntil } from '../../src/core/outreach/provider-actions.js';
import { PROVIDER_ACTIONS, providerAction } from '../../src/core/outreach/provider-codes.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { cnpjFor } from '../helpers/leads-data.js';
import { seedCreditor, TEST_CREDITOR } from '../helpers/server.js';
import { savePolicy } from '../../src/core/outreach/policy.js';
import { plantingFixtures } from '../helpers/transition-guard.js';

/*
 * Issue 16 step 5: every provider code with an action does what its row says, when it arrives as a
 * failed delivery status (inbound/apply-status.ts) — and 131049 at send time (classify.ts).
 */
const NOW = new Date('2026-11-24T14:00:00Z');
const TEMPLATE = 'cobranca_padrao_whatsapp_v2';

describe(`provider code → action, row by row (${testDbKind()})`, () => {
  let db: TestDb;
  let t: string;
  beforeAll(async () => {
    db = await openTestDb();
    t = (await ensureTenant(db.kysely, 'acoes-provedor')).tenant_id;
    await seedCreditor(db, t, TEST_CREDITOR);
    await withTenant(db.kysely, t, (tx) => savePolicy(tx, t, { remetente: 'Cobra Fácil' }));
  });
  afterAll(async () => db?.destroy());

  let n = 0;
  /** A lead with a phone (and an e-mail), a WhatsApp message of it already accepted, and an approved template. */
  async function sentMessage(code: string) {
    n++;
    const phone = `+55119876${String(n).padStart(5, '0')}`;
    const leadId = await insertLead(db.kysely, t, {
      nome: `Empresa ${code}`,
      documento: cnpjFor(7000 + n),
      phones: [{ e164: phone }],
      emails: [{ email: `c${n}@empresa.com.br` }],
      status: 'contatado',
    });
    const messageId = `wamid.${code}.${n}`;
    await withTenant(db.kysely, t, async (tx) => {
      await plantingFixtures(tx);
      await sql`insert into disparos (tenant_id, lead_id, canal, destino, template, variaveis, conteudo, idempotency_key,
                                      status, message_id_externo, enviado_em)
                values (${t}, ${leadId}, 'whatsapp', ${phone}, ${TEMPLATE}, '{}'::jsonb, 'Olá', ${`k-${code}-${n}`},
                        'enviado', ${messageId}, ${NOW})`.execute(tx);
      await sql`insert into modelos_aprovados (tenant_id, template_id, provedor, nome, categoria, status, ator)
                values (${t}, ${TEMPLATE}, 'meta', ${TEMPLATE}, 'utility', 'approved', 'teste')
                on conflict (tenant_id, template_id, provedor) do update set status = 'approved'`.execute(tx);
    });
    const failed = () =>
      withTenant(db.kysely, t, (tx) =>
        applyStatus(
          tx,
          { tenantId: t, actor: 'teste', now: NOW },
          { providerId: messageId, status: 'falhou', at: NOW, code, detail: null },
        ),
      );
    const q = <R>(query: ReturnType<typeof sql<R>>) =>
      withTenant(db.kysely, t, async (tx) => (await query.execute(tx)).rows);
    return { leadId, phone, failed, q };
  }

  it('has an action for every code the issue names', () => {
    const codes = [
      '131049',
      '131026',
      '63024',
      '63003',
      '131050',
      '131048',
      '130429',
      '132015',
      '132016',
      '131047',
      '63016',
    ];
    expect(codes.filter((c) => !PROVIDER_ACTIONS[c])).toEqual([]);
    expect(providerAction('999999')).toBeNull();
  });

  it('131049 (held for ecosystem health): a new message queued 12 h later; the next round 24 h, then 48 h', async () => {
    const m = await sentMessage('131049');
    await m.failed();
    const rows = await m.q(sql<{ status: string; proxima_tentativa_em: Date; idempotency_key: string }>`
      select status, proxima_tentativa_em, idempotency_key from disparos where lead_id = ${m.leadId} and status = 'adiado'`);
    expect(rows).toHaveLength(1);
    expect(new Date(rows[0]!.proxima_tentativa_em).getTime() - NOW.getTime()).toBe(12 * 3600_000);
    // At send time: the same delays by attempt, then given up.
    const claimed = { disparo_id: 'x', tentativas: 1, max_tentativas: 5, talvez_entregue: false } as Claimed;
    const out = {
      ok: false,
      errorClass: 'politica',
      error: 'held',
      raw: null,
      reason: 'refused',
      providerCode: '131049',
    } as const;
    const at = (k: number) => classify({ ...claimed, tentativas: k }, out, false, NOW, 0.5);
    expect([1, 2, 3].map((k) => (at(k).proxima!.getTime() - NOW.getTime()) / 3600_000)).toEqual([12, 24, 48]);
    expect(at(4).status).toBe('falhou');
  });

  it.each(['131026', '63024', '63003'])(
    '%s (not on WhatsApp): phone not sendable, e-mail version queued',
    async (code) => {
      const m = await sentMessage(code);
      await m.failed();
      const [phone] = await m.q(sql<{ valido_para_disparo: boolean }>`
      select valido_para_disparo from lead_telefones where lead_id = ${m.leadId}`);
      expect(phone!.valido_para_disparo).toBe(false);
      const mails = await m.q(sql<{ canal: string; status: string }>`
      select canal, status from disparos where lead_id = ${m.leadId} and canal = 'email'`);
      expect(mails).toEqual([{ canal: 'email', status: 'pendente' }]);
    },
  );

  it('131050 (stopped marketing): marketing refused for the phone, never retried, not suppressed', async () => {
    const m = await sentMessage('131050');
    await m.failed();
    expect(await m.q(sql`select 1 from restricoes_marketing where telefone = ${m.phone}`)).toHaveLength(1);
    expect(await m.q(sql`select 1 from supressoes where valor = ${m.phone}`)).toHaveLength(0);
    expect(
      await m.q(sql`select 1 from disparos where lead_id = ${m.leadId} and status in ('adiado', 'pendente')`),
    ).toHaveLength(0);
  });

  it.each(['131048', '130429'])('%s (rate limit): the channel is slowed', async (code) => {
    const m = await sentMessage(code);
    await m.failed();
    const slowed = (at: Date) => withTenant(db.kysely, t, (tx) => channelSlowedUntil(tx, t, 'whatsapp', at));
    expect((await slowed(NOW))?.getTime()).toBe(NOW.getTime() + 60_000);
    expect(await slowed(new Date(NOW.getTime() + 61_000))).toBeNull();
    // Shared by every worker: the next reservation on the database gets no slot before then.
    const grant = await withTenant(db.kysely, t, (tx) => reserveSlots(tx, t, 'whatsapp', 5, NOW));
    expect(grant.granted).toBe(0);
  });

  it.each([
    ['132015', 'paused'],
    ['132016', 'disabled'],
  ])('%s: the template approval becomes %s', async (code, status) => {
    const m = await sentMessage(code);
    await m.failed();
    const [row] = await m.q(
      sql<{ status: string }>`select status from modelos_aprovados where template_id = ${TEMPLATE}`,
    );
    expect(row!.status).toBe(status);
  });

  it.each(['131047', '63016'])('%s (outside the window): the message is marked as needing a template', async (code) => {
    const m = await sentMessage(code);
    await m.failed();
    const [row] = await m.q(sql<{ motivo: string }>`select motivo from disparos where lead_id = ${m.leadId}`);
    expect(row!.motivo).toMatch(/^sem_template_aprovado: fora da janela de 24 h/);
  });
});
