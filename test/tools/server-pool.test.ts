import { McpServer, type ClientCapabilities } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Principal } from '../../src/auth/tokens.js';
import type { ServerDeps } from '../../src/deps.js';
import { createMcpEndpoint, type McpEndpoint } from '../../src/http/mcp-endpoint.js';
import { SessionStore } from '../../src/http/sessions.js';
import { defineTool, registerTool } from '../../src/tools/define-tool.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { makeDeps } from '../helpers/server.js';

/*
 * The servers kept between 2026-07-28 tools/calls (src/http/server-pool.ts), through the endpoint: which
 * calls get a server that served before, and that nothing of one call reaches the next.
 */
describe(`servers reused between tools/calls (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let endpoint: McpEndpoint;
  /** Every server the endpoint had built, with the principal it was built for. */
  const built: Array<{ server: McpServer; principal: Principal }> = [];
  /** Which server answered each call of `who`: its index in `built`. */
  const answeredBy: number[] = [];
  let gate: { opened: Promise<void>; open(): void; started: Promise<void>; start(): void };

  const principal = (scopes: Principal['scopes'] = ['read']): Principal => ({
    token_id: 'tok-pool',
    name: 'pool',
    tenant: deps.tenant,
    scopes,
    source: 'token',
  });

  const slow = defineTool({
    name: 'slow',
    title: 'Slow',
    description: 'Waits for the test',
    toolset: 'core',
    access: 'read',
    input: {},
    output: { ok: z.boolean() },
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async () => {
      gate.start();
      await gate.opened;
      return { data: { ok: true }, text: 'ok' };
    },
  });

  const build = (p: Principal, onlyTool?: string): McpServer => {
    const server = new McpServer({ name: 'pool-test', version: '1' }, { capabilities: { tools: {} } });
    const index = built.push({ server, principal: p }) - 1;
    if (onlyTool === 'who')
      server.registerTool(
        'who',
        { description: 'Which server, and what it knows of the client', inputSchema: z.object({}) },
        async () => {
          answeredBy.push(index);
          const caps: ClientCapabilities | undefined = server.server.getClientCapabilities();
          return { content: [{ type: 'text', text: JSON.stringify({ index, caps, scopes: p.scopes }) }] };
        },
      );
    if (onlyTool === 'slow') registerTool(server, slow, { ...deps, scopes: p.scopes });
    return server;
  };

  beforeAll(async () => {
    db = await openTestDb();
    deps = await makeDeps(db, { transport: 'http', tenantSlug: 'pool' });
    const sessions = new SessionStore(db.kysely, {
      maxSessions: 10,
      maxSessionsPerTenant: 10,
      maxSessionsPerToken: 10,
      sessionIdleMs: 60_000,
    });
    endpoint = createMcpEndpoint(build, sessions, { maxBodyBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await endpoint?.close();
    await db?.destroy();
  });

  const ENVELOPE = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'pool-test', version: '1' },
  };
  /** One 2026-07-28 tools/call with this `_meta` envelope, as a client sends it; the answer's text. */
  const send = async (p: Principal, tool: string, meta: Record<string, unknown>, signal?: AbortSignal) => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: {}, _meta: meta } };
    const request = new Request('http://pool.test/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': tool,
      },
      body: JSON.stringify(body),
      signal,
    });
    return (await endpoint.handle(request, body, p)).text();
  };
  /** One tools/call declaring these client capabilities; the parsed JSON-RPC answer. */
  const call = async (
    p: Principal,
    tool: string,
    caps: ClientCapabilities = {},
    signal?: AbortSignal,
  ): Promise<{ result?: { content: Array<{ text: string }> }; error?: unknown }> => {
    const text = await send(p, tool, { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': caps }, signal);
    return JSON.parse(text.startsWith('{') ? text : /^data: (.*)$/m.exec(text)![1]);
  };
  const who = async (p: Principal, caps: ClientCapabilities = {}) => {
    const r = await call(p, 'who', caps);
    return JSON.parse(r.result!.content[0].text) as { index: number; caps: ClientCapabilities; scopes: string[] };
  };

  it('the same caller calling the same tool again gets the server that answered before; calls at once get one each', async () => {
    const p = principal();
    const first = await who(p);
    expect((await who(p)).index).toBe(first.index);
    expect((await who(p)).index).toBe(first.index);
    const before = built.length;
    const together = await Promise.all([who(p), who(p), who(p)]);
    expect(new Set(together.map((t) => t.index)).size).toBe(3);
    expect(built.length).toBe(before + 2); // the idle one, and two new
    const again = await Promise.all([who(p), who(p), who(p)]);
    expect(built.length).toBe(before + 2);
    expect(new Set(again.map((t) => t.index))).toEqual(new Set(together.map((t) => t.index)));
  });

  it('another caller — or the same token verified again, maybe with other scopes — never gets that server', async () => {
    const p = principal();
    const mine = await who(p);
    const reverified = principal(['read', 'dispatch']);
    const theirs = await who(reverified);
    expect(theirs.index).not.toBe(mine.index);
    expect(theirs.scopes).toEqual(['read', 'dispatch']);
    expect(built[theirs.index].principal).toBe(reverified);
    expect((await who(reverified)).index).toBe(theirs.index);
  });

  it('a reused server knows the client capabilities of the call it answers, not those of an earlier call', async () => {
    const p = principal();
    const asked = await who(p, { elicitation: { form: {} } });
    expect(asked.caps).toEqual({ elicitation: { form: {} } });
    const next = await who(p, {});
    expect(next.index).toBe(asked.index);
    expect(next.caps).toEqual({});
  });

  it('a call without the capabilities in its envelope is refused before the tool runs, on a reused server too', async () => {
    const p = principal();
    await who(p, { elicitation: { form: {} } });
    const calls = answeredBy.length;
    const answer = await send(p, 'who', { ...ENVELOPE });
    expect(answer).toContain('"error"');
    expect(answeredBy.length).toBe(calls);
  });

  it('a server whose client left while its tool still ran is never handed out again', async () => {
    const p = principal();
    let open!: () => void;
    let start!: () => void;
    gate = {
      opened: new Promise<void>((r) => (open = r)),
      open: () => open(),
      started: new Promise<void>((r) => (start = r)),
      start: () => start(),
    };
    const leaving = new AbortController();
    const first = call(p, 'slow', {}, leaving.signal);
    await gate.started;
    const server = built[built.length - 1].server;
    leaving.abort();
    await first.catch(() => {});
    gate.open();
    await new Promise((r) => setTimeout(r, 10));
    const before = built.length;
    const r = await call(p, 'slow');
    expect(r.result).toBeDefined();
    expect(built.length).toBe(before + 1);
    expect(built[built.length - 1].server).not.toBe(server);
    // A call that ran to its end leaves its server to the next one.
    await call(p, 'slow');
    expect(built.length).toBe(before + 1);
  });

  it('2025-11-25 calls (a session) get a new server every time', async () => {
    const p = principal();
    const post = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      const request = new Request('http://pool.test/mcp', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify(body),
      });
      return endpoint.handle(request, body, p);
    };
    const init = await post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: { elicitation: {} },
        clientInfo: { name: 'old', version: '1' },
      },
    });
    const session = init.headers.get('mcp-session-id')!;
    expect(session).toBeTruthy();
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    const before = built.length;
    for (let i = 1; i <= 3; i++) {
      const res = await post(
        { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'who', arguments: {} } },
        headers,
      );
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(built.length).toBe(before + 3);
  });
});
