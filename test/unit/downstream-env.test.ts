import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { McpClientPool } from '../../src/channels/pool.js';
import { silentLogger } from '../../src/core/ports.js';
import { ROOT } from '../helpers/spawn.js';

/**
 * A downstream MCP server (a real child process) gets only the SDK's safe environment (PATH, HOME, …)
 * plus what mcp.json gives it: never this server's database URL, tokens or sending flag.
 */
describe('downstream MCP servers and our environment', () => {
  const secrets = {
    DATABASE_URL: 'postgres://agente:segredo@db.internal/agente',
    AGENTE_API_TOKEN: 'ada_secret_token_value',
    MICRO_AGENT_DISPARO_ENABLED: 'true',
    TWILIO_AUTH_TOKEN: 'twilio-secret',
  };
  const saved = Object.fromEntries(Object.keys(secrets).map((k) => [k, process.env[k]]));
  Object.assign(process.env, secrets);
  const pool = new McpClientPool(
    {
      echo: {
        command: process.execPath,
        args: [join(ROOT, 'test/fixtures/env-echo-server.mjs')],
        env: { SANDBOX_RECORD: '/tmp/x.jsonl' },
      },
    } as never,
    silentLogger,
  );
  afterAll(async () => {
    await pool.close();
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  it('passes PATH and the configured env, and none of our secrets', async () => {
    const res = await pool.call('echo', 'env', {}, { timeoutMs: 10_000 });
    const env = JSON.parse((res.content[0] as { text: string }).text) as Record<string, string>;
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.SANDBOX_RECORD).toBe('/tmp/x.jsonl');
    for (const k of Object.keys(secrets)) expect(env[k], k).toBeUndefined();
    expect(JSON.stringify(env)).not.toMatch(/segredo|ada_secret|twilio-secret/);
  });
});
