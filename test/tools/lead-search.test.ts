import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerDeps } from '../../src/deps.js';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';

/*
 * Issue 19 "Why", answered in one call each through a real MCP client: "Quantos leads de Manaus temos?",
 * the lead behind the number that just wrote to us (any form), an e-mail, a document formatted or not,
 * UF, DDD, a sheet column, a campaign, a reply class — with totals by status and channel.
 */
const CSV = [
  'Empresa;Contato;CNPJ;Celular;Email;Cidade/UF;Segmento',
  'Padaria Rio Negro;Ana;11.222.333/0001-81;(92) 99123-4567;ana@rionegro.com.br;Manaus/AM;Padaria',
  'Loja Sol;Bruno;;(11) 98765-4321;bruno@sol.com.br;São Paulo/SP;Varejo',
  'Mercado Boa Vista;Carla;;(95) 99111-2222;;Boa Vista/RR;Mercado',
  'Oficina Tarumã;Davi;;(92) 98888-7777;;Manaus - AM;Oficina',
].join('\n');

describe(`query_leads finds a lead by what a person knows of it (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let client: Awaited<ReturnType<typeof connectClient>>;
  const find = async (args: Record<string, unknown>) => {
    const r = await client.callTool({ name: 'query_leads', arguments: args });
    expect(r.isError, textOf(r)).toBeFalsy();
    const s = r.structuredContent as any;
    return { names: s.leads.map((l: any) => l.name).sort(), totals: s.totals, text: textOf(r), leads: s.leads };
  };

  beforeAll(async () => {
    db = await openTestDb();
    const dir = tempDir('lead-search-');
    writeFileSync(join(dir, 'leads.csv'), CSV);
    deps = await makeDeps(db, { tenantSlug: 'lead-search', config: { ingestDirs: [dir] } });
    client = await connectClient(deps);
    const r = await client.callTool({ name: 'ingest_leads', arguments: { file_path: join(dir, 'leads.csv') } });
    expect((r.structuredContent as any).job.status, textOf(r)).toBe('concluido');
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('"Quantos leads de Manaus temos?": the city in a sheet column, with totals by status and channel', async () => {
    const r = await find({ text: 'Manaus' });
    expect(r.names).toEqual(['Oficina Tarumã', 'Padaria Rio Negro']);
    expect(r.totals).toEqual({ total: 2, by_status: { novo: 2 }, whatsapp: 2, email: 1, none: 0 });
    expect(r.text).toMatch(/^2 lead\(s\) match \(novo 2; reachable: WhatsApp 2, e-mail 1, none 0\):/);
    // The rows themselves are in the text, not only a count.
    for (const l of r.leads) expect(r.text).toContain(`${l.lead_id} | ${l.name} |`);
    expect((await find({ text: 'sao paulo' })).names).toEqual(['Loja Sol']);
  });

  it('the number that just wrote to us, in any form: +55, DDD, 8 or 9 digits, the old WhatsApp id', async () => {
    for (const text of ['+55 (92) 99123-4567', '92991234567', '991234567', '9123-4567', '559291234567']) {
      expect((await find({ text })).names, text).toEqual(['Padaria Rio Negro']);
    }
    // Another DDD with the same last digits is another person.
    expect((await find({ text: '(11) 99123-4567' })).names).toEqual([]);
  });

  it('an e-mail (any case), a document formatted or not', async () => {
    expect((await find({ text: 'ANA@RioNegro.com.br' })).names).toEqual(['Padaria Rio Negro']);
    expect((await find({ text: '11.222.333/0001-81' })).names).toEqual(['Padaria Rio Negro']);
    expect((await find({ text: '11222333000181' })).names).toEqual(['Padaria Rio Negro']);
  });

  it('UF, DDD, a sheet column by its header, and several filters together', async () => {
    expect((await find({ uf: 'am' })).names).toEqual(['Oficina Tarumã', 'Padaria Rio Negro']);
    expect((await find({ ddd: '95' })).names).toEqual(['Mercado Boa Vista']);
    expect((await find({ extra: { segmento: 'merc' } })).names).toEqual(['Mercado Boa Vista']);
    expect((await find({ uf: 'AM', has_email: true })).names).toEqual(['Padaria Rio Negro']);
    const none = await find({ text: 'Manaus', status: ['contatado'] });
    expect([none.names, none.totals.total, none.text]).toEqual([[], 0, '0 lead(s) match.']);
  });

  it('by campaign and by reply class', async () => {
    const { leads } = await find({ text: 'Loja Sol' });
    const leadId = leads[0].lead_id;
    const campaignId = '0190a000-0000-7000-8000-0000000000c1';
    await withTenant(db.kysely, deps.tenant.tenant_id, async (tx) => {
      await sql`insert into campanhas (campanha_id, tenant_id, chave, modo, status, template_whatsapp, template_email, alvo)
        values (${campaignId}, ${deps.tenant.tenant_id}, 'busca', 'real', 'processando', 'w', 'e', '{}'::jsonb)`.execute(
        tx,
      );
      await sql`insert into disparos (tenant_id, lead_id, campanha_id, canal, destino, template, idempotency_key, status,
          proxima_tentativa_em)
        values (${deps.tenant.tenant_id}, ${leadId}, ${campaignId}, 'whatsapp', '+5511987654321', 'w', 'busca-1', 'pendente',
          '2100-01-01T00:00:00Z')`.execute(tx);
    });
    expect((await find({ campaign_id: campaignId })).names).toEqual(['Loja Sol']);
    const reply = await client.callTool({
      name: 'handle_reply',
      arguments: { channel: 'whatsapp', from: '5592991234567', text: 'Qual o valor da parcela?' },
    });
    expect((reply.structuredContent as any).class, textOf(reply)).toBe('pergunta');
    expect((await find({ reply_class: 'pergunta' })).names).toEqual(['Padaria Rio Negro']);
    expect((await find({ reply_class: 'opt_out' })).names).toEqual([]);
  });

  it('pages keep the totals of the whole search and say how to get the next page', async () => {
    const first = await find({ limit: 1 });
    expect(first.totals.total).toBe(4);
    expect(first.text).toMatch(/; 1 on this page:\n/);
    expect(first.text).toMatch(/More: call again with cursor "/);
  });
});
