import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../helpers/pg-cluster.js';
import { cleanEnv, ROOT, runMain, startMain, stop } from '../helpers/spawn.js';

/*
 * Bearer tokens under attack (issue #12), on the built binary over loopback with PostgreSQL. Token lookups
 * are counted by PostgreSQL itself (pg_stat_statements).
 */
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const FAIL_LIMIT = 10;
const CACHE_TTL_MS = 2000;
const badToken = () => `ada_${randomBytes(32).toString('base64url')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function p99(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)];
}

describe('HTTP authentication: verified-token cache, negative cache, failed-auth limit', () => {
  const servers: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let cluster: Cluster | undefined;
  let stats: pg.Client;

  const serve = async () => {
    const started = await startMain(
      ['serve', '--http', '--port', '0'],
      {
        ...env,
        AGENTE_AUTH_CACHE_TTL_MS: String(CACHE_TTL_MS),
        AGENTE_AUTH_FAIL_LIMIT: String(FAIL_LIMIT),
        AGENTE_AUTH_FAIL_WINDOW_MS: '60000',
      },
      /listening on (\S+)/,
    );
    servers.push(started.child);
    return started.match[1];
  };
  /** Token lookups so far, as PostgreSQL counts them (pg_stat_statements: calls of the lookup statement). */
  const lookups = async () =>
    (
      await stats.query(
        `select coalesce(sum(calls), 0)::int as n from pg_stat_statements where query like '%from "api_tokens"%"token_hash" = $1%'`,
      )
    ).rows[0].n as number;
  const connect = async (url: string, token: string) => {
    const client = new Client({ name: 'e2e-auth', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    return client;
  };
  const newToken = async (tenant: string) =>
    (await runMain(['token', 'create', '--tenant', tenant], env)).stdout.trim();

  beforeAll(async () => {
    // A cluster of its own, to load pg_stat_statements: it counts each statement when it ends (the
    // cumulative statistics views publish an idle backend's counts up to 10 s later).
    cluster = await startCluster({ settings: ['shared_preload_libraries=pg_stat_statements'] });
    env = cleanEnv({ DATABASE_URL: cluster.url });
    stats = new pg.Client({ connectionString: cluster.url });
    await stats.connect();
    await runMain(['migrate'], env);
    await stats.query('create extension pg_stat_statements');
  });
  afterAll(async () => {
    for (const s of servers) await stop(s);
    await stats?.end();
    cluster?.stop();
  });

  it(`a valid token is looked up once per AGENTE_AUTH_CACHE_TTL_MS, and a revocation takes effect within it`, async () => {
    const url = await serve();
    const token = await newToken('cache');
    const client = await connect(url, token);
    const before = await lookups();
    const t = performance.now();
    for (let i = 0; i < 100; i++) await client.listTools();
    const took = performance.now() - t;
    const spent = (await lookups()) - before;
    // One lookup per started TTL period at most (the first was made by connect, before `before`).
    expect(spent, 'token lookups for 100 requests').toBeLessThanOrEqual(Math.ceil(took / CACHE_TTL_MS));

    const revoked = await runMain(['token', 'revoke', token.slice(0, 12)], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    const t0 = performance.now();
    let refusedAfter: number | null = null;
    while (performance.now() - t0 < CACHE_TTL_MS + 3000) {
      const ok = await client.listTools().then(
        () => true,
        () => false,
      );
      if (!ok) {
        refusedAfter = performance.now() - t0;
        break;
      }
      await sleep(50);
    }
    expect(refusedAfter, 'the revoked token was refused').not.toBeNull();
    expect(refusedAfter!).toBeLessThanOrEqual(CACHE_TTL_MS + 300);
    await client.close().catch(() => {});
  });

  it(`200 concurrent bad tokens: at most ${FAIL_LIMIT} database lookups, the rest 429 with Retry-After`, async () => {
    const url = await serve();
    const before = await lookups();
    const answers = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { ...mcpHeaders, authorization: `Bearer ${badToken()}` },
          body: JSON.stringify(initialize),
        });
        await res.text();
        return { status: res.status, retryAfter: res.headers.get('retry-after') };
      }),
    );
    const spent = (await lookups()) - before;
    const unauthorized = answers.filter((a) => a.status === 401).length;
    const limited = answers.filter((a) => a.status === 429);
    expect(unauthorized).toBe(FAIL_LIMIT);
    expect(limited).toHaveLength(200 - FAIL_LIMIT);
    for (const a of limited) expect(Number(a.retryAfter)).toBeGreaterThan(50); // the 60 s window, nearly whole
    expect(spent, 'token lookups for 200 bad tokens').toBe(FAIL_LIMIT);
  });

  it(
    "200 concurrent bad-token loops keep a valid client's p99 within 2× its quiet p99, and cause no database query each",
    {
      timeout: 180_000,
    },
    async () => {
      const url = await serve();
      const client = await connect(url, await newToken('medido'));
      const call = () => client.callTool({ name: 'job_status', arguments: {} });
      const measure = async (n: number) => {
        const ms: number[] = [];
        for (let i = 0; i < n; i++) {
          const t = performance.now();
          const res = await call();
          ms.push(performance.now() - t);
          expect(res.isError).toBeFalsy();
        }
        return ms;
      };
      await measure(100); // warm up

      // Quiet and flooded blocks alternate, so both see the same background load of this shared machine.
      const f0 = await lookups();
      const f0At = performance.now();
      const flood = spawn(process.execPath, [join(ROOT, 'test/fixtures/bad-token-flood.mjs'), url, '200', 'paused'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      flood.stdout!.on('data', (d) => (out += d));
      flood.stderr!.on('data', (d) => (err += d));
      const said = async (line: string) => {
        const mark = err.length;
        const t = performance.now();
        while (!err.slice(mark).includes(`${line}\n`) && performance.now() - t < 20_000) await sleep(10);
      };
      const quiet: number[] = [];
      const loaded: number[] = [];
      for (let round = 0; round < 8; round++) {
        quiet.push(...(await measure(50)));
        const flooding = said('flooding');
        flood.stdin!.write('go\n');
        await flooding;
        await sleep(300); // 200 requests in flight
        loaded.push(...(await measure(50)));
        const idle = said('idle');
        flood.stdin!.write('pause\n');
        await idle;
      }
      const flooded = performance.now() - f0At;
      const floodLookups = (await lookups()) - f0;
      flood.stdin!.end();
      await new Promise((r) => flood.once('close', r));
      const statuses = JSON.parse(out) as Record<string, number>;
      await client.close();

      const [pq, pf] = [p99(quiet), p99(loaded)];
      console.log(
        `valid client p99 (8 alternating blocks of 50 calls each): quiet ${pq.toFixed(1)} ms, under 200 bad-token loops ${pf.toFixed(1)} ms; ` +
          `flood answers ${JSON.stringify(statuses)}; ${floodLookups} token lookups during the flood`,
      );
      const attempts = Object.values(statuses).reduce((a, b) => a + b, 0);
      // 200 requests in flight during each flooded block (each held AGENTE_AUTH_FAIL_DELAY_MS, 1 s, once refused).
      expect(attempts, 'the flood was a flood').toBeGreaterThanOrEqual(8 * 200);
      expect(statuses['401'] ?? 0).toBeLessThanOrEqual(FAIL_LIMIT);
      // At most FAIL_LIMIT lookups for bad tokens per 60 s window, plus the valid token's own once per TTL.
      expect(floodLookups).toBeLessThanOrEqual(
        FAIL_LIMIT * Math.ceil(flooded / 60_000) + Math.ceil(flooded / CACHE_TTL_MS) + 1,
      );
      expect(pf).toBeLessThanOrEqual(2 * pq);
    },
  );
});
