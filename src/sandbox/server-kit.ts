import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio as serveBothEras } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';
import { readSandboxConfig, SANDBOX_VERSION, type SandboxConfig } from './config.js';
import type { SandboxRuntime } from './runtime.js';

/** What each sandbox server is made of besides its own tools: the list tool, stdio serving, entry check. */
/** Optional idempotency key field, shared by the mutating tools. */
export const idempotencyKeyField = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('Client-chosen key (≤ 200 chars). A repeat with the same key returns the first answer and sends nothing.');

/** `list_*` debugging tool: the most recent recorded sends of this server. */
export function registerListTool(server: McpServer, rt: SandboxRuntime, name: string, title: string): void {
  server.registerTool(
    name,
    {
      title,
      description: `Lists the most recent sends this sandbox server recorded (oldest first, at most 1000 kept in memory), for debugging. Idempotent replays are not listed.`,
      inputSchema: z.object({
        limit: z.number().int().min(1).max(1000).optional().describe('How many of the most recent sends (default 50).'),
      }),
      outputSchema: z.object({
        total: z
          .number()
          .int()
          .describe('Real sends recorded so far, including those read from SANDBOX_RECORD at start.'),
        messages: z.array(
          z.object({
            ts: z.string(),
            tool: z.string(),
            message_id: z.string(),
            idempotency_key: z.string().nullable(),
            attempt: z.number().int(),
            args: z.record(z.string(), z.unknown()),
          }),
        ),
      }),
      annotations: { title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ limit }) => {
      const messages = rt.recentSends(limit ?? 50).map((l) => ({
        ts: l.ts,
        tool: l.tool,
        message_id: l.message_id,
        idempotency_key: l.idempotency_key,
        attempt: l.attempt,
        args: l.args,
      }));
      return {
        content: [{ type: 'text', text: `${messages.length} of ${rt.sendCount} recorded sends.` }],
        structuredContent: { total: rt.sendCount, messages },
      };
    },
  );
}

export function createSandboxServer(name: string, instructions: string): McpServer {
  return new McpServer({ name, version: SANDBOX_VERSION }, { instructions });
}

/**
 * Serves `build(runtime)` over stdio, to clients of either protocol era (the opening message picks);
 * exits when stdin closes or on SIGTERM/SIGINT. One server and runtime for the process: the SDK asks
 * the factory for a server per connection (and once more after a discovery probe it discards) and
 * always gets this one, closed in between, so the record and the idempotency answers stay one.
 */
export async function serveStdio(
  name: string,
  build: (config: SandboxConfig) => { server: McpServer; runtime: SandboxRuntime },
): Promise<void> {
  let runtime: SandboxRuntime | undefined;
  try {
    const config = readSandboxConfig(process.env);
    const built = build(config);
    runtime = built.runtime;
    const stop = (code: number) => {
      runtime?.shutdown();
      process.exit(code);
    };
    process.stdin.once('end', () => stop(0));
    process.once('SIGTERM', () => stop(0));
    process.once('SIGINT', () => stop(0));
    serveBothEras(() => built.server);
    runtime.log('ready', { record: runtime.config.recordPath ?? null });
  } catch (err) {
    process.stderr.write(`[${name}] fatal: ${err instanceof Error ? err.message : String(err)}\n`);
    runtime?.shutdown();
    process.exit(1);
  }
}

/** True when this module file is the process's entry point (node dist/sandbox/x.js). */
export function isEntryPoint(metaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}
