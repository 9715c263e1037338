import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_CODES } from '../../src/core/model/index.js';
import { withTenant } from '../../src/db/tenant.js';
import type { ChannelStatus } from '../../src/deps.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { cnpjFor } from '../helpers/leads-data.js';
import { connectClient, fixedClock, makeDeps, textOf } from '../helpers/server.js';

/*
 * Issue 17 step 8: one dry run over leads that each stop at a different collection gate names every
 * gate with its count, in the order the decision checks them (core/model BLOCK_CODES), and the decision
 * of each lead names its own gate. Tuesday 24/11/2026 08:30 in São Paulo (07:30 in Manaus).
 */
const channels = (): ChannelStatus[] =>
  (['whatsapp', 'email'] as const).map((channel) => ({
    channel,
    server: 'x',
    preset: null,
    transport: 'stdio',
    state: 'configured',
    detail: null,
  }));

describe(`collection gates in order, with counts (${testDbKind()})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => db?.destroy());

  it('counts each gate once per lead, in the decision’s order, in the dry run and its text', async () => {
    const deps = await makeDeps(db, { tenantSlug: 'gate-order', clock: fixedClock('2026-11-24T11:30:00Z'), channels });
    const t = deps.tenant.tenant_id;
    const lead = (n: number, extra: Record<string, unknown> = {}) =>
      insertLead(db.kysely, t, {
        nome: `Devedora ${n} Ltda`,
        documento: cnpjFor(9000 + n),
        phones: [{ e164: `+5511970000${String(n).padStart(3, '0')}` }],
        ...extra,
      });
    const ids = {
      ok: await lead(1),
      manaus: await lead(2, { uf: 'AM', timezone: 'America/Manaus' }),
      prescrita: await lead(3, { debts: [{ valor_centavos: 100, vencimento: '2019-01-01' }] }),
      shared1: await lead(4),
      shared2: await lead(5, { phones: [{ e164: '+5511970000004' }] }),
      listed: await lead(6),
    };
    await withTenant(db.kysely, t, (tx) =>
      sql`insert into registros_opt_out (tenant_id, fonte, numero_e164, vigente_desde, arquivo, ator)
          values (${t}, 'sp_nao_me_ligue', '+5511970000006', '2026-11-01', 'nml.csv', 'teste')`.execute(tx),
    );
    const client = await connectClient(deps);
    const res = await client.callTool({ name: 'dry_run_dispatch', arguments: { lead_ids: Object.values(ids) } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const dry = res.structuredContent as any;
    const expected = {
      registro_nao_perturbe: 1,
      contato_compartilhado: 2,
      divida_prescrita: 1,
      fora_do_horario_cobranca: 1,
    };
    expect(dry.by_block_code).toEqual(expected);
    expect(Object.keys(dry.by_block_code)).toEqual(Object.keys(expected));
    const order = Object.keys(expected).map((c) => BLOCK_CODES.indexOf(c as never));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(textOf(res)).toContain(
      'Block reasons: registro_nao_perturbe 1, contato_compartilhado 2, divida_prescrita 1, fora_do_horario_cobranca 1.',
    );

    const dec = await client.callTool({ name: 'decide_channel', arguments: { lead_ids: Object.values(ids) } });
    const byLead = new Map((dec.structuredContent as any).decisions.map((d: any) => [d.lead_id, d.block_code]));
    expect(Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, byLead.get(id)]))).toEqual({
      ok: null,
      manaus: 'fora_do_horario_cobranca',
      prescrita: 'divida_prescrita',
      shared1: 'contato_compartilhado',
      shared2: 'contato_compartilhado',
      listed: 'registro_nao_perturbe',
    });
    await client.closeAll();
  });
});
