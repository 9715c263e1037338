/** npm run bench — every benchmark in turn (each prints its own Markdown table). */
import { spawnSync } from 'node:child_process';

for (const b of ['ingest', 'dry-run', 'dispatch', 'stdio']) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${b}.bench.ts`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
