import type { ChildProcess } from 'node:child_process';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/connect.js';
import { createPgDatabase } from '../helpers/db.js';
import { seedCampaign, statusCounts, writeSandboxMcpConfig } from '../helpers/dispatch-setup.js';
import { parseProm, promValue, type PromSample } from '../helpers/prom-text.js';
import { cleanEnv, runMain, startMain, stop, tempDir } from '../helpers/spawn.js';

/*
 * /metrics (issue 21) scraped from real processes during a real campaign on PostgreSQL: a `worker`
 * on its own metrics port (AGENTE_METRICS_PORT, loopback, no token) sending through the sandbox, and
 * `serve --http` answering tool calls (/metrics behind AGENTE_METRICS_TOKEN). The counters move while
 * the campaign runs and agree with the database at the end; no personal data appears in any label.
 */
const METRICS_TOKEN = 'metricas-token-de-teste-0123456789';
const FINAL = ['enviado', 'falhou', 'bloqueado', 'cancelado', 'incerto'];

async function scrape(url: string, token?: string): Promise<{ status: number; text: string; samples: PromSample[] }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, text, samples: res.ok ? parseProm(text) : [] };
}

describe('/metrics during a campaign (worker and serve --http on PostgreSQL)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('counters move during the campaign and match the database at the end', { timeout: 180_000 }, async () => {
    const N = 500;
    const { url, drop } = await createPgDatabase();
    const db = await openDb({ databaseUrl: url });
    const dir = tempDir('metrics-');
    // Paced at 50/s: the campaign lasts ~10 s, long enough to scrape it moving.
    const { campaignId } = await seedCampaign(db, N, 50);
    const env = cleanEnv({
      DATABASE_URL: url,
      MICRO_AGENT_DISPARO_ENABLED: 'true',
      AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dir),
      AGENTE_METRICS_TOKEN: METRICS_TOKEN,
    });
    const worker = await startMain(
      ['worker'],
      { ...env, AGENTE_METRICS_PORT: '0' },
      /metrics on (http:\/\/\S+)\/metrics/,
    );
    children.push(worker.child);
    const workerMetrics = `${worker.match[1]}/metrics`;

    const seen: Array<{ sent: number; pending: number; leased: number }> = [];
    for (;;) {
      const { status, samples } = await scrape(workerMetrics, METRICS_TOKEN);
      expect(status).toBe(200);
      seen.push({
        sent: promValue(samples, 'agente_sends_total', { channel: 'whatsapp', status: 'enviado' }),
        pending: promValue(samples, 'agente_queue_depth', { status: 'pendente' }),
        leased: promValue(samples, 'agente_queue_depth', { status: 'em_execucao' }),
      });
      const c = await statusCounts(db, campaignId);
      if (FINAL.reduce((a, k) => a + (c[k] ?? 0), 0) === N) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // Moving: several distinct, increasing counts of sends while the campaign ran, and the queue
    // draining from where it started.
    const sentValues = [...new Set(seen.map((s) => s.sent))];
    expect(sentValues.length).toBeGreaterThanOrEqual(4);
    expect(sentValues).toEqual([...sentValues].sort((a, b) => a - b));
    expect(Math.max(...seen.map((s) => s.pending + s.leased))).toBeGreaterThan(N / 4);

    // At the end, the scrape and the database agree.
    const counts = await statusCounts(db, campaignId);
    expect(counts).toEqual({ enviado: N });
    const end = await scrape(workerMetrics, METRICS_TOKEN);
    const v = (name: string, labels: Record<string, string> = {}) => promValue(end.samples, name, labels);
    expect(v('agente_sends_total', { channel: 'whatsapp', status: 'enviado', error_class: 'none' })).toBe(
      counts.enviado,
    );
    expect(v('agente_sends_total')).toBe(N);
    expect(v('agente_send_duration_seconds_count', { channel: 'whatsapp' })).toBe(N);
    expect(v('agente_rate_limit_wait_seconds_count', { channel: 'whatsapp' })).toBeGreaterThan(0);
    for (const status of ['pendente', 'adiado', 'em_execucao']) expect(v('agente_queue_depth', { status })).toBe(0);
    expect(v('agente_queue_oldest_due_age_seconds')).toBe(0);
    expect(v('agente_db_pool_connections', { state: 'max' })).toBeGreaterThan(0);
    // The WhatsApp tier (issue 16), as the last fresh count under the rate_limits lock saw it.
    expect(v('agente_tier_budget_limit', { channel: 'whatsapp' })).toBe(100_000);
    const used = v('agente_tier_budget_used', { channel: 'whatsapp' });
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(N);
    expect(v('agente_metrics_db_errors')).toBe(0);
    // No personal data: no phone, no name, no tenant id in any label or value line.
    expect(end.text).not.toMatch(/55119\d{8}|Empresa|Contato|@/);

    // serve --http: /metrics needs the token; tool calls are counted by tool and outcome.
    const token = (await runMain(['token', 'create', '--tenant', 'metricas', '--scopes', 'read'], env)).stdout.trim();
    const server = await startMain(
      ['serve', '--http', '--port', '0', '--no-executor'],
      env,
      /listening on (http:\/\/\S+)/,
    );
    children.push(server.child);
    const base = new URL(server.match[1]);
    const client = new Client({ name: 'metrics', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(base, { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    for (let i = 0; i < 3; i++)
      expect((await client.callTool({ name: 'get_status', arguments: {} })).isError).toBeFalsy();
    const refused = await scrape(new URL('/metrics', base).href);
    expect(refused.status).toBe(401);
    expect((await scrape(new URL('/metrics', base).href, 'wrong-token-wrong-token')).status).toBe(401);
    const http = await scrape(new URL('/metrics', base).href, METRICS_TOKEN);
    expect(http.status).toBe(200);
    expect(promValue(http.samples, 'agente_tool_calls_total', { tool: 'get_status', outcome: 'ok' })).toBe(3);
    expect(promValue(http.samples, 'agente_tool_call_duration_seconds_count', { tool: 'get_status' })).toBe(3);
    expect(promValue(http.samples, 'agente_queue_depth', { status: 'pendente' })).toBe(0);
    const ready = await fetch(new URL('/readyz', base));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { database: 'ok', migrations: 'ok', channels: 'ok' } });
    expect((await fetch(new URL('/healthz', base))).status).toBe(200);
    const workerReady = await fetch(`${worker.match[1]}/readyz`);
    expect(workerReady.status).toBe(200);
    await client.close();
    await stop(server.child);
    await stop(worker.child);
    expect(server.child.exitCode).toBe(0);
    expect(worker.child.exitCode).toBe(0);
    await db.close();
    await drop();
  });
});
