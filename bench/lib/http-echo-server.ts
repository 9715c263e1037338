/**
 * The floor for bench/http.bench.ts: an MCP server with one `echo` tool, on the same SDK entry
 * (createMcpHandler, both protocol eras, a fresh server per request) and the same node:http ↔
 * web-Request bridge as ours (src/http/node-web.ts) — everything but what our tools, authentication and
 * limits add. Started as a child process: `tsx bench/lib/http-echo-server.ts`; prints "port <n>".
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { sendWebResponse, toWebRequest } from '../../src/http/node-web.js';

const input = z.object({ text: z.string() });
const output = z.object({ text: z.string() });

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Answers with its argument',
      inputSchema: input,
      outputSchema: output,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }),
  );
  return server;
});

const http = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/mcp', `http://${req.headers.host}`);
  const response = await handler.fetch(toWebRequest(req, res, url, undefined), {
    parsedBody: text ? JSON.parse(text) : undefined,
  });
  await sendWebResponse(res, response);
});
http.keepAliveTimeout = 5_000;
http.listen(0, '127.0.0.1', () => process.stderr.write(`port ${(http.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => process.exit(0));
