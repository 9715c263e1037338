import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/tokens.js';
import { createMcpEndpoint, type McpEndpoint } from '../../src/http/mcp-endpoint.js';
import { SessionStore } from '../../src/http/sessions.js';
import { buildServer } from '../../src/server.js';
import { allTools } from '../../src/tools/index.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { makeDeps } from '../helpers/server.js';

/*
 * One endpoint, both protocol eras (src/http/mcp-endpoint.ts), in process: real SDK clients of
 * 2026-07-28 and 2025-11-25 whose fetch is the endpoint itself (no socket), as the caller a token
 * would make. What each era sees of the same server, and the raw answers on the wire.
 */
describe(`both protocol eras on one endpoint (${testDbKind()})`, () => {
  let db: TestDb;
  let endpoint: McpEndpoint;
  const wire: Array<{ method: string; body: string }> = [];

  beforeAll(async () => {
    db = await openTestDb();
    const deps = await makeDeps(db, { transport: 'http', tenantSlug: 'eras' });
    const principal: Principal = {
      token_id: 'tok-eras',
      name: 'eras',
      tenant: deps.tenant,
      scopes: ['read', 'dispatch', 'admin'],
      source: 'token',
    };
    const sessions = new SessionStore(db.kysely, {
      maxSessions: 10,
      maxSessionsPerTenant: 10,
      maxSessionsPerToken: 10,
      sessionIdleMs: 60_000,
    });
    endpoint = createMcpEndpoint((p, onlyTool) => buildServer({ ...deps, scopes: p.scopes }, { onlyTool }), sessions, {
      maxBodyBytes: 1024 * 1024,
    });
    fetchOf = async (url, init) => {
      const request = new Request(url, init as RequestInit);
      const text = init?.body ? String(init.body) : '';
      const body = text ? JSON.parse(text) : undefined;
      const response = await endpoint.handle(request, body, principal);
      const copy = await response.text();
      wire.push({ method: body?.method ?? request.method, body: copy });
      return new Response(copy, { status: response.status, headers: response.headers });
    };
  });
  afterAll(async () => {
    await endpoint?.close();
    await db?.destroy();
  });
  let fetchOf: (url: string | URL, init?: RequestInit) => Promise<Response>;

  const connect = async (era: 'modern' | 'legacy') => {
    const client = new Client(
      { name: `eras-${era}`, version: '1.0.0' },
      era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
    );
    await client.connect(new StreamableHTTPClientTransport(new URL('http://eras.test/mcp'), { fetch: fetchOf }));
    expect(client.getProtocolEra()).toBe(era);
    return client;
  };

  it('lists the same tools in the same order on both eras, every time: the order of src/tools/index.ts', async () => {
    const modern = await connect('modern');
    const legacy = await connect('legacy');
    const names = async (c: Client) => (await c.listTools({}, { cacheMode: 'bypass' })).tools.map((t) => t.name);
    const expected = allTools.map((t) => t.name);
    for (let i = 0; i < 3; i++) {
      expect(await names(modern)).toEqual(expected);
      expect(await names(legacy)).toEqual(expected);
    }
    await modern.close();
    await legacy.close();
  });

  it('2026-07-28 list results carry cache hints (tools private to the caller, the rest public); 2025-11-25 ones none', async () => {
    wire.length = 0;
    const modern = await connect('modern');
    await modern.listTools({}, { cacheMode: 'bypass' });
    await modern.listPrompts();
    const legacy = await connect('legacy');
    await legacy.listTools();
    const results = (method: string) =>
      wire
        .filter((w) => w.method === method)
        .map((w) => {
          const data = w.body.startsWith('{') ? w.body : /^data: (.*)$/m.exec(w.body)![1];
          return JSON.parse(data).result;
        });
    const [modernTools, legacyTools] = results('tools/list');
    expect(modernTools).toMatchObject({ resultType: 'complete', ttlMs: 60_000, cacheScope: 'private' });
    expect(results('prompts/list')[0]).toMatchObject({ ttlMs: 300_000, cacheScope: 'public' });
    expect(legacyTools.ttlMs).toBeUndefined();
    expect(legacyTools.cacheScope).toBeUndefined();
    // Discovery says the lists never change while the server runs.
    const discover = results('server/discover')[0];
    expect(discover.capabilities).toMatchObject({
      tools: { listChanged: false },
      prompts: { listChanged: false },
      resources: { listChanged: false },
    });
    await modern.close();
    await legacy.close();
  });

  it('every tool name fits the MCP rule: 1 to 64 characters of A-Z a-z 0-9 _ . / -', () => {
    for (const t of allTools) expect(t.name).toMatch(/^[A-Za-z0-9_./-]{1,64}$/);
    expect(new Set(allTools.map((t) => t.name)).size).toBe(allTools.length);
  });

  it('a tools/call is answered by a server holding that one tool, and a tool outside the caller’s reach is unknown', async () => {
    const only = buildServer(await makeDeps(db, { transport: 'http', tenantSlug: 'eras' }), { onlyTool: 'get_status' });
    const registered = Object.keys((only as unknown as { _registeredTools: Record<string, unknown> })._registeredTools);
    expect(registered).toEqual(['get_status']);
    const none = buildServer(await makeDeps(db, { transport: 'http', tenantSlug: 'eras', scopes: ['read'] }), {
      onlyTool: 'start_dispatch',
    });
    expect(Object.keys((none as unknown as { _registeredTools: Record<string, unknown> })._registeredTools)).toEqual(
      [],
    );
  });
});
