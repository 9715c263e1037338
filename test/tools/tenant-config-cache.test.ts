import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideChannel } from '../../src/core/outreach/decide-channel.js';
import { savePolicy } from '../../src/core/outreach/policy.js';
import { addSuppression, removeSuppression } from '../../src/core/outreach/suppression.js';
import { saveTemplateOverride } from '../../src/core/outreach/templates.js';
import { getBuiltinTemplate } from '../../src/core/templates/index.js';
import { openDb, type Db } from '../../src/db/connect.js';
import { withTenant } from '../../src/db/tenant.js';
import type { Scope } from '../../src/core/scope.js';
import type { ChannelStatus } from '../../src/deps.js';
import { createScope } from '../../src/scope.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { connectClient, fixedClock, makeDeps, seedCreditor, TEST_CREDITOR, textOf } from '../helpers/server.js';

// Tuesday 24 Nov 2026, 10:00 in São Paulo: inside the default send window.
const clock = fixedClock('2026-11-24T13:00:00Z');
const WHATSAPP: ChannelStatus[] = [
  { channel: 'whatsapp', server: 'x', preset: null, transport: 'stdio', state: 'configured', detail: null },
];
const DAY = { inicio: '08:00', fim: '20:00' };
const NO_TUESDAY = { dias: [null, DAY, null, DAY, DAY, DAY, null] };

/**
 * Decisions keep the tenant's policy and templates in process (core/outreach/tenant-config-cache.ts),
 * trusted only at the version read in the decision's own transaction (tenant_config_versao, bumped by
 * triggers, migration 045). A change made anywhere — another replica (a second Db on PostgreSQL), a
 * use case, plain SQL — shows in the very next decision; a change rolled back does not.
 */
describe(`tenant configuration cached per version (${testDbKind()})`, () => {
  let db: TestDb;
  let other: Db;
  let tenantId: string;
  let leadId: string;
  let scope: Scope;

  beforeAll(async () => {
    db = await openTestDb();
    if (db.kind === 'postgres') {
      other = await openDb({ databaseUrl: db.url!, poolSize: 1 });
      await other.useAppRole();
    } else other = db;
    const deps = await makeDeps(db, { tenantSlug: 'cache-a', clock, channels: () => WHATSAPP });
    tenantId = deps.tenant.tenant_id;
    leadId = await insertLead(db.kysely, tenantId, {
      nome: 'Padaria Sol',
      documento: '11222333000181',
      phones: [{ e164: '+5511987654321' }],
    });
    scope = createScope(deps);
  });
  afterAll(async () => {
    if (other !== db) await other.close();
    await db.destroy();
  });

  const decision = async () => (await decideChannel(scope, { lead_id: leadId })).decisions[0];
  const onOther = (fn: Parameters<typeof withTenant>[2]) => withTenant(other.kysely, tenantId, fn);

  it('sees policy and template changes made elsewhere in the next decision, and not rolled-back ones', async () => {
    expect(await decision()).toMatchObject({ would_send_now: true, block_code: null });
    expect((await decision()).message).not.toContain('Cobranças Outra');

    await onOther((tx) => savePolicy(tx, tenantId, { janela: NO_TUESDAY, remetente: 'Cobranças Outra' }));
    const closed = await decision();
    expect(closed).toMatchObject({ would_send_now: false, block_code: 'fora_da_janela' });
    expect(closed.message).toContain('Cobranças Outra');

    // Plain SQL, no use case: the trigger bumps the version all the same.
    await onOther((tx) =>
      sql`update tenant_politicas set janela_envio = null where tenant_id = ${tenantId}`.execute(tx),
    );
    expect(await decision()).toMatchObject({ would_send_now: true, block_code: null });

    const builtin = getBuiltinTemplate('cobranca_padrao_whatsapp_v2')!;
    const corpo = `(versão nova) ${builtin.corpo}`;
    expect(await onOther((tx) => saveTemplateOverride(tx, tenantId, { ...builtin, corpo }))).toEqual([]);
    expect((await decision()).message).toContain('(versão nova)');

    await expect(
      onOther(async (tx) => {
        await sql`delete from templates_tenant where tenant_id = ${tenantId}`.execute(tx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await decision()).message).toContain('(versão nova)');

    await onOther((tx) => sql`delete from templates_tenant where tenant_id = ${tenantId}`.execute(tx));
    expect((await decision()).message).not.toContain('(versão nova)');
    const { rows } = await onOther((tx) =>
      sql<{ versao: number }>`select versao from tenant_config_versao where tenant_id = ${tenantId}`.execute(tx),
    );
    expect(Number(rows[0].versao)).toBeGreaterThanOrEqual(4);
  });

  it('a real MCP client sees a new prescription term, template and suppression in the next decide_channel', async () => {
    const deps = await makeDeps(db, { tenantSlug: 'cache-b', clock, channels: () => WHATSAPP });
    const t = deps.tenant.tenant_id;
    await seedCreditor(db, t, TEST_CREDITOR);
    // Due 3.5 years before the clock: prescribed under a 3-year term, not under the default 5.
    const lead = await insertLead(db.kysely, t, {
      nome: 'Padaria Lua',
      documento: '11444777000161',
      phones: [{ e164: '+5511912345678' }],
      debts: [{ valor_centavos: 50000, vencimento: '2023-05-24', contrato: 'CT-9' }],
    });
    const client = await connectClient(deps);
    const on = (fn: Parameters<typeof withTenant>[2]) => withTenant(other.kysely, t, fn);
    const decision = async () => {
      const res = await client.callTool({ name: 'decide_channel', arguments: { lead_id: lead } });
      expect(res.isError, textOf(res)).toBeFalsy();
      return (res.structuredContent as { decisions: Array<Record<string, unknown>> }).decisions[0];
    };
    try {
      for (let i = 0; i < 2; i++) expect(await decision()).toMatchObject({ would_send_now: true, block_code: null });

      // The term is read with the configuration: the facts read with the cached cutoff are not kept.
      await on((tx) => savePolicy(tx, t, { prescricaoAnos: 3 }));
      expect(await decision()).toMatchObject({ would_send_now: false, block_code: 'divida_prescrita' });
      expect((await decision()).block_reason).toMatch(/há mais de 3 anos/);
      await on((tx) => savePolicy(tx, t, { prescricaoAnos: 5 }));
      expect(await decision()).toMatchObject({ would_send_now: true, block_code: null });

      await on((tx) => savePolicy(tx, t, { janela: NO_TUESDAY }));
      expect(await decision()).toMatchObject({ would_send_now: false, block_code: 'fora_da_janela' });
      await on((tx) => sql`update tenant_politicas set janela_envio = null where tenant_id = ${t}`.execute(tx));

      const builtin = getBuiltinTemplate('cobranca_padrao_whatsapp_v2')!;
      await on((tx) => saveTemplateOverride(tx, t, { ...builtin, corpo: `(versão B) ${builtin.corpo}` }));
      expect(await decision()).toMatchObject({ would_send_now: true, message: expect.stringContaining('(versão B)') });

      const ator = 'test';
      await on((tx) => addSuppression(tx, t, { tipo: 'telefone', valor: '+5511912345678', motivo: 'pedido', ator }));
      expect(await decision()).toMatchObject({ would_send_now: false, block_code: 'suprimido' });
      await on((tx) => removeSuppression(tx, t, 'telefone', '+5511912345678'));
      expect(await decision()).toMatchObject({ would_send_now: true, block_code: null });
    } finally {
      await client.closeAll();
    }
  });
});
