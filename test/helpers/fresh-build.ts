import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist', 'main.js');
const LOCK = join(ROOT, '.tmp', 'build.lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const builtAt = () => {
  try {
    return statSync(MAIN).mtimeMs;
  } catch {
    return 0;
  }
};

/**
 * Tests spawn `dist/` (the server, the sandbox servers): a `vitest run` after editing src without a
 * build would test the old code silently. Rebuilds when any file under src/ is newer than
 * dist/main.js (one build at a time across the projects' global setups).
 */
export function ensureFreshBuild(): void {
  if (newestMtime(join(ROOT, 'src')) <= builtAt()) return;
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  for (let i = 0; ; i++) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (i > 600) throw new Error(`${LOCK} held for 2 minutes; remove it if no build is running`);
      execFileSync('sleep', ['0.2']);
    }
  }
  try {
    if (newestMtime(join(ROOT, 'src')) <= builtAt()) return;
    process.stderr.write('dist/ is older than src/: building (npm run build)\n');
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  } finally {
    rmdirSync(LOCK);
  }
}
