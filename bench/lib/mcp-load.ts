/**
 * A load generator for MCP over Streamable HTTP that costs the machine little, so the server is what
 * is measured: `clients` clients, each on its own keep-alive connection, sending exactly what an SDK
 * client of the era sends for one tool call (2026-07-28: the `_meta` envelope and the MCP-Protocol-
 * Version / Mcp-Method / Mcp-Name headers; 2025-11-25: initialize, then calls in the session), one call
 * at a time, for `ms`. Every answer is checked: HTTP 200, a JSON-RPC result (from JSON or from the SSE
 * event), not isError.
 */
import { Agent, request } from 'node:http';

export interface LoadJob {
  url: string;
  token?: string;
  tool: string;
  args: Record<string, unknown>;
  clients: number;
  ms: number;
  era: '2026-07-28' | '2025-11-25';
}

export interface Tally {
  calls: number;
  latencies: number[];
}

const CLIENT = { name: 'bench', version: '1.0.0' };

function post(
  agent: Agent,
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((ok, fail) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          ok({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** The JSON-RPC message of an answer: the body itself, or the last `data:` event of an SSE answer. */
function message(text: string): { result?: { isError?: boolean }; error?: unknown } {
  if (text.startsWith('{')) return JSON.parse(text);
  const data = text.split('\n').filter((l) => l.startsWith('data: '));
  return JSON.parse(data[data.length - 1].slice(6));
}

async function oneClient(job: LoadJob, end: number, tally: Tally): Promise<void> {
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    ...(job.token ? { authorization: `Bearer ${job.token}` } : {}),
  };
  let id = 0;
  let body: () => string;
  if (job.era === '2026-07-28') {
    Object.assign(headers, { 'mcp-protocol-version': job.era, 'mcp-method': 'tools/call', 'mcp-name': job.tool });
    const meta = {
      'io.modelcontextprotocol/protocolVersion': job.era,
      'io.modelcontextprotocol/clientInfo': CLIENT,
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    body = () =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: ++id,
        method: 'tools/call',
        params: { name: job.tool, arguments: job.args, _meta: meta },
      });
  } else {
    const init = await post(
      agent,
      url,
      headers,
      JSON.stringify({
        jsonrpc: '2.0',
        id: ++id,
        method: 'initialize',
        params: { protocolVersion: job.era, capabilities: {}, clientInfo: CLIENT },
      }),
    );
    if (init.status !== 200) throw new Error(`initialize: HTTP ${init.status} ${init.text.slice(0, 200)}`);
    Object.assign(headers, {
      'mcp-session-id': String(init.headers['mcp-session-id']),
      'mcp-protocol-version': job.era,
    });
    await post(agent, url, headers, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    body = () =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: ++id,
        method: 'tools/call',
        params: { name: job.tool, arguments: job.args },
      });
  }
  try {
    while (performance.now() < end) {
      const t = performance.now();
      const res = await post(agent, url, headers, body());
      const m = res.status === 200 ? message(res.text) : undefined;
      if (!m?.result || m.result.isError) throw new Error(`${job.tool}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
      tally.latencies.push(performance.now() - t);
      tally.calls++;
    }
  } finally {
    agent.destroy();
  }
}

/** Runs the job; resolves with the calls made and their latencies (ms). */
export async function runLoad(job: LoadJob): Promise<Tally> {
  const tally: Tally = { calls: 0, latencies: [] };
  const end = performance.now() + job.ms;
  await Promise.all(Array.from({ length: job.clients }, () => oneClient(job, end, tally)));
  return tally;
}
