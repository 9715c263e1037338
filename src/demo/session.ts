import { createWriteStream } from 'node:fs';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

/** What a tool answered: its text (for people and models) and its structured content. */
export interface ToolAnswer<T = any> {
  text: string;
  data: T;
}

/**
 * One run of the server over stdio, driven by a real MCP SDK client — what Claude Desktop does:
 * spawn `node dist/main.js`, speak JSON-RPC on its stdin/stdout.
 */
export class McpSession {
  private constructor(
    private readonly client: Client,
    private readonly transport: StdioClientTransport,
  ) {}

  /** Spawns the server; its stderr (logs, warnings) is appended to `logPath`. */
  static async open(mainScript: string, env: Record<string, string>, logPath: string): Promise<McpSession> {
    const transport = new StdioClientTransport({ command: process.execPath, args: [mainScript], env, stderr: 'pipe' });
    transport.stderr?.pipe(createWriteStream(logPath, { flags: 'a' }));
    // The current protocol (2026-07-28), pinned: no discovery probe, which over stdio would start a
    // second server process first. The server also takes 2025-11-25 clients on the same stdio.
    const client = new Client(
      { name: 'agente-demo', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(transport);
    return new McpSession(client, transport);
  }

  get pid(): number | null {
    return this.transport.pid;
  }

  async toolNames(): Promise<string[]> {
    const { tools } = await this.client.listTools();
    return tools.map((t) => t.name);
  }

  /** Calls a tool; a result with isError becomes an exception carrying the tool's own text. */
  async call<T = any>(name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer<T>> {
    const result = await this.client.callTool({ name, arguments: args }, { timeout: 60_000 });
    const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
    const text = content
      .filter((c) => c.type === 'text')
      .map((c) => c.text)
      .join('\n');
    if (result.isError) throw new Error(`${name} failed: ${text}`);
    return { text, data: result.structuredContent as T };
  }

  /** Ends stdin: the server finishes, closes the database and exits (the SDK waits for the exit). */
  async close(): Promise<void> {
    await this.client.close();
  }
}
