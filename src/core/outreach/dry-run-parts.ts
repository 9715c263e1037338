import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DecidedChannel } from '../model/index.js';
import type { Scope } from '../scope.js';
import { loadDecisionContext, type Target, type TemplateChoice } from './decision-context.js';
import { summariseDryRun, writeDryRunPart, type DryRunBatch, type DryRunPart } from './dry-run-batch.js';
import { filterWithinLimitAndZones } from './decisions-set-sql.js';

/*
 * A dry run over many leads split over several connections (PostgreSQL). Its statement writes
 * (INSERT … SELECT into dry_run_log), and PostgreSQL plans no statement that writes in parallel: one
 * backend decides 100k leads while the server's other cores stay idle. So the batch is split by a hash
 * of the lead id into `of` parts, each an INSERT … SELECT of its share on its own connection, all at once:
 *   - one snapshot: the first transaction (repeatable read) exports its snapshot and the others import it
 *     (SET TRANSACTION SNAPSHOT, as pg_dump's parallel workers do), so every part decides over the same
 *     leads, sends and settings, and the filter's limit cuts the same leads in every part;
 *   - all or nothing: no part commits before every part has written; a failure anywhere rolls them all
 *     back. The one window left — the first part committed and another's commit then fails (its
 *     connection lost) — is closed by deleting the batch's rows before the error is reported.
 * The answer is the one statement's: counts summed, the sample ordered again by the database.
 */

/** From how many leads (the filter's limit) a dry run is split, when the scope has connections to spare. */
export const SPLIT_FROM = 20_000;

/**
 * Split dry runs under way in this process. One at a time: a part holds its connection while it waits
 * for the others, so two split runs could each hold connections the other waits for once the pool is
 * short; a second dry run meanwhile runs as one statement.
 */
let splitting = 0;

/**
 * How many parts a dry run of target runs in: 1 for given lead ids, a small limit, one connection, or
 * while another split dry run is under way in this process.
 */
export function dryRunParts(scope: Pick<Scope, 'connections'>, target: Target): number {
  const n = scope.connections ?? 1;
  return 'filter' in target && n > 1 && target.limit >= SPLIT_FROM && splitting === 0 ? n : 1;
}

/** Raised in the parts that wait when another part failed: they roll back; the cause is reported. */
class OtherPartFailed extends Error {}

export async function runDryRunInParts(
  scope: Scope,
  choice: TemplateChoice,
  target: Extract<Target, { filter: unknown }>,
  of: number,
  opts: { channel?: DecidedChannel; sample?: number } = {},
): Promise<DryRunBatch> {
  splitting++;
  try {
    return await inParts(scope, choice, target, of, opts);
  } finally {
    splitting--;
  }
}

async function inParts(
  scope: Scope,
  choice: TemplateChoice,
  target: Extract<Target, { filter: unknown }>,
  of: number,
  opts: { channel?: DecidedChannel; sample?: number },
): Promise<DryRunBatch> {
  const batchId = randomUUID();
  let settle!: (allWritten: boolean) => void;
  const allWritten = new Promise<boolean>((resolve) => (settle = resolve));
  const written: Promise<DryRunPart>[] = [];
  const others: Promise<void>[] = [];
  const first = scope.tx(
    async (tx) => {
      try {
        const loaded = await loadDecisionContext(tx, scope, choice);
        const { withinLimit, zones } = await filterWithinLimitAndZones(tx, loaded.tenantId, target);
        const ctx = { ...loaded, setZones: zones };
        const { rows } = await sql<{ id: string }>`select pg_export_snapshot() as id`.execute(tx);
        for (let index = 1; index < of; index++) {
          let wrote!: (p: DryRunPart) => void;
          let failed!: (e: unknown) => void;
          const part = new Promise<DryRunPart>((res, rej) => ((wrote = res), (failed = rej)));
          part.catch(() => {}); // awaited below, after this part's own write; its failure is not unhandled
          written.push(part);
          const other = scope.tx(
            async (tx2) => {
              const part = { index, of, withinLimit };
              wrote(await writeDryRunPart(tx2, ctx, { ...target, part }, batchId, opts));
              if (!(await allWritten)) throw new OtherPartFailed('another part of the dry run failed');
            },
            { snapshot: rows[0]!.id },
          );
          other.catch(failed); // a part that could not start or write: the first part stops waiting
          others.push(other);
        }
        const mine = await writeDryRunPart(tx, ctx, { ...target, part: { index: 0, of, withinLimit } }, batchId, opts);
        const out = await summariseDryRun(tx, ctx, batchId, [mine, ...(await Promise.all(written))], opts);
        settle(true);
        return out;
      } catch (e) {
        settle(false);
        throw e;
      }
    },
    { repeatableRead: true },
  );
  // The other parts are started inside the first's transaction: all of them exist once it has ended.
  const mine = (await Promise.allSettled([first]))[0]!;
  const rest = await Promise.allSettled(others);
  const all = [mine, ...rest];
  if (mine.status === 'fulfilled' && rest.every((r) => r.status === 'fulfilled')) return mine.value;
  if (all.some((r) => r.status === 'fulfilled')) {
    // A part committed and another did not: the batch must not stay half written.
    await scope.tx((tx) => sql`delete from dry_run_log where lote_id = ${batchId}`.execute(tx));
  }
  const causes = all.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  throw causes.find((e) => !(e instanceof OtherPartFailed)) ?? causes[0];
}
