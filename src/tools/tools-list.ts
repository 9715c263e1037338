import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolDefinition } from './define-tool.js';

/**
 * tools/list as this server answers it: the same tools the SDK would list, but
 * - each tool's JSON is built once per process (the SDK converts every schema on every tools/list, and
 *   the HTTP transport builds a server per session), and
 * - schemas are JSON Schema 2020-12 — MCP's default dialect when `$schema` is absent — without a
 *   `$schema` key on each of the 36 schemas (2 KB of the tools/list budget, test/tools/tools-budget.test.ts).
 */
export function installToolsList(server: McpServer, tools: readonly ToolDefinition<any, any>[]): void {
  const list = tools.map(toolJson);
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: list }));
}

const cache = new WeakMap<ToolDefinition<any, any>, Tool>();

function toolJson(def: ToolDefinition<any, any>): Tool {
  let t = cache.get(def);
  if (!t) {
    t = {
      name: def.name,
      title: def.title,
      description: def.description,
      inputSchema: jsonSchema(def.input, 'input') as Tool['inputSchema'],
      outputSchema: jsonSchema(def.output, 'output') as Tool['outputSchema'],
      annotations: def.annotations,
    };
    cache.set(def, t);
  }
  return t;
}

function jsonSchema(shape: z.ZodRawShape, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(z.object(shape), { target: 'draft-2020-12', io });
  return schema;
}
