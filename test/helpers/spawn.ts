import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const MAIN = join(ROOT, 'dist', 'main.js');

/** A fresh directory under the checkout's .tmp (made if missing: a single e2e file may run first). */
export const tempDir = (prefix: string) => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  return mkdtempSync(join(ROOT, '.tmp', prefix));
};

/** The environment for a spawned server: nothing from the developer's shell that changes behaviour. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, AGENTE_LOG_LEVEL: 'warn' };
  // libfaketime, when the suite is run at a chosen time (a Sunday, a night): the children keep that clock.
  for (const k of ['LD_PRELOAD', 'FAKETIME'] as const) if (process.env[k]) env[k] = process.env[k];
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/main.js ...args` to completion. */
export function runMain(args: string[], env: NodeJS.ProcessEnv, opts: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, cwd: ROOT, ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** Starts a long-running main.js process and resolves once stderr matches `ready`. */
export function startMain(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray; stderr: () => string }> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`not ready after 60 s; stderr:\n${stderr}`)), 60_000);
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = stderr.match(ready);
      if (m) {
        clearTimeout(timer);
        resolveStart({ child, match: m, stderr: () => stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready; stderr:\n${stderr}`));
    });
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
  });
}
