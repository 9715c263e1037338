import { randomUUID } from 'node:crypto';
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  legacyStatelessFallback,
  PROTOCOL_VERSION_META_KEY,
  type AuthInfo,
  type McpServer,
  type McpServerFactory,
  type ServerEventBus,
} from '@modelcontextprotocol/server';
import type { Principal } from '../auth/tokens.js';
import { ToolServerPool } from './server-pool.js';
import type { SessionOwner, SessionStore } from './sessions.js';

export interface McpEndpoint {
  /** Answers one request of an authenticated caller (its body already read and parsed). */
  handle(request: Request, body: unknown, principal: Principal): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Both protocol eras on one endpoint, every request served by a server built for it and its caller:
 *  - 2026-07-28 (a request with the per-request `_meta` envelope; `server/discover`): the SDK's
 *    handler, strict about that era — routing headers (`Mcp-Method`, `Mcp-Name`) checked against the
 *    body, cache hints on list results. Nothing outlives the request.
 *  - 2025-11-25 (`initialize`, then `Mcp-Session-Id`): an initialize opens a session in the database
 *    (sessions.ts), any later request of it — on any replica — is checked against it and then served
 *    statelessly by a fresh server, like the modern era. A GET (a standalone stream for messages the
 *    server sends unasked) gets 405: this server never sends any. DELETE closes the session.
 * The principal reaches the factory through the request's AuthInfo (`extra`), never from a header.
 */
export function createMcpEndpoint(
  build: (principal: Principal, onlyTool?: string) => McpServer,
  sessions: SessionStore,
  opts: {
    maxBodyBytes: number;
    onerror?: (err: Error) => void;
    /** The event bus of a tenant's subscriptions/listen streams (2026-07-28): one handler per tenant, so a
     * stream hears its own tenant's resource updates only. */
    busFor?: (tenant: Principal['tenant']) => ServerEventBus;
  },
): McpEndpoint {
  // A 2026-07-28 tools/call may get a server that answered the same caller's call of the same tool
  // before (server-pool.ts); anything else gets a new one.
  const pool = new ToolServerPool();
  const factory: McpServerFactory = ({ authInfo, era }) => {
    const principal = principalOf(authInfo);
    const tool = authInfo?.extra?.tool as string | undefined;
    if (era === 'modern' && tool !== undefined) return pool.acquire(principal, tool, () => build(principal, tool));
    return build(principal, tool);
  };
  const sizes = { maxRequestBodySize: opts.maxBodyBytes };
  const handlers = new Map<string, ReturnType<typeof createMcpHandler>>();
  const modernFor = (tenant: Principal['tenant']) => {
    let h = handlers.get(tenant.tenant_id);
    if (!h)
      handlers.set(
        tenant.tenant_id,
        (h = createMcpHandler(factory, {
          legacy: 'reject',
          onerror: opts.onerror,
          bus: opts.busFor?.(tenant),
          ...sizes,
        })),
      );
    return h;
  };
  const legacy = legacyStatelessFallback(factory, opts.onerror, sizes);

  const serveLegacy = async (request: Request, body: unknown, principal: Principal, authInfo: AuthInfo) => {
    const who = ownerOf(principal);
    const sessionId = request.headers.get('mcp-session-id');
    if (!sessionId) {
      if (request.method !== 'POST' || !isInitializeRequest(body))
        return jsonRpcError(400, -32000, 'Bad Request: no valid session id; start with an initialize request');
      const res = await legacy(request, { authInfo, parsedBody: body });
      if (res.status !== 200) return res;
      const id = randomUUID();
      await sessions.open(id, who);
      const headers = new Headers(res.headers);
      headers.set('mcp-session-id', id);
      return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
    }
    // Another owner's session (another token, another tenant) is answered exactly like a missing one.
    if (!(await sessions.use(sessionId, who))) return jsonRpcError(404, -32001, 'Session not found');
    if (request.method === 'DELETE') {
      await sessions.close(sessionId, who);
      return new Response(null, { status: 200 });
    }
    if (request.method === 'GET') {
      return jsonRpcError(
        405,
        -32000,
        'Method not allowed: this server sends nothing outside the answer to a request, so it has no standalone SSE stream',
        { allow: 'POST, DELETE' },
      );
    }
    return legacy(request, { authInfo, parsedBody: body });
  };

  return {
    async handle(request, body, principal) {
      const authInfo: AuthInfo = {
        token: principal.token_id,
        clientId: principal.name ?? principal.token_id,
        scopes: [...principal.scopes],
        // A tools/call needs a server with that one tool (buildServer's onlyTool).
        extra: { principal, tool: calledTool(body) },
      };
      // A message that claims the 2026-07-28 envelope is the modern era's to answer (so isLegacyRequest
      // says too): skip classifying it twice. Anything else is classified exactly as the SDK would.
      if (!claimsModernEnvelope(body) && (await isLegacyRequest(request, body, sizes)))
        return serveLegacy(request, body, principal, authInfo);
      return modernFor(principal.tenant).fetch(request, { authInfo, parsedBody: body });
    },
    close: async () => {
      pool.clear();
      await Promise.all([...handlers.values()].map((h) => h.close()));
    },
  };
}

function calledTool(body: unknown): string | undefined {
  const b = body as { method?: unknown; params?: { name?: unknown } } | null;
  return !Array.isArray(body) && b?.method === 'tools/call' && typeof b.params?.name === 'string'
    ? b.params.name
    : undefined;
}

function claimsModernEnvelope(body: unknown): boolean {
  const meta = (body as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
  return !Array.isArray(body) && meta !== undefined && meta !== null && PROTOCOL_VERSION_META_KEY in meta;
}

function principalOf(authInfo: AuthInfo | undefined): Principal {
  const principal = authInfo?.extra?.principal as Principal | undefined;
  // Every request is authenticated before it gets here (serve.ts): no principal is a bug, not a guest.
  if (!principal) throw new Error('an MCP request reached the server factory without a principal');
  return principal;
}

/** Whose a session is: a static token, an OAuth subject, or the single local user of --no-auth. */
export function ownerOf(p: Principal): SessionOwner {
  const owner = p.source === 'none' ? 'none' : p.source === 'oauth' ? p.token_id : `token:${p.token_id}`;
  return { owner, tenantId: p.tenant.tenant_id };
}

function jsonRpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
