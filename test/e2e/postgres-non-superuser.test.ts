import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { withDatabase } from '../helpers/global-setup.js';
import { cleanEnv, MAIN, runMain } from '../helpers/spawn.js';

/**
 * Production shape: DATABASE_URL is a login role that is NOT a superuser (RDS/Aurora's master user is
 * not one). It owns the database, runs the migrations (creating/granting agente_app and agente_sistema),
 * and the server then works as agente_app: imports (COPY through a temp table), queries, tokens.
 * Row-level security applies to that owner too (FORCE), so even a session left as the owner sees nothing.
 */
describe('PostgreSQL with a non-superuser DATABASE_URL', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `dono_${suffix}`;
  const dbName = `nsu_${suffix}`;
  let admin: string;
  let url: string;

  const asAdmin = async (text: string, database?: string) => {
    const c = new pg.Client({ connectionString: database ? withDatabase(admin, database) : admin });
    await c.connect();
    try {
      return await c.query(text);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    admin = inject('pgAdminUrl');
    await asAdmin(`create role ${owner} login createrole`);
    await asAdmin(`create database ${dbName} owner ${owner}`);
    const u = new URL(withDatabase(admin, dbName));
    u.username = owner;
    u.password = '';
    url = u.toString();
  });
  afterAll(async () => {
    await asAdmin(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await asAdmin(`drop owned by ${owner} cascade`).catch(() => {});
    await asAdmin(`drop role if exists ${owner}`).catch(() => {});
  });

  it('migrates, imports and answers as agente_app; the owner itself sees no tenant rows', async () => {
    const env = cleanEnv({ DATABASE_URL: url, AGENTE_TENANT: 'nao-super' });
    const migrated = await runMain(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    const token = await runMain(['token', 'create', '--tenant', 'nao-super', '--scopes', 'read'], env);
    expect(token.code, token.stderr).toBe(0);

    const client = new Client({ name: 'e2e-nsu', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [MAIN],
        env: env as Record<string, string>,
        stderr: 'pipe',
      }),
    );
    const csv =
      'empresa;cnpj;celular;email\nPadaria Boa Vista;11.222.333/0001-81;(11) 98765-4321;contato@boavista.com.br\nMercado Sol;11.444.777/0001-61;(21) 99876-5432;sol@mercado.com.br\n';
    const ingest = await client.callTool({
      name: 'ingest_leads',
      arguments: { content_base64: Buffer.from(csv).toString('base64'), filename: 'leads.csv' },
    });
    expect(ingest.isError, JSON.stringify(ingest.content)).toBeFalsy();
    expect((ingest.structuredContent as any).job.counts.leads_created).toBe(2);
    const leads = await client.callTool({ name: 'query_leads', arguments: {} });
    expect((leads.structuredContent as any).leads).toHaveLength(2);
    await client.close();

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const me = await c.query(
        'select current_user as u, (select rolsuper from pg_roles where rolname = current_user) as s',
      );
      expect(me.rows[0]).toEqual({ u: owner, s: false });
      // The owner is subject to the policies too (FORCE): no tenant scope, no rows.
      expect((await c.query('select count(*)::int as n from leads')).rows[0].n).toBe(0);
      expect((await c.query('select count(*)::int as n from api_tokens')).rows[0].n).toBe(0);
      // Inside the tenant's scope, as the app role, the two leads are there.
      expect((await c.query('select count(*)::int as n from tenants')).rows[0].n).toBe(0);
      const tenantId = (await asAdmin(`select tenant_id::text as t from tenants where slug = 'nao-super'`, dbName))
        .rows[0].t;
      await c.query('begin');
      await c.query(`select set_config('role', 'agente_app', true), set_config('app.tenant_id', $1, true)`, [tenantId]);
      expect((await c.query('select count(*)::int as n from leads')).rows[0].n).toBe(2);
      await c.query('rollback');
    } finally {
      await c.end();
    }
  });
});
