import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../helpers/db.js';
import { cleanEnv, runMain, startMain, stop } from '../helpers/spawn.js';

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

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
const WRITE_TOOLS = ['dry_run_dispatch', 'handle_reply', 'ingest_leads', 'manage_suppression', 'update_lead'];
const SEND_TOOLS = [
  'control_dispatch',
  'schedule_meeting',
  'send_message',
  'send_reminders',
  'start_dispatch',
  'update_meeting',
];
const ADMIN_TOOLS = ['lgpd_request', 'manage_templates', 'manage_webhooks', 'set_outreach_policy'];
const sorted = (...lists: string[][]) => lists.flat().sort();

// Token scopes, --read-only, --toolsets and CORS on the real binary over Streamable HTTP (PostgreSQL).
describe('HTTP hardening: scopes, --read-only, --toolsets, CORS', () => {
  const servers: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let drop: () => Promise<void>;
  const tokens: Record<string, string> = {};

  const serve = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const started = await startMain(
      ['serve', '--http', '--port', '0', ...args],
      { ...env, ...extraEnv },
      /listening on (\S+)/,
    );
    servers.push(started.child);
    return started.match[1];
  };
  const toolNames = async (url: string, token: string) => {
    const client = new Client({ name: 'e2e-scopes', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const { tools } = await client.listTools();
    const call = await client
      .callTool({ name: 'set_outreach_policy', arguments: {} })
      .catch((e: Error) => ({ isError: true, content: [{ type: 'text', text: e.message }] }));
    await client.close();
    return { names: tools.map((t) => t.name).sort(), policyCall: call };
  };

  beforeAll(async () => {
    const db = await createPgDatabase();
    drop = db.drop;
    env = cleanEnv({ DATABASE_URL: db.url });
    for (const scopes of ['read', 'read,dispatch', 'admin']) {
      tokens[scopes] = (
        await runMain(['token', 'create', '--tenant', 'escopos', '--scopes', scopes], env)
      ).stdout.trim();
      expect(tokens[scopes]).toMatch(/^ada_/);
    }
  });
  afterAll(async () => {
    for (const s of servers) await stop(s);
    await drop?.();
  });

  it('gives each token the tools of its scopes: read reads, dispatch also writes and sends, admin also configures', async () => {
    const url = await serve([]);
    const read = await toolNames(url, tokens.read);
    expect(read.names).toEqual(sorted(READ_TOOLS));
    // A tool outside the token's scopes is not there at all: calling it fails as unknown.
    expect(read.policyCall.isError).toBe(true);
    expect((await toolNames(url, tokens['read,dispatch'])).names).toEqual(sorted(READ_TOOLS, WRITE_TOOLS, SEND_TOOLS));
    const admin = await toolNames(url, tokens.admin);
    expect(admin.names).toEqual(sorted(READ_TOOLS, WRITE_TOOLS, SEND_TOOLS, ADMIN_TOOLS));
    expect(admin.policyCall.isError).toBeFalsy();
  });

  it('a revoked token loses a session it already opened, within AGENTE_AUTH_CACHE_TTL_MS', async () => {
    const url = await serve([], { AGENTE_AUTH_CACHE_TTL_MS: '500' });
    const token = (await runMain(['token', 'create', '--tenant', 'escopos', '--scopes', 'read'], env)).stdout.trim();
    const client = new Client({ name: 'e2e-revoke', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    expect((await client.callTool({ name: 'get_status', arguments: {} })).isError).toBeFalsy();
    const revoked = await runMain(['token', 'revoke', token.slice(0, 12)], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    await expect(client.callTool({ name: 'get_status', arguments: {} })).rejects.toThrow(
      /401|invalid bearer|Unauthorized/i,
    );
    await client.close().catch(() => {});
  });

  it('--read-only registers no tool that sends, whatever the token', async () => {
    const url = await serve(['--read-only']);
    expect((await toolNames(url, tokens.admin)).names).toEqual(sorted(READ_TOOLS, WRITE_TOOLS, ADMIN_TOOLS));
  });

  it('--toolsets leads registers core + leads only', async () => {
    const url = await serve(['--toolsets', 'leads']);
    expect((await toolNames(url, tokens.admin)).names).toEqual([
      'get_status',
      'ingest_leads',
      'job_status',
      'lgpd_request',
      'query_leads',
      'update_lead',
    ]);
  });

  it('sends no CORS header unless the origin is configured; a preflight from an unlisted origin gets nothing', async () => {
    const url = await serve([]);
    const origin = new URL(url).origin; // same-origin page: allowed by the Origin check, but no CORS
    const post = await fetch(url, {
      method: 'POST',
      headers: { ...mcpHeaders, origin, authorization: `Bearer ${tokens.read}` },
      body: JSON.stringify(initialize),
    });
    expect(post.status).toBe(200);
    await post.text();
    expect([...post.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.status).not.toBe(204);
  });

  it("with AGENTE_CORS_ORIGINS, answers that origin's preflight and requests with CORS headers, and refuses others", async () => {
    const app = 'https://painel.alquimista.example';
    const url = await serve([], { AGENTE_CORS_ORIGINS: app });
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: app,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, mcp-session-id',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(app);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const post = await fetch(url, {
      method: 'POST',
      headers: { ...mcpHeaders, origin: app, authorization: `Bearer ${tokens.read}` },
      body: JSON.stringify(initialize),
    });
    expect(post.status).toBe(200);
    await post.text();
    expect(post.headers.get('access-control-allow-origin')).toBe(app);
    expect(post.headers.get('access-control-expose-headers')).toMatch(/mcp-session-id/);
    // Still a bearer token: CORS opens the browser's door, not the server's.
    const anonymous = await fetch(url, {
      method: 'POST',
      headers: { ...mcpHeaders, origin: app },
      body: JSON.stringify(initialize),
    });
    expect(anonymous.status).toBe(401);
    const other = await fetch(url, {
      method: 'POST',
      headers: { ...mcpHeaders, origin: 'https://outro.example', authorization: `Bearer ${tokens.read}` },
      body: JSON.stringify(initialize),
    });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
