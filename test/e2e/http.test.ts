import { PLANTING_FIXTURES_SQL } from '../helpers/transition-guard.js';
import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../helpers/db.js';
import { cleanEnv, runMain, startMain, stop } from '../helpers/spawn.js';
import type { ChildProcess } from 'node:child_process';

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('Streamable HTTP server (dist/main.js serve --http, PostgreSQL)', () => {
  let server: ChildProcess;
  let url: string;
  let tokenA: string;
  let tokenB: string;
  let jobA: string;
  let drop: () => Promise<void>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const db = await createPgDatabase();
    drop = db.drop;
    env = cleanEnv({ DATABASE_URL: db.url });
    tokenA = (await runMain(['token', 'create', '--tenant', 'tenant-a'], env)).stdout.trim();
    tokenB = (await runMain(['token', 'create', '--tenant', 'tenant-b'], env)).stdout.trim();
    expect(tokenA).toMatch(/^ada_/);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('begin');
    await c.query(PLANTING_FIXTURES_SQL);
    const { rows } = await c.query(
      `insert into ingest_jobs (tenant_id, tipo, arquivo, status)
       select tenant_id, 'csv', 'a.csv', 'concluido' from tenants where slug = 'tenant-a' returning job_id`,
    );
    jobA = rows[0].job_id;
    await c.query('commit');
    await c.end();
    // Verified tokens are trusted for AGENTE_AUTH_CACHE_TTL_MS (default 5 s): short here, for the revocation test.
    const started = await startMain(
      ['serve', '--http', '--port', '0'],
      { ...env, AGENTE_AUTH_CACHE_TTL_MS: '500' },
      /listening on (\S+)/,
    );
    server = started.child;
    url = started.match[1];
  });
  afterAll(async () => {
    if (server) await stop(server);
    await drop?.();
  });

  const connect = async (token: string) => {
    const client = new Client({ name: 'e2e-http', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    return client;
  };

  it("serves tools to a client with a valid token, for that token's tenant", async () => {
    const client = await connect(tokenA);
    const res = await client.callTool({ name: 'get_status', arguments: {} });
    expect((res.structuredContent as any).tenant.slug).toBe('tenant-a');
    expect((res.structuredContent as any).database.kind).toBe('postgres');
    const job = await client.callTool({ name: 'job_status', arguments: { job_id: jobA } });
    expect(job.isError).toBeFalsy();
    expect((job.structuredContent as any).jobs[0].file).toBe('a.csv');
    await client.close();
  });

  it('answers 401 without a token or with an unknown one', async () => {
    for (const auth of [undefined, 'Bearer ada_nope', 'Basic abc']) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { ...mcpHeaders, ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(initialize),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  it("shows another tenant nothing of this tenant's data", async () => {
    const client = await connect(tokenB);
    const res = await client.callTool({ name: 'job_status', arguments: { job_id: jobA } });
    expect(res.isError).toBe(true);
    const list = await client.callTool({ name: 'job_status', arguments: {} });
    expect((list.structuredContent as any).jobs).toEqual([]);
    await client.close();
  });

  it('does not let a token of tenant B use a session opened by tenant A', async () => {
    const init = await fetch(url, {
      method: 'POST',
      headers: { ...mcpHeaders, authorization: `Bearer ${tokenA}` },
      body: JSON.stringify(initialize),
    });
    expect(init.status).toBe(200);
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    const hijack = await fetch(url, {
      method: 'POST',
      headers: {
        ...mcpHeaders,
        authorization: `Bearer ${tokenB}`,
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'job_status', arguments: { job_id: jobA } },
      }),
    });
    expect(hijack.status).toBe(404);
  });

  it('refuses a foreign Host or Origin (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const u = new URL(url);
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            path: '/mcp',
            method: 'POST',
            headers: { ...mcpHeaders, authorization: `Bearer ${tokenA}`, ...headers },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(initialize));
      });
    expect(await status({ host: `evil.example:${u.port}` })).toBe(403);
    expect(await status({ origin: 'http://evil.example' })).toBe(403);
    expect(await status({ host: `localhost:${u.port}`, origin: `http://localhost:${u.port}` })).toBe(200);
  });

  it('refuses a body over 32 MB with 413', async () => {
    const big = JSON.stringify({ ...initialize, params: { ...initialize.params, pad: 'x'.repeat(33 * 1024 * 1024) } });
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...mcpHeaders, authorization: `Bearer ${tokenA}` },
      body: big,
    });
    expect(res.status).toBe(413);
  });

  it('stops serving a revoked token (within AGENTE_AUTH_CACHE_TTL_MS)', async () => {
    const before = await fetch(url, {
      method: 'POST',
      headers: { ...mcpHeaders, authorization: `Bearer ${tokenB}` },
      body: JSON.stringify(initialize),
    });
    expect(before.status).toBe(200);
    const revoked = await runMain(['token', 'revoke', tokenB.slice(0, 12)], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    const after = await fetch(url, {
      method: 'POST',
      headers: { ...mcpHeaders, authorization: `Bearer ${tokenB}` },
      body: JSON.stringify(initialize),
    });
    expect(after.status).toBe(401);
  });
});
