import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { describe, expect, it } from 'vitest';
import { cleanEnv, MAIN, ROOT, tempDir } from '../helpers/spawn.js';

describe('stdio server (dist/main.js)', () => {
  it('answers a real MCP client spawned as Claude Desktop would', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN],
      env: cleanEnv({ AGENTE_DATA_DIR: tempDir('stdio-') }) as Record<string, string>,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('job_status');
    const res = await client.callTool({ name: 'get_status', arguments: {} });
    expect((res.structuredContent as any).database.kind).toBe('pglite');
    await client.close();
  });

  it('writes nothing but JSON-RPC on stdout, even with debug logging', async () => {
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: cleanEnv({ AGENTE_DATA_DIR: tempDir('stdout-'), AGENTE_LOG_LEVEL: 'debug' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout! });
    const got = new Promise<void>((resolve) =>
      rl.on('line', (l) => {
        lines.push(l);
        if (l.includes('"id":4')) resolve();
      }),
    );
    const send = (m: object) => child.stdin!.write(`${JSON.stringify(m)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'job_status', arguments: { job_id: 'not-a-uuid' } },
    });
    send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'get_status', arguments: {} } });
    await got;
    child.kill();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      const msg = JSON.parse(line);
      expect(msg.jsonrpc).toBe('2.0');
    }
  });
});
