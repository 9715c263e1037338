import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/connect.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { createPgDatabase } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { cleanEnv, runMain, startMain } from '../helpers/spawn.js';
import { metaMessage, metaSignature } from '../helpers/webhook-payloads.js';

async function until(check: () => Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not reached in ${ms} ms`);
}

/**
 * The built `serve --webhooks-only` on PostgreSQL, killed with SIGKILL after it stored and answered a
 * webhook and before it processed it (AGENTE_INBOUND_DELAY_MS holds processing back): started again,
 * its start-up sweep processes the stored event — once.
 */
describe('inbound events survive kill -9 between storing and processing', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('a stored opt-out is processed once after the restart', { timeout: 120_000 }, async () => {
    const { url, drop } = await createPgDatabase();
    const base = cleanEnv({ DATABASE_URL: url, APP_SECRET: 'meta-app-secret' });
    const created = await runMain(
      [
        'webhook',
        'create',
        '--tenant',
        'crash',
        '--provider',
        'whatsapp_cloud',
        '--secret-env',
        'APP_SECRET',
        '--verify-token',
        'v',
      ],
      base,
    );
    expect(created.code, created.stderr).toBe(0);
    const path = created.stdout.trim();
    expect(path).toMatch(/^\/webhooks\/whatsapp_cloud\/[A-Za-z0-9_-]{24}$/);
    const db = await openDb({ databaseUrl: url });
    await db.useAppRole();
    const tenant = await ensureTenant(db.kysely, 'crash');
    const leadId = await insertLead(db.kysely, tenant.tenant_id, {
      nome: 'Loja Crash',
      status: 'contatado',
      phones: [{ e164: '+5531987650099' }],
    });
    const q = <T>(fn: Parameters<typeof withTenant<T>>[2]) => withTenant(db.kysely, tenant.tenant_id, fn);

    const first = await startMain(
      ['serve', '--webhooks-only', '--port', '0'],
      { ...base, AGENTE_INBOUND_DELAY_MS: '60000' },
      /listening on (http:\/\/\S+)\/mcp/,
    );
    children.push(first.child);
    const origin = first.match[1];
    expect((await fetch(`${origin}/mcp`, { method: 'POST', body: '{}' })).status).toBe(404); // no MCP here
    const body = JSON.stringify(
      metaMessage({ from: '5531987650099', id: 'wamid.CRASH1', text: 'SAIR', ts: Math.floor(Date.now() / 1000) }),
    );
    const headers = {
      'content-type': 'application/json',
      'x-hub-signature-256': metaSignature('meta-app-secret', body),
    };
    const res = await fetch(`${origin}${path}`, { method: 'POST', body, headers });
    expect(res.status).toBe(200);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const stored = await q((tx) => tx.selectFrom('eventos_recebidos').select(['processado_em']).execute());
    expect(stored).toEqual([{ processado_em: null }]);
    expect(
      (await q((tx) => tx.selectFrom('leads').select('status').where('lead_id', '=', leadId).executeTakeFirstOrThrow()))
        .status,
    ).toBe('contatado');

    const second = await startMain(
      ['serve', '--webhooks-only', '--port', '0'],
      base,
      /listening on (http:\/\/\S+)\/mcp/,
    );
    children.push(second.child);
    await until(
      async () =>
        (await q((tx) => tx.selectFrom('eventos_recebidos').select('processado_em').executeTakeFirstOrThrow()))
          .processado_em !== null,
      30_000,
    );
    // The provider retries the same delivery too: still one message.
    const origin2 = second.match[1];
    expect((await fetch(`${origin2}${path}`, { method: 'POST', body, headers })).status).toBe(200);
    const msgs = await q((tx) => tx.selectFrom('mensagens_recebidas').select(['lead_id', 'classe']).execute());
    expect(msgs).toEqual([{ lead_id: leadId, classe: 'opt_out' }]);
    const lead = await q((tx) =>
      tx.selectFrom('leads').select('status').where('lead_id', '=', leadId).executeTakeFirstOrThrow(),
    );
    expect(lead.status).toBe('opt_out');
    const moves = await q((tx) =>
      tx
        .selectFrom('lead_eventos')
        .select('tipo')
        .where('lead_id', '=', leadId)
        .where('status_para', '=', 'opt_out')
        .execute(),
    );
    expect(moves).toHaveLength(1);
    second.child.kill('SIGTERM');
    await db.close();
    await drop();
  });
});
