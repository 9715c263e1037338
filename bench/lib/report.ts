/** Markdown tables for bench/ingest.bench.ts. */
import type { Result } from './ingest-child.js';

export interface CaseResult {
  db: 'postgres' | 'pglite';
  rows: number;
  fileMb: number;
  read: Result;
  copy: Result;
  /** COPY of the pipeline's final rows into the real tables (baseline-final). */
  final: Result;
  pipeline: Result;
  readOurs?: Result;
  validate?: Result;
  readPlusCopy: number;
  /** pipeline / (read + COPY into a plain table). */
  ratio: number;
  readPlusFinal: number;
  /** pipeline / (read + COPY of the pipeline's final rows into the real tables). */
  ratioFinal: number;
  rowsPerSecond: number;
  leadsCreated: number;
  expectedLeads: number;
  checks: string[];
}

/** Issue #22: pipeline ≤ 1.2 × (read + COPY of the final rows) on PostgreSQL, ≤ 1.3 × on PGlite; peak RSS ≤ 300 MB. */
export const TARGET = { ratioFinal: { postgres: 1.2, pglite: 1.3 }, rssMb: 300 };

const fmt = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));
const int = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const x = (r: Result | undefined, k: string) => r?.extra?.[k] as number | undefined;

export function mainTable(cases: CaseResult[]): string {
  const lines = [
    '| db | rows | file MB | read s | COPY plain s | read+COPY plain s | COPY final rows s | read+COPY final s (floor) | pipeline s | ratio (plain) | ratio to floor (final rows) | pipeline rows/s | pipeline peak RSS MB | leads created / expected | load avg (1 min) at read / COPY final / pipeline start | CPU s of other processes during read / COPY plain / COPY final / pipeline | checks |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const c of cases) {
    const target = TARGET.ratioFinal[c.db];
    const mark = c.ratioFinal > target ? ` ✗ (≤ ${target})` : ` ✓ (≤ ${target})`;
    const rssMark = c.pipeline.peakRssMb > TARGET.rssMb ? ' ✗' : ' ✓';
    lines.push(
      `| ${c.db} | ${int(c.rows)} | ${fmt(c.fileMb, 1)} | ${fmt(c.read.seconds)} | ${fmt(c.copy.seconds)} | ${fmt(c.readPlusCopy)} | ` +
        `${fmt(c.final.seconds)} | ${fmt(c.readPlusFinal)} | ${fmt(c.pipeline.seconds)} | ${fmt(c.ratio)} | ${fmt(c.ratioFinal)}${mark} | ` +
        `${int(c.rowsPerSecond)} | ${c.pipeline.peakRssMb}${rssMark} | ${int(c.leadsCreated)} / ${int(c.expectedLeads)} | ` +
        `${[c.read, c.final, c.pipeline].map((r) => fmt(r.load1, 1)).join(' / ')} | ` +
        `${[c.read, c.copy, c.final, c.pipeline].map((r) => fmt(r.otherCpuSeconds, 1)).join(' / ')} | ${c.checks.length ? c.checks.join('; ') : 'ok'} |`,
    );
  }
  return lines.join('\n');
}

/** Where the pipeline's time and memory go (each column from its own child process). */
export function breakdownTable(cases: CaseResult[]): string {
  const lines = [
    '| db | rows | exceljs read s (RSS MB) | our readRows s (RSS MB) | read+normalise s, validate_only (RSS MB) | pipeline s | waiting on reader s | DB: COPY s | DB: lookups+updates+job s | after the chunks: ANALYZE s / shared-destination check s | DB busy % of pipeline | DB ms/chunk, first 5 → last 5 | RSS MB at 25/50/75/100% of run (heap used) | staging heap MB at end | node CPU s | PG server CPU s | node event-loop busy | COPY plain s (server CPU s) | COPY final rows s (server CPU s), rows per table |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of cases) {
    const p = c.pipeline;
    const stage = x(p, 'stageSeconds') ?? 0;
    const merge = x(p, 'mergeSeconds') ?? 0;
    lines.push(
      `| ${c.db} | ${int(c.rows)} | ${fmt(c.read.seconds)} (${c.read.peakRssMb}) | ${fmt(c.readOurs?.seconds)} (${c.readOurs?.peakRssMb ?? '–'}) | ` +
        `${fmt(c.validate?.seconds)} (${c.validate?.peakRssMb ?? '–'}) | ${fmt(p.seconds)} | ${fmt(x(p, 'readerSeconds'))} | ${fmt(stage)} | ${fmt(merge)} | ${fmt(x(p, 'analyzeSeconds'))} / ${fmt(x(p, 'sharedSeconds'))} | ` +
        `${fmt(((stage + merge) / p.seconds) * 100, 0)}% | ${chunkTrend(p)} | ${memoryTrend(p)} | ${(p.extra?.db as { stagingHeapMb?: number })?.stagingHeapMb ?? '–'} | ${fmt(p.nodeCpuSeconds)} | ${fmt(p.serverCpuSeconds)} | ${fmt(p.elu * 100, 0)}% | ` +
        `${fmt(c.copy.seconds)} (${fmt(c.copy.serverCpuSeconds)}) | ${fmt(c.final.seconds)} (${fmt(c.final.serverCpuSeconds)}), ${finalTables(c.final)} |`,
    );
  }
  return lines.join('\n');
}

function finalTables(r: Result): string {
  const ts = (r.extra?.tables ?? []) as Array<{ table: string; rows: number }>;
  return ts.map((t) => `${t.table} ${int(t.rows)}`).join(', ') || '–';
}

function memoryTrend(p: Result): string {
  const m = (p.extra?.memory ?? []) as number[][];
  if (m.length < 4) return '–';
  const at = (f: number) => m[Math.min(m.length - 1, Math.floor(f * m.length))];
  return [0.25, 0.5, 0.75, 1].map((f) => `${at(f)[0]} (${at(f)[1]})`).join(' / ');
}

function chunkTrend(p: Result): string {
  const ms = (p.extra?.chunkDbMs ?? []) as number[];
  if (ms.length < 2) return '–';
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${Math.round(avg(ms.slice(0, 5)))} → ${Math.round(avg(ms.slice(-5)))}`;
}

/** The slowest statements of each pipeline run (client-side wall time, summed over chunks). */
export function queryTables(cases: CaseResult[], top = 8): string {
  const out: string[] = [];
  for (const c of cases) {
    const qs = (c.pipeline.extra?.queries ?? []) as Array<{ sql: string; calls: number; seconds: number }>;
    out.push(
      `\n${c.db}, ${int(c.rows)} rows — slowest statements (client wall s, summed; a statement sent right after a COPY also waits for that table's move, which runs in the server meanwhile — see db/copy-tx.ts):\n`,
    );
    out.push('| statement | calls | s | % of pipeline |', '|---|---:|---:|---:|');
    for (const q of qs.slice(0, top)) {
      out.push(
        `| \`${q.sql.slice(0, 90).replace(/\|/g, '\\|')}\` | ${q.calls} | ${fmt(q.seconds)} | ${fmt((q.seconds / c.pipeline.seconds) * 100, 0)}% |`,
      );
    }
  }
  return out.join('\n');
}

/** Measurements during which other processes used more than 10% of one core: their times are suspect. */
export function noiseWarning(cases: CaseResult[]): string {
  const noisy = cases.flatMap((c) =>
    [c.read, c.copy, c.final, c.pipeline, c.readOurs, c.validate]
      .filter((r): r is Result => !!r && r.otherCpuSeconds > Math.max(0.2, 0.1 * r.seconds))
      .map(
        (r) =>
          `${c.db} ${int(c.rows)} ${r.mode} (${fmt(r.otherCpuSeconds, 1)} CPU s of others in ${fmt(r.seconds, 1)} s)`,
      ),
  );
  return noisy.length
    ? `⚠ Other processes were busy during: ${noisy.join('; ')}. Re-run on a quiet machine for exact figures.`
    : 'Machine quiet during all measurements (other processes < 10% of a core).';
}
