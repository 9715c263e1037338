import { Client, StreamableHTTPClientTransport, type CallToolResult, type Tool } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { Logger } from '../core/ports.js';
import type { McpConfig } from './config.js';
import { fetchWithOwnSignals } from './http-fetch.js';

type ServerConfig = McpConfig['mcpServers'][string];

interface Connection {
  client: Client;
  tools: Tool[];
}

/** The server could not be started or reached: the request never left. */
export class NotConnectedError extends Error {
  constructor(server: string, cause: unknown) {
    super(`cannot reach "${server}": ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/**
 * One MCP client per downstream server, connected on first use and reconnected after the server
 * crashed or closed (the next call opens a new connection). Every call has a timeout and honours an
 * AbortSignal.
 */
export class McpClientPool {
  private readonly connections = new Map<string, Promise<Connection>>();
  private closing = false;

  constructor(
    private readonly servers: McpConfig['mcpServers'],
    private readonly logger: Logger,
    /** false: the SDK's own fetch, which leaks a listener per request (only to measure it: bench:downstream). */
    private readonly ownSignalPerRequest = true,
  ) {}

  private connect(name: string): Promise<Connection> {
    const existing = this.connections.get(name);
    if (existing) return existing;
    const cfg: ServerConfig | undefined = this.servers[name];
    if (!cfg) return Promise.reject(new Error(`MCP server "${name}" is not in mcp.json`));
    const attempt = (async () => {
      const transport =
        'url' in cfg
          ? new StreamableHTTPClientTransport(new URL(cfg.url), {
              requestInit: { headers: cfg.headers },
              // Its own signal per request: the SDK's shared one leaks a listener per call (http-fetch.ts).
              ...(this.ownSignalPerRequest ? { fetch: fetchWithOwnSignals() } : {}),
            })
          : new StdioClientTransport({
              command: cfg.command,
              args: cfg.args,
              cwd: cfg.cwd,
              // Only the SDK's safe defaults (PATH, HOME, …) plus what mcp.json gives: never our secrets.
              env: { ...getDefaultEnvironment(), ...cfg.env },
              stderr: 'pipe',
            });
      // Over HTTP the current protocol (2026-07-28) when the server speaks it, else 2025-11-25 (one
      // server/discover round trip per connection tells). Over stdio 2025-11-25: asking first would
      // make the SDK start the server twice (its probe runs in a throwaway process).
      const client = new Client(
        { name: 'agente-disparo-agenda', version: '1' },
        'url' in cfg ? { versionNegotiation: { mode: 'auto' } } : {},
      );
      client.onclose = () => {
        // The server went away: forget this connection so the next call reconnects.
        if (this.connections.get(name) === attempt) this.connections.delete(name);
        if (!this.closing)
          this.logger.warn({ server: name }, 'downstream MCP server disconnected; the next call reconnects');
      };
      await client.connect(transport);
      const { tools } = await client.listTools();
      return { client, tools };
    })();
    this.connections.set(name, attempt);
    attempt.catch(() => {
      if (this.connections.get(name) === attempt) this.connections.delete(name);
    });
    return attempt;
  }

  async tools(server: string): Promise<Tool[]> {
    return (await this.connect(server)).tools;
  }

  async call(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<CallToolResult> {
    let client: Client;
    try {
      ({ client } = await this.connect(server));
    } catch (err) {
      throw new NotConnectedError(server, err);
    }
    return client.callTool({ name: tool, arguments: args }, { timeout: opts.timeoutMs, signal: opts.signal });
  }

  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.allSettled(all.map(async (c) => (await c).client.close()));
  }
}
