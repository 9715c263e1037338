/**
 * Summarises V8 CPU profiles (.cpuprofile, as written by `node --cpu-prof`): the functions with the most
 * self time, the functions with the most total time (self + callees, a recursive frame counted once per
 * sample), and self time by file and by package. Used with the benches' server flags, e.g.
 *   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:http -- --tools get_status
 *   npx tsx bench/lib/cpu-profile-summary.ts /tmp/prof            (every .cpuprofile in it, summed)
 * Flags: --top 25 (rows per table), --filter TEXT (only samples whose stack has a frame matching TEXT,
 * e.g. a function name, to see where one request path spends its time), --callers TEXT (also: the
 * stacks leading to the frames matching TEXT, three callers deep, by time), --after-ms N (skip each
 * profile's first N ms, e.g. the server's start-up).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface Row {
  key: string;
  ms: number;
}
export interface Summary {
  totalMs: number;
  /** Time in frames V8 names (program), (idle), (garbage collector). */
  special: Row[];
  selfByFunction: Row[];
  totalByFunction: Row[];
  selfByFile: Row[];
  selfByPackage: Row[];
  /** With `callers`: the three frames above the first frame matching it, by time. */
  callers: Row[];
}

const SPECIAL = new Set(['(program)', '(idle)', '(garbage collector)', '(root)']);

/** A short file name: node_modules/<package>/…, src/…, node:internal…, or the URL's last parts. */
export function shortFile(url: string): string {
  if (!url) return '(native)';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + 1);
  for (const dir of ['/src/', '/dist/', '/bench/', '/test/']) {
    const i = u.lastIndexOf(dir);
    if (i >= 0) return u.slice(i + 1);
  }
  return u;
}

/** The package a file belongs to: node_modules/@scope/name → @scope/name, node:… → node, else our code. */
export function packageOf(url: string): string {
  const f = shortFile(url);
  if (f.startsWith('node_modules/')) {
    const parts = f.slice('node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (f.startsWith('node:') || f === '(native)') return f === '(native)' ? '(native)' : 'node';
  return f.split('/')[0];
}

function frameKey(f: CallFrame): string {
  return `${f.functionName || '(anonymous)'}  ${shortFile(f.url)}:${f.lineNumber + 1}`;
}

/** Sums one or more profiles; `filter` keeps only samples with a frame whose key contains it. */
export function summarise(
  profiles: CpuProfile[],
  opts: { filter?: string; callers?: string; afterMs?: number } = {},
): Summary {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byPkg = new Map<string, number>();
  const special = new Map<string, number>();
  const callers = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, ms: number) => m.set(k, (m.get(k) ?? 0) + ms);
  let totalMs = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // Each node's stack of frame keys (root first), computed once per node.
    const stacks = new Map<number, string[]>();
    const stackOf = (id: number): string[] => {
      let s = stacks.get(id);
      if (s) return s;
      const n = byId.get(id)!;
      const up = parent.get(id);
      s = [...(up === undefined ? [] : stackOf(up)), frameKey(n.callFrame)];
      stacks.set(id, s);
      return s;
    };
    const samples = p.samples ?? [];
    const deltas = p.timeDeltas ?? [];
    let at = 0;
    for (let i = 0; i < samples.length; i++) {
      // timeDeltas[i] is the time before sample i; the time a sample stands for is the next delta.
      at += (deltas[i] ?? 0) / 1000;
      const ms = (deltas[i + 1] ?? 0) / 1000;
      if (opts.afterMs && at < opts.afterMs) continue;
      const node = byId.get(samples[i]);
      if (!node) continue;
      const stack = stackOf(node.id);
      if (opts.filter && !stack.some((k) => k.includes(opts.filter!))) continue;
      totalMs += ms;
      const name = node.callFrame.functionName;
      if (SPECIAL.has(name)) {
        add(special, name, ms);
        continue;
      }
      add(self, frameKey(node.callFrame), ms);
      add(byFile, shortFile(node.callFrame.url), ms);
      add(byPkg, packageOf(node.callFrame.url), ms);
      for (const k of new Set(stack)) if (!k.startsWith('(root)')) add(total, k, ms);
      if (opts.callers) {
        const at = stack.findIndex((k) => k.includes(opts.callers!));
        if (at >= 0) add(callers, stack.slice(Math.max(0, at - 3), at + 1).join('\n      ← '), ms);
      }
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m].map(([key, ms]) => ({ key, ms })).sort((a, b) => b.ms - a.ms || a.key.localeCompare(b.key));
  return {
    totalMs,
    special: rows(special),
    selfByFunction: rows(self),
    totalByFunction: rows(total),
    selfByFile: rows(byFile),
    selfByPackage: rows(byPkg),
    callers: rows(callers).map((r) => ({ ...r, key: r.key.split('\n      ← ').reverse().join('\n      ← ') })),
  };
}

/** The summary as text tables, `top` rows each, with each row's share of all sampled time. */
export function formatSummary(s: Summary, top = 25): string {
  const pct = (ms: number) => (s.totalMs ? ((100 * ms) / s.totalMs).toFixed(1) : '0.0').padStart(5);
  const table = (title: string, rows: Row[]) =>
    [
      `\n## ${title}`,
      ...rows.slice(0, top).map((r) => `${r.ms.toFixed(0).padStart(8)} ms ${pct(r.ms)}%  ${r.key}`),
    ].join('\n');
  return [
    `sampled ${s.totalMs.toFixed(0)} ms; ` + s.special.map((r) => `${r.key} ${pct(r.ms).trim()}%`).join(', '),
    table('self time by function', s.selfByFunction),
    table('total time by function (self + callees)', s.totalByFunction),
    table('self time by file', s.selfByFile),
    table('self time by package', s.selfByPackage),
    ...(s.callers.length ? [table('callers of the matching frame (it first, then its callers)', s.callers)] : []),
  ].join('\n');
}

/** The .cpuprofile files named: files as given, directories for every .cpuprofile in them. */
export function profileFiles(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.cpuprofile'))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      filter: { type: 'string' },
      callers: { type: 'string' },
      'after-ms': { type: 'string', default: '0' },
    },
  });
  const files = profileFiles(positionals);
  if (!files.length) {
    console.error('usage: tsx bench/lib/cpu-profile-summary.ts [--top N] [--filter TEXT] DIR|FILE.cpuprofile…');
    process.exit(2);
  }
  const profiles = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile);
  console.log(`${files.length} profile(s): ${files.join(', ')}`);
  console.log(
    formatSummary(
      summarise(profiles, { filter: values.filter, callers: values.callers, afterMs: Number(values['after-ms']) }),
      Number(values.top),
    ),
  );
}
