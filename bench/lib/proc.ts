/** Process helpers for the benchmarks: peak RSS, CPU of other processes, one measurement per child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULT_TAG = 'BENCH_RESULT ';
const CLK_TCK = 100; // USER_HZ on Linux

/** This process's peak resident set (VmHWM), in MB. */
export function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** user + system CPU seconds of a process, and its parent pid; null when it is gone. */
export function procStat(pid: number): { cpu: number; ppid: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK };
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has been busy (all cores; /proc/stat minus idle and iowait). */
export function systemBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}

/**
 * CPU used by a PostgreSQL server while a measurement runs: every child of the postmaster (backends,
 * autovacuum, WAL writer...) sampled every 200 ms. Long-lived processes count from start(); a backend
 * that exits between samples loses at most its last 200 ms (idle backends exit after 10 s idle anyway).
 */
export function serverCpuSampler(postmasterPid: number) {
  const base = new Map<number, number>();
  const last = new Map<number, number>();
  const children = () => {
    const out: Array<[number, number]> = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const st = procStat(Number(name));
      if (st && st.ppid === postmasterPid) out.push([Number(name), st.cpu]);
    }
    return out;
  };
  const sample = () => children().forEach(([pid, cpu]) => last.set(pid, cpu));
  for (const [pid, cpu] of children()) base.set(pid, cpu);
  const timer = setInterval(sample, 200);
  timer.unref();
  return {
    /** Server CPU seconds since the sampler started. */
    stop(): number {
      clearInterval(timer);
      sample();
      let total = 0;
      for (const [pid, cpu] of last) total += cpu - (base.get(pid) ?? 0);
      return Math.round(total * 100) / 100;
    },
  };
}

/** Prints the child's result where runChild finds it (stdout carries nothing else of ours). */
export function emitResult(result: object): void {
  process.stdout.write(`\n${RESULT_TAG}${JSON.stringify(result)}\n`);
}

/** Children still running, so an interrupted bench can kill them (by pid). */
export const runningChildren = new Set<ChildProcess>();

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The child compiled by buildChild() (tsc -p bench/tsconfig.json → bench/out/build). */
const CHILD = join(BENCH_DIR, 'out/build/bench/lib/ingest-child.js');

/** Type-checks and compiles the benches with src/ (plain node then runs the children, like dist/). */
export async function buildChild(): Promise<void> {
  rmSync(join(BENCH_DIR, 'out/build'), { recursive: true, force: true });
  const tsc = join(BENCH_DIR, '../node_modules/typescript/bin/tsc');
  await runCommand(process.execPath, [tsc, '-p', join(BENCH_DIR, 'tsconfig.json')], 300_000);
}

/**
 * Runs one measurement in a fresh Node process (plain node, compiled JS), killed after timeoutMs.
 * The child's stderr is passed through (progress); its result is the tagged JSON line on stdout.
 */
export function runChild<T>(spec: object, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    runningChildren.add(child);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`measurement ${JSON.stringify(spec)} timed out after ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      runningChildren.delete(child);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_TAG));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT_TAG.length)) as T);
      else reject(new Error(`measurement child exited with ${signal ?? code}: ${out.slice(-2000)}`));
    });
  });
}

/** Runs a command (e.g. the sample generator) with a time limit; resolves when it exits with 0. */
export function runCommand(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    runningChildren.add(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      runningChildren.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });
}
