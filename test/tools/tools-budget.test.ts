import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps } from '../helpers/server.js';

/**
 * The tools/list budget, in bytes of the compact JSON a client receives (every toolset, nothing
 * read-only): what a model pays in context before the first call.
 *
 * - Whole list ≤ 44,000 bytes (~11k tokens at ~4 bytes a token, ~5% of a 200k context). The 13
 *   tools before the meeting tools measured ~27.4 KB; the five meeting/briefing tools ~14 KB (their
 *   outputs are real objects: a meeting, its message, a briefing). 18 tools measure ~41.4 KB; about a
 *   third of the bytes were JSON Schema's own repetition (`required` lists, `additionalProperties`,
 *   `$schema` on every schema); output schemas now go out without `additionalProperties: false` and
 *   `required` lists (define-tool.ts: 19 tools, 43.8 KB → 38.6 KB), inputs keep them. 21 tools measured
 *   42.2 KB; outputs now also go out without enum lists, `propertyNames`, anyOf-with-null wrappers, with
 *   repeated subschemas in `$defs`, and query_leads's lead view without its summary twice
 *   (src/tools/lean-schema.ts): 38.8 KB, room for the tools other work adds.
 * - One tool ≤ 4,096 bytes: a tool that needs more is two tools, or its schema repeats itself.
 * Toolsets (--toolsets) load less; SECURITY.md / README say how. Sizes per tool are printed.
 */
export const TOOLS_LIST_BUDGET_BYTES = 44_000;
export const TOOL_BUDGET_BYTES = 4_096;

describe(`tools/list size budget (${testDbKind()})`, () => {
  let db: TestDb;
  let client: Awaited<ReturnType<typeof connectClient>>;
  beforeAll(async () => {
    db = await openTestDb();
    client = await connectClient(await makeDeps(db, { env: { MICRO_AGENT_DISPARO_ENABLED: 'true' } }));
  });
  afterAll(async () => {
    await client?.closeAll();
    await db?.destroy();
  });

  it(`keeps the whole tools/list under ${TOOLS_LIST_BUDGET_BYTES} bytes and every tool under ${TOOL_BUDGET_BYTES}`, async () => {
    const { tools } = await client.listTools();
    const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');
    const rows = tools.map((t) => ({
      tool: t.name,
      bytes: bytes(t),
      description: bytes(t.description ?? ''),
      input: bytes(t.inputSchema),
      output: bytes(t.outputSchema ?? {}),
    }));
    const total = bytes(tools);
    console.log(
      `tools/list: ${total} bytes for ${tools.length} tools (budget ${TOOLS_LIST_BUDGET_BYTES}, ${Math.round((100 * total) / TOOLS_LIST_BUDGET_BYTES)}% used)`,
    );
    console.table(rows);
    expect(rows.filter((r) => r.bytes > TOOL_BUDGET_BYTES).map((r) => `${r.tool}: ${r.bytes} bytes`)).toEqual([]);
    expect(total).toBeLessThanOrEqual(TOOLS_LIST_BUDGET_BYTES);
  });
});
