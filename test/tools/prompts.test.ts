import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpEndpoint, type McpEndpoint } from '../../src/http/mcp-endpoint.js';
import { SessionStore } from '../../src/http/sessions.js';
import { SERVER_INSTRUCTIONS } from '../../src/prompts/index.js';
import { buildServer } from '../../src/server.js';
import { allTools } from '../../src/tools/index.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { leadsCsv } from '../helpers/leads-data.js';
import { connectClient, makeDeps } from '../helpers/server.js';
import type { Principal } from '../../src/auth/tokens.js';

/** The pt-BR prompts (list + get through a real client) and the server's instructions (issue 19 step 7). */
describe(`prompts and instructions (${testDbKind()})`, () => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof connectClient>>;
  let deps: Awaited<ReturnType<typeof makeDeps>>;
  let leadId: string;
  beforeAll(async () => {
    db = await openTestDb();
    deps = await makeDeps(db);
    client = await connectClient(deps);
    const content = Buffer.from(leadsCsv(0, 1)).toString('base64');
    await client.callTool({ name: 'ingest_leads', arguments: { content_base64: content, filename: 'p.csv' } });
    const page = await client.callTool({ name: 'query_leads', arguments: {} });
    leadId = (page.structuredContent as { leads: Array<{ lead_id: string }> }).leads[0].lead_id;
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  const textOfPrompt = (p: { messages: Array<{ content: unknown }> }) =>
    (p.messages[0].content as { text: string }).text;

  it('lists the three pt-BR prompts, with pt-BR titles and descriptions', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['planejar_campanha', 'preparar_reuniao', 'revisar_respostas']);
    for (const p of prompts) {
      expect(p.title).toMatch(/^(Planejar|Revisar|Preparar) /);
      expect(p.description).toMatch(/ (a|as|os|o|de|do|da|e) /);
    }
    expect(prompts.find((p) => p.name === 'preparar_reuniao')!.arguments).toEqual([
      expect.objectContaining({ name: 'lead_id', required: true }),
    ]);
  });

  it('planejar_campanha walks import → policy → dry run → campaign, in Portuguese, naming the tools', async () => {
    const withFile = textOfPrompt(
      await client.getPrompt({
        name: 'planejar_campanha',
        arguments: { file_path: '/data/leads.xlsx', objetivo: 'cobrar novembro' },
      }),
    );
    for (const tool of [
      'get_status',
      'ingest_leads',
      'job_status',
      'set_outreach_policy',
      'dry_run_dispatch',
      'start_dispatch',
    ])
      expect(withFile).toContain(tool);
    expect(withFile).toContain('/data/leads.xlsx');
    expect(withFile).toContain('cobrar novembro');
    expect(withFile).toMatch(/Não envie nada real sem a minha confirmação/);
    const without = textOfPrompt(await client.getPrompt({ name: 'planejar_campanha', arguments: {} }));
    expect(without).toContain('leads já importados');
    expect(without).not.toContain('ingest_leads');
  });

  it('revisar_respostas lists replies and proposes an action per class', async () => {
    const text = textOfPrompt(
      await client.getPrompt({ name: 'revisar_respostas', arguments: { filter: 'perguntas' } }),
    );
    expect(text).toContain('list_replies com filter "perguntas"');
    for (const tool of ['propose_slots', 'schedule_meeting', 'query_leads', 'manage_suppression', 'handle_reply'])
      expect(text).toContain(tool);
    expect(textOfPrompt(await client.getPrompt({ name: 'revisar_respostas', arguments: {} }))).toContain('"pendentes"');
    await expect(client.getPrompt({ name: 'revisar_respostas', arguments: { filter: 'novas' } })).rejects.toThrow(
      /filter: must be one of "pendentes", "perguntas", "ambiguas", "opt_outs", "todas"/,
    );
  });

  it("preparar_reuniao embeds the lead's briefing; an unknown lead is not found", async () => {
    const p = await client.getPrompt({ name: 'preparar_reuniao', arguments: { lead_id: leadId } });
    expect(p.description).toBe('Briefing de Empresa Teste 0 Ltda');
    const text = textOfPrompt(p);
    expect(text).toContain('# Briefing — Empresa Teste 0 Ltda');
    expect(text).toMatch(/^Vou conversar com este lead/);
    await expect(
      client.getPrompt({ name: 'preparar_reuniao', arguments: { lead_id: '0190a000-0000-7000-8000-000000000001' } }),
    ).rejects.toThrow(/not found/);
  });

  it('instructions describe the workflow in a few lines, naming real tools, and come with initialize', async () => {
    expect(client.getInstructions()).toBe(SERVER_INSTRUCTIONS);
    const lines = SERVER_INSTRUCTIONS.split('\n');
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(Buffer.byteLength(SERVER_INSTRUCTIONS)).toBeLessThan(1200);
    const named = [...SERVER_INSTRUCTIONS.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)].map((m) => m[0]);
    const tools = new Set(allTools.map((t) => t.name));
    const { prompts } = await client.listPrompts();
    const known = new Set([...tools, ...prompts.map((p) => p.name), 'campaign_key']);
    expect(named.filter((n) => !known.has(n))).toEqual([]);
    // import → decide → dry run → campaign → replies → meetings, in that order.
    const order = [
      'ingest_leads',
      'decide_channel',
      'dry_run_dispatch',
      'start_dispatch',
      'list_replies',
      'schedule_meeting',
    ];
    const at = order.map((t) => SERVER_INSTRUCTIONS.indexOf(t));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('a 2026-07-28 client gets the same instructions from server/discover', async () => {
    const httpDeps = { ...deps, transport: 'http' as const };
    const principal: Principal = {
      token_id: 'tok-prompts',
      name: 'prompts',
      tenant: deps.tenant,
      scopes: ['read'],
      source: 'token',
    };
    const sessions = new SessionStore(db.kysely, {
      maxSessions: 4,
      maxSessionsPerTenant: 4,
      maxSessionsPerToken: 4,
      sessionIdleMs: 60_000,
    });
    const endpoint: McpEndpoint = createMcpEndpoint(
      (p, onlyTool) => buildServer({ ...httpDeps, scopes: p.scopes }, { onlyTool }),
      sessions,
      { maxBodyBytes: 1024 * 1024 },
    );
    const seen: string[] = [];
    const fetchOf = async (url: string | URL, init?: RequestInit) => {
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      const response = await endpoint.handle(new Request(url, init), body, principal);
      const copy = await response.text();
      if (body?.method === 'server/discover') seen.push(copy);
      return new Response(copy, { status: response.status, headers: response.headers });
    };
    const modern = new Client(
      { name: 'discover', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await modern.connect(new StreamableHTTPClientTransport(new URL('http://prompts.test/mcp'), { fetch: fetchOf }));
    expect(modern.getProtocolEra()).toBe('modern');
    expect(modern.getInstructions()).toBe(SERVER_INSTRUCTIONS);
    expect(seen.join('\n')).toContain(JSON.stringify(SERVER_INSTRUCTIONS).slice(1, 60));
    await modern.close();
    await endpoint.close();
  });
});
