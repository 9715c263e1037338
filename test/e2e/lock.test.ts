import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runMain, startMain, stop, tempDir } from '../helpers/spawn.js';

describe('PGlite data directory lock', () => {
  it('refuses a second process at once, naming the directory and the holder, and loses nothing', async () => {
    const dataDir = tempDir('lock-');
    const env = cleanEnv({ AGENTE_DATA_DIR: dataDir });
    const created = await runMain(['token', 'create', '--tenant', 'acme'], env);
    expect(created.code).toBe(0);

    const server = await startMain(['serve', '--http', '--port', '0'], env, /listening on (\S+)/);
    const second = await runMain(['token', 'create', '--tenant', 'acme'], env);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(dataDir);
    expect(second.stderr).toContain(`process ${server.child.pid}`);
    await stop(server.child);

    // After the holder stopped, the data written before is all there and the lock is free.
    const third = await runMain(['token', 'create', '--tenant', 'acme'], env);
    expect(third.code).toBe(0);
    const dump = await runMain(['token', 'revoke', created.stdout.trim().slice(0, 12)], env);
    expect(dump.code).toBe(0);
  });

  it('recovers a stale lock left by a dead process', async () => {
    const dataDir = tempDir('stale-');
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = await new Promise<number>((r) => dead.on('exit', () => r(dead.pid!)));
    const { hostname } = await import('node:os');
    writeFileSync(
      join(dataDir, 'agente.lock'),
      JSON.stringify({ pid, host: hostname(), started_at: new Date().toISOString() }),
    );
    const res = await runMain(['migrate'], cleanEnv({ AGENTE_DATA_DIR: dataDir }));
    expect(res.stderr).toMatch(/9 migration\(s\) applied|migration\(s\) applied/);
    expect(res.code).toBe(0);
  });
});
