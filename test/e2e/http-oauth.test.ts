import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../helpers/db.js';
import { startIssuer, type LocalIssuer } from '../helpers/oauth-issuer.js';
import { cleanEnv, runMain, startMain, stop } from '../helpers/spawn.js';

/*
 * The OAuth 2.1 resource server (issue #20) on the built binary over loopback, with PostgreSQL and a
 * local authorization server (test/helpers/oauth-issuer.ts: RFC 8414 metadata + JWKS on 127.0.0.1):
 * RFC 9728 metadata, the WWW-Authenticate challenge, JWT access tokens checked for signature, issuer,
 * audience, expiry, scopes and tenant, through real SDK clients of both protocol eras; static tokens
 * beside them; the failed-authentication limit counting bad JWTs too.
 */
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const READ_TOOLS = [
  'decide_channel',
  'generate_briefing',
  'get_report',
  'get_status',
  'job_status',
  'list_events',
  'list_replies',
  'propose_slots',
  'query_leads',
];

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

describe('OAuth 2.1 resource server: JWT access tokens from a configured issuer, beside static tokens', () => {
  const servers: ChildProcess[] = [];
  let issuer: LocalIssuer;
  let env: NodeJS.ProcessEnv;
  let drop: () => Promise<void>;
  let url: string;
  let staticToken: string;

  /** `serve --http` with OAuth on; its public URL (the token audience) is where it listens. */
  const serve = async (extra: Record<string, string> = {}) => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}/mcp`;
    const started = await startMain(
      ['serve', '--http', '--port', String(port)],
      {
        ...env,
        AGENTE_HTTP_PUBLIC_URL: publicUrl,
        AGENTE_OAUTH_ISSUER: issuer.issuer,
        AGENTE_OAUTH_SCOPES: 'agente:read=read,agente:dispatch=dispatch,agente:admin=admin',
        AGENTE_OAUTH_TENANT_CLAIM: 'org',
        ...extra,
      },
      /listening on (\S+)/,
    );
    servers.push(started.child);
    return publicUrl;
  };
  const claims = (over: Record<string, unknown> = {}) => ({
    sub: 'user-123',
    aud: url,
    scope: 'agente:read agente:dispatch',
    org: 'oauth-acme',
    client_id: 'claude-connector',
    ...over,
  });
  const post = (bearer: string | undefined, body: unknown = initialize, target = url) =>
    fetch(target, {
      method: 'POST',
      headers: { ...mcpHeaders, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
  const connect = async (token: string, era: 'modern' | 'legacy', target = url) => {
    const client = new Client(
      { name: 'e2e-oauth', version: '1.0.0' },
      era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(target), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    return client;
  };

  beforeAll(async () => {
    issuer = await startIssuer();
    const db = await createPgDatabase();
    drop = db.drop;
    env = cleanEnv({ DATABASE_URL: db.url, AGENTE_AUTH_FAIL_LIMIT: '10', AGENTE_AUTH_FAIL_DELAY_MS: '0' });
    // The tenant a token names must exist (AGENTE_OAUTH_CREATE_TENANTS is off by default): `token
    // create` makes it, and gives a static token of the same tenant to use beside the JWTs.
    staticToken = (await runMain(['token', 'create', '--tenant', 'oauth-acme'], env)).stdout.trim();
    url = await serve();
  });
  afterAll(async () => {
    for (const s of servers) await stop(s);
    await issuer?.close();
    await drop?.();
  });

  it('publishes RFC 9728 metadata (resource, authorization server, scopes) at both well-known paths, unauthenticated', async () => {
    const origin = new URL(url).origin;
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const res = await fetch(origin + path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        resource: url,
        authorization_servers: [issuer.issuer],
        scopes_supported: ['agente:read', 'agente:dispatch', 'agente:admin'],
        bearer_methods_supported: ['header'],
        resource_name: 'agente-disparo-agenda',
      });
    }
  });

  it('answers a request without a token with 401 and a challenge naming the metadata (resource_metadata)', async () => {
    const res = await post(undefined);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="agente-disparo-agenda", resource_metadata="${new URL(url).origin}/.well-known/oauth-protected-resource/mcp"`,
    );
  });

  it('a valid JWT works on both eras: the tenant from its claim, the tools of its scopes, the client as the actor', async () => {
    const token = await issuer.sign(claims());
    for (const era of ['modern', 'legacy'] as const) {
      const client = await connect(token, era);
      expect(client.getProtocolEra()).toBe(era);
      const status = (await client.callTool({ name: 'get_status', arguments: {} })).structuredContent as any;
      expect(status.tenant.slug).toBe('oauth-acme');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('start_dispatch');
      expect(tools.map((t) => t.name)).not.toContain('set_outreach_policy'); // no agente:admin
      await client.close();
    }
    // Read only: the read tools, nothing that writes or sends.
    const reader = await connect(await issuer.sign(claims({ scope: 'agente:read', sub: 'reader' })), 'modern');
    expect((await reader.listTools()).tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
    await reader.close();
    // A static token of the same tenant still works beside them.
    const legacy = await connect(staticToken, 'legacy');
    expect(((await legacy.callTool({ name: 'get_status', arguments: {} })).structuredContent as any).tenant.slug).toBe(
      'oauth-acme',
    );
    await legacy.close();
  });

  it.each([
    ['expired', { expiresIn: Math.floor(Date.now() / 1000) - 3600 }, {}, /expired/],
    ['for another audience', {}, { aud: 'https://other.example/mcp' }, /audience/],
    ['from another issuer', {}, { iss: 'https://evil.example' }, /issuer/],
    ["signed with a key that is not the issuer's", { key: 'stranger' as const }, {}, /signature|keys/],
    ['naming a tenant that does not exist', {}, { org: 'nao-existe' }, /tenant nao-existe does not exist/],
    ['without a tenant claim', {}, { org: undefined }, /no usable org claim/],
  ])('refuses a JWT %s with 401 invalid_token saying why', async (_what, opts, over, why) => {
    const res = await post(await issuer.sign(claims({ sub: `s-${Math.random()}`, ...over }), opts));
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate')!;
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain('resource_metadata=');
    expect(challenge).toMatch(why);
    expect(((await res.json()) as any).error.message).toMatch(why);
  });

  it('refuses an unsigned JWT (alg none) and one signed with a shared secret (HS256): key pairs only', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const payload = { ...claims(), iss: issuer.issuer, exp: Math.floor(Date.now() / 1000) + 600 };
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    const hs256 = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(new TextEncoder().encode('the issuer public key as a shared secret'));
    for (const token of [unsigned, hs256]) {
      const res = await post(token);
      expect(res.status).toBe(401);
      await res.text();
    }
  });

  it('refuses a valid JWT without any of our scopes with 403 insufficient_scope, naming the scope to ask for', async () => {
    const res = await post(await issuer.sign(claims({ scope: 'openid profile', sub: 'no-scope' })));
    expect(res.status).toBe(403);
    const challenge = res.headers.get('www-authenticate')!;
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="agente:read"');
  });

  it('with AGENTE_OAUTH_CREATE_TENANTS=true, a tenant named by a valid token is created on first use', async () => {
    const creating = await serve({ AGENTE_OAUTH_CREATE_TENANTS: 'true' });
    const token = await issuer.sign(claims({ aud: creating, org: 'oauth-nova' }));
    const client = await connect(token, 'modern', creating);
    expect(((await client.callTool({ name: 'get_status', arguments: {} })).structuredContent as any).tenant.slug).toBe(
      'oauth-nova',
    );
    await client.close();
  });

  it('counts bad JWTs in the failed-authentication limit: past 10 from one address, 429 at once', async () => {
    const strict = await serve();
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await post(
        await issuer.sign(claims({ aud: 'https://other.example/mcp', sub: `x${i}` })),
        initialize,
        strict,
      );
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(4).fill(429));
    // A valid token from that same address is refused too until the window ends: the limit is per address.
    const res = await post(await issuer.sign(claims({ aud: strict })), initialize, strict);
    expect(res.status).toBe(429);
  });
});
