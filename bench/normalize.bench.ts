/**
 * Normalisation benchmark: CPU time of header detection + mapRow + normalizeRow alone, the part of
 * `ingest_leads` that is neither reading the file nor writing the database.
 *
 *   npm run bench:normalize                          100k plain + 100k messy rows, best of 5
 *   npm run bench:normalize -- --rows 20000 --repeat 3 --files-dir /work/benchfiles
 *   npm run bench:normalize -- --hash                also prints a SHA-256 of every output (to check
 *                                                    that an optimisation changed nothing)
 *
 * Runs compiled by tsc under plain node (bench/tsconfig.normalize.json), as dist/ runs, not under tsx.
 * The XLSX files come from scripts/make-sample-leads.ts (plain: `--plain`; messy: the default) and are
 * read once into memory with readRows, so only normalisation is timed. CPU time (process.cpuUsage,
 * user + system) rather than wall time, because the machine is shared: the best repeat counts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { detectHeader, mapRow, type SheetRow } from '../src/core/ingest/columns.js';
import { normalizeRow } from '../src/core/ingest/normalize-row.js';
import { readRows } from '../src/files/spreadsheet.js';
import { writePlainLeads, writeSampleLeads } from '../scripts/make-sample-leads.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    repeat: { type: 'string', default: '5' },
    kinds: { type: 'string', default: 'plain,messy' },
    'files-dir': { type: 'string' },
    hash: { type: 'boolean', default: false },
  },
});
const rows = Number(args.rows.replace(/_/g, ''));
const repeat = Math.max(1, Number(args.repeat) || 1);
const kinds = args.kinds.split(',') as Array<'plain' | 'messy'>;
const filesDir = resolve(args['files-dir'] ?? join(tmpdir(), 'bench-normalize'));

function log(msg: string) {
  process.stderr.write(`[bench:normalize ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** The sample XLSX of that kind and size, generated once and kept in filesDir. */
async function sampleFile(kind: 'plain' | 'messy'): Promise<string> {
  mkdirSync(filesDir, { recursive: true });
  const path = join(filesDir, kind === 'plain' ? `plain-leads-${rows}.xlsx` : `messy-leads-${rows}.xlsx`);
  if (existsSync(path)) return path;
  log(`generating ${path}`);
  const partial = `${path}.partial.xlsx`;
  if (kind === 'plain') await writePlainLeads(partial, { rows });
  else await writeSampleLeads(partial, { rows });
  renameSync(partial, path);
  return path;
}

async function load(path: string): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const row of readRows({ path, filename: path })) out.push(row);
  return out;
}

/** What the pipeline does per row before grouping: detect the header, map, normalise. */
function normalizeAll(sheetRows: SheetRow[], onOutput?: (o: unknown) => void): number {
  const mapping = detectHeader(sheetRows.slice(0, 30));
  if (!mapping) throw new Error('no header found');
  let leads = 0;
  for (const row of sheetRows) {
    const raw = mapRow(mapping, row);
    if (!raw) continue;
    const outcome = normalizeRow(raw);
    if (outcome.row) leads++;
    onOutput?.(outcome);
  }
  return leads;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const results: Array<{ kind: string; rows: number; leads: number; runs: number[]; hash?: string }> = [];
for (const kind of kinds) {
  const path = await sampleFile(kind);
  const sheetRows = await load(path);
  log(`${kind}: ${sheetRows.length} rows in memory`);
  const runs: number[] = [];
  let leads = 0;
  for (let r = 0; r < repeat; r++) {
    const start = cpuMs();
    leads = normalizeAll(sheetRows);
    runs.push(cpuMs() - start);
  }
  let hash: string | undefined;
  if (args.hash) {
    const h = createHash('sha256');
    normalizeAll(sheetRows, (o) => h.update(JSON.stringify(o)).update('\n'));
    hash = h.digest('hex');
  }
  results.push({ kind, rows: sheetRows.length, leads, runs, hash });
}

console.log(`\n## Normalisation: detectHeader + mapRow + normalizeRow, CPU time, best of ${repeat}\n`);
console.log(
  `| sample | rows | leads | best CPU ms | rows/s (CPU) | all runs ms |${args.hash ? ' output SHA-256 |' : ''}`,
);
console.log(`|---|---|---|---|---|---|${args.hash ? '---|' : ''}`);
for (const r of results) {
  const best = Math.min(...r.runs);
  console.log(
    `| ${r.kind} | ${r.rows.toLocaleString('en')} | ${r.leads.toLocaleString('en')} | ${best.toFixed(0)} | ` +
      `${Math.round((r.rows / best) * 1000).toLocaleString('en')} | ${r.runs.map((x) => x.toFixed(0)).join(', ')} |` +
      (r.hash ? ` ${r.hash} |` : ''),
  );
}
