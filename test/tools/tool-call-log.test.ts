import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { connectClient, makeDeps } from '../helpers/server.js';
import { openTestDb, type TestDb } from '../helpers/db.js';

/** A pino logger at `level` whose lines land in `lines`. */
function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

describe('the debug line of a tool call (define-tool.ts)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const callWith = async (level: string) => {
    const { logger, lines } = capture(level);
    const deps = await makeDeps(db, { tenantSlug: 'log-lines', logger });
    const client = await connectClient(deps);
    try {
      const r = await client.callTool({
        name: 'decide_channel',
        arguments: { lead_ids: ['00000000-0000-4000-8000-000000000001'], template_email: 'cobranca_padrao_email_v2' },
      });
      expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    } finally {
      await client.closeAll();
    }
    return lines.filter((l) => l.msg === 'tool call');
  };

  it('at debug: tool, outcome and the arguments summarised (collections by size)', async () => {
    const [line, ...more] = await callWith('debug');
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      tool: 'decide_channel',
      outcome: 'ok',
      args: { lead_ids: '[1 items]', template_email: 'cobranca_padrao_email_v2' },
    });
  });

  it('at info (the default): no line', async () => {
    expect(await callWith('info')).toEqual([]);
  });
});
