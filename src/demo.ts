import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAndImport, rehearse } from './demo/act-1-dry-run.js';
import { sendForReal } from './demo/act-2-sending.js';
import { confirmAndBrief, proposeAndBook, reply } from './demo/act-3-meeting.js';
import { indent, say } from './demo/helpers.js';
import type { DemoRun } from './demo/run.js';

/**
 * The end-to-end demo: a messy spreadsheet → clean leads → channel decisions → dry run → real sends
 * to the bundled sandbox channel servers, all through a real MCP client over stdio (as Claude Desktop
 * would), on a fresh embedded PGlite in a temporary directory. The narrative goes to stdout; the
 * spawned server's stdout is the protocol. Returns 0, or 1 as soon as a step fails.
 */
export async function runDemo(mainScript: string): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'agente-demo-'));
  const inbox = join(dataDir, 'entrada');
  const sheet = join(inbox, 'leads-exemplo.xlsx');
  const serverLog = join(dataDir, 'server-stderr.log');
  const started = Date.now();
  const run: DemoRun = { mainScript, dataDir, inbox, sheet, serverLog, session: null };
  try {
    say(`Demo of agente-disparo-agenda — data in ${dataDir}`);

    const { s1, ingestJob } = await openAndImport(run);
    await rehearse(run, s1, ingestJob);
    const s2 = await sendForReal(run);
    const amazonas = await reply(run, s2);
    const meeting = await proposeAndBook(run, s2, amazonas);
    await confirmAndBrief(run, s2, meeting);

    say(
      `\n✔ Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s. Data kept in ${dataDir} ` +
        `(PGlite database, entrada/leads-exemplo.xlsx, sandbox/*.jsonl, the servers' stderr in server-stderr.log); remove it with rm -rf when done.`,
    );
    return 0;
  } catch (err) {
    say(`\n✘ Demo failed: ${err instanceof Error ? err.message : String(err)}\n  (data in ${dataDir})`);
    const log = existsSync(serverLog) ? readFileSync(serverLog, 'utf8').trim() : '';
    if (log) say(`The server's stderr (${serverLog}), last lines:\n${indent(log.split('\n').slice(-20).join('\n'))}`);
    return 1;
  } finally {
    await run.session?.close().catch(() => {});
  }
}
