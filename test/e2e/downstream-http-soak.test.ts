/**
 * The short version of bench/downstream.bench.ts (100,000 calls there): McpClientPool calling a
 * downstream Streamable HTTP MCP server (another process) over one connection keeps one abort listener
 * on the SDK transport's shared signal, emits no MaxListenersExceededWarning and keeps the heap flat. The
 * control run with the SDK's own fetch shows the leak this guards against (so the test can fail).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpClientPool } from '../../src/channels/pool.js';
import { silentLogger } from '../../src/core/ports.js';
import { ROOT } from '../helpers/spawn.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('downstream Streamable HTTP: a soak keeps listeners and RSS flat', () => {
  let child: ChildProcess;
  let url: string;
  const warnings: Error[] = [];
  const onWarning = (w: Error) => {
    if (w.name === 'MaxListenersExceededWarning') warnings.push(w);
  };

  beforeAll(async () => {
    child = spawn(process.execPath, [join(ROOT, 'test', 'fixtures', 'http-echo-server.mjs')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const port = await new Promise<number>((ok, fail) => {
      const t = setTimeout(() => fail(new Error('the downstream server did not start')), 10_000);
      child.stderr!.on('data', (d) => {
        const m = /port (\d+)/.exec(String(d));
        if (m) {
          clearTimeout(t);
          ok(Number(m[1]));
        }
      });
    });
    url = `http://127.0.0.1:${port}/mcp`;
    process.on('warning', onWarning);
  });
  afterAll(() => {
    process.off('warning', onWarning);
    child?.kill('SIGTERM');
  });

  const soak = async (calls: number, ownSignals: boolean) => {
    const pool = new McpClientPool({ echo: { url, headers: {} } }, silentLogger, ownSignals);
    const listeners = async () => {
      const conn = await (pool as unknown as { connections: Map<string, Promise<any>> }).connections.get('echo');
      return getEventListeners(conn.client.transport._abortController.signal as AbortSignal, 'abort').length;
    };
    const call = (i: number) =>
      pool.call('echo', 'send_message', { to: '+5511987654321', text: `oi ${i}` }, { timeoutMs: 10_000 });
    for (let i = 0; i < 500; i++) await call(i);
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    let most = 0;
    for (let i = 0; i < calls; i++) {
      const r = await call(i);
      expect(r.structuredContent).toMatchObject({ message_id: expect.any(String) });
      if (i % 250 === 0) most = Math.max(most, await listeners());
    }
    gc();
    // Retained heap, not RSS: over a few thousand calls RSS still climbs with JIT and allocator
    // warm-up (the 100k bench shows where it settles); leaked listeners and requests live on the heap.
    const grew = process.memoryUsage().heapUsed - heap0;
    await pool.close();
    return { most, grew };
  };

  it(
    '5,000 calls with a signal per request: 1 listener, no warning, retained heap within 5 MB',
    { timeout: 120_000 },
    async () => {
      warnings.length = 0;
      const { most, grew } = await soak(5_000, true);
      expect(most).toBeLessThanOrEqual(2);
      expect(warnings).toEqual([]);
      expect(grew).toBeLessThan(5e6);
    },
  );

  it('control: the SDK fetch as it is piles up listeners on its shared signal', { timeout: 60_000 }, async () => {
    const { most } = await soak(1_000, false);
    expect(most).toBeGreaterThan(100);
  });
});
