import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerDeps } from '../../src/deps.js';
import { parseStart } from '../../src/core/meetings/check-slot.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';

/*
 * Issue 19, "fixing a wrong phone or e-mail of one lead": update_lead through a real MCP client —
 * re-normalised as an import, a value of another lead refused, an invalid one refused with the reason,
 * audited in the lead's history, and suppression still wins over a corrected value.
 */
const CSV = [
  'Empresa;Contato;Celular;Email',
  'Padaria Rio Negro;Ana;(92) 99123-4567;ana@rionegro.com.br',
  'Loja Sol;Bruno;(11) 98765-4321;bruno@sol.com.br',
].join('\n');

describe(`update_lead corrects a lead's contact data (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let client: Awaited<ReturnType<typeof connectClient>>;
  const ids: Record<string, string> = {};
  const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args });
  const view = async (lead_id: string) => {
    const s = (await call('query_leads', { lead_id })).structuredContent as any;
    return { ...s.leads[0], ...s.lead };
  };

  beforeAll(async () => {
    db = await openTestDb();
    const dir = tempDir('lead-edit-');
    writeFileSync(join(dir, 'leads.csv'), CSV);
    deps = await makeDeps(db, { tenantSlug: 'lead-edit', config: { ingestDirs: [dir] } });
    client = await connectClient(deps);
    await call('ingest_leads', { file_path: join(dir, 'leads.csv') });
    const page = (await call('query_leads', {})).structuredContent as any;
    for (const l of page.leads) ids[l.name.split(' ')[0].toLowerCase()] = l.lead_id;
    expect(Object.keys(ids).sort()).toEqual(['loja', 'padaria']);
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it('replaces the phone, normalised; the new number finds the lead, the old one no longer does; audited', async () => {
    const r = await call('update_lead', { lead_id: ids.padaria, phone: '92 9 9000-1111', reason: 'cliente ligou' });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(r.structuredContent).toEqual({
      lead_id: ids.padaria,
      previous_status: 'novo',
      status: 'novo',
      changed: ['phone'],
    });
    expect(textOf(r)).toBe(`Lead ${ids.padaria}: status novo; corrected: phone. Its record: query_leads {lead_id}.`);
    const lead = await view(ids.padaria);
    expect(lead.phones.map((p: any) => [p.e164, p.type, p.sendable])).toEqual([['+5592990001111', 'movel', true]]);
    expect(lead.whatsapp).toBe('+5592990001111');
    const byNew = (await call('query_leads', { text: '+55 92 99000-1111' })).structuredContent as any;
    expect(byNew.leads.map((l: any) => l.lead_id)).toEqual([ids.padaria]);
    expect(((await call('query_leads', { text: '(92) 99123-4567' })).structuredContent as any).leads).toEqual([]);
    expect(lead.history.at(-1)).toMatchObject({ type: 'nota', reason: 'dados corrigidos (phone): cliente ligou' });
  });

  it('e-mail, contact, document (formatted) and UF (its name) in one call, with the time zone of the UF', async () => {
    const r = await call('update_lead', {
      lead_id: ids.loja,
      email: ' Financeiro@Sol.com.BR ',
      contact_name: 'Bruno  Lima',
      document: '11.222.333/0001-81',
      uf: 'Amazonas',
      status: 'contatado',
      reason: 'dados do contrato',
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({
      previous_status: 'novo',
      status: 'contatado',
      changed: ['email', 'contact_name', 'document', 'uf'],
    });
    const lead = await view(ids.loja);
    expect([lead.email, lead.contact_name, lead.document, lead.document_type, lead.timezone]).toEqual([
      'financeiro@sol.com.br',
      'Bruno Lima',
      '11222333000181',
      'cnpj',
      'America/Manaus',
    ]);
    expect(((await call('query_leads', { uf: 'AM' })).structuredContent as any).totals.total).toBe(2);
  });

  it('refuses a value another lead has (naming it), and an invalid one with the reason; nothing changes', async () => {
    const taken = await call('update_lead', { lead_id: ids.padaria, email: 'financeiro@sol.com.br', reason: 'teste' });
    expect(taken.isError).toBe(true);
    expect(textOf(taken)).toMatch(new RegExp(`^conflict: that email belongs to another lead \\(${ids.loja}\\)`));
    const doc = await call('update_lead', { lead_id: ids.padaria, document: '11222333000181', reason: 'teste' });
    expect(textOf(doc)).toMatch(/^conflict: that document belongs to another lead/);
    const bad = await call('update_lead', { lead_id: ids.padaria, email: 'ana@@rionegro', reason: 'teste' });
    expect(textOf(bad)).toMatch(/^invalid_argument: email "ana@@rionegro" is not a valid address/);
    const noUf = await call('update_lead', { lead_id: ids.padaria, uf: 'Campinas', reason: 'teste' });
    expect(textOf(noUf)).toMatch(/^invalid_argument: uf "Campinas" is not a Brazilian state; give its two letters/);
    const nothing = await call('update_lead', { lead_id: ids.padaria, reason: 'teste' });
    expect(textOf(nothing)).toMatch(/^invalid_argument: nothing to change/);
    expect((await view(ids.padaria)).email).toBe('ana@rionegro.com.br');
  });

  it('suppression still wins: a corrected number on the do-not-contact list stays blocked', async () => {
    const add = await call('manage_suppression', { action: 'add', kind: 'telefone', value: '(92) 98888-0000' });
    expect(add.isError, textOf(add)).toBeFalsy();
    const r = await call('update_lead', { lead_id: ids.padaria, phone: '+5592988880000', reason: 'número novo' });
    expect(r.isError, textOf(r)).toBeFalsy();
    const d = (await call('decide_channel', { lead_id: ids.padaria })).structuredContent as any;
    expect(d.decisions[0]).toMatchObject({ would_send_now: false, block_code: 'suprimido' });
  });

  it('errors point the way: a name given as lead_id names query_leads; a malformed or spaced start is refused', async () => {
    const r = await call('update_lead', { lead_id: 'Padaria Rio Negro', status: 'perdido', reason: 'teste' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/lead_id/);
    expect(textOf(r)).toContain('find the lead with query_leads {text: "<name, phone, e-mail or document>"}');
    for (const bad of ['2026-12-10T10h', '2026-12-10 10:00', '10/12/2026 10:00']) {
      expect(() => parseStart(bad, 'America/Manaus'), bad).toThrow(
        /is not a date-time this tool reads\. Give ISO 8601 with an offset \(2026-12-01T10:00:00-03:00\) or a local time in the lead's zone, America\/Manaus/,
      );
    }
    expect(parseStart('2026-12-10T10:00', 'America/Manaus').toISOString()).toBe('2026-12-10T14:00:00.000Z');
    expect(parseStart('2026-12-10T10:00:00-03:00', 'America/Manaus').toISOString()).toBe('2026-12-10T13:00:00.000Z');
  });
});
