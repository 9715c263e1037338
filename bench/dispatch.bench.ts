/**
 * npm run bench:dispatch — sends/s to the sandbox WhatsApp server on PostgreSQL with 1 and 4 `worker`
 * processes and no rate limit, then the accuracy of a rate limit R/s shared by 4 workers.
 * Targets (DESIGN.md §8): ≥ 2,000 sends/s with 4 workers; with R/s, no 1-second window above R and
 * ≥ 0.95 R over the run.  Flags: --sends 10000 --rate 100 --rate-sends 1000
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDb } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import {
  busiestWindow,
  sandboxSends,
  seedCampaign,
  statusCounts,
  writeSandboxMcpConfig,
} from '../test/helpers/dispatch-setup.js';
import { startCluster } from '../test/helpers/pg-cluster.js';
import { MAIN } from '../test/helpers/spawn.js';

const { values } = parseArgs({
  options: {
    sends: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '100' },
    'rate-sends': { type: 'string', default: '1000' },
  },
});
const N = Number(values.sends);
const R = Number(values.rate);
const RN = Number(values['rate-sends']);

const cluster = process.env.BENCH_DATABASE_URL ? null : await startCluster();
const admin = process.env.BENCH_DATABASE_URL ?? cluster!.url;

async function freshDb(name: string) {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`drop database if exists ${name}`);
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: u.toString() });
  await migrate(db);
  return { db, url: u.toString() };
}

function startWorkers(n: number, env: NodeJS.ProcessEnv): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ChildProcess>((resolve, reject) => {
          const child = spawn(process.execPath, [MAIN, 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          child.stderr!.on('data', (d) => {
            err += d;
            if (/executing disparos/.test(err)) resolve(child);
          });
          child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
        }),
    ),
  );
}

async function run(workers: number, sends: number, rate: number | null) {
  const { db, url } = await freshDb(`bench_${workers}_${rate ?? 'nolimit'}`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-dispatch-'));
  const { campaignId } = await seedCampaign(db, sends, rate);
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: url,
    MICRO_AGENT_DISPARO_ENABLED: 'true',
    AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dir),
    AGENTE_LOG_LEVEL: 'error',
  };
  const children = await startWorkers(workers, env);
  const deadline = Date.now() + 600_000;
  for (;;) {
    const c = await statusCounts(db, campaignId);
    if ((c.enviado ?? 0) + (c.falhou ?? 0) + (c.incerto ?? 0) + (c.bloqueado ?? 0) >= sends || Date.now() > deadline)
      break;
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const c of children) c.kill('SIGTERM');
  const counts = await statusCounts(db, campaignId);
  // Our send times (disparos.enviado_em: when each downstream call was made) and the downstream's
  // receive times (which add its own scheduling jitter).
  const sent = (
    await db.kysely
      .selectFrom('disparos')
      .select('enviado_em')
      .where('campanha_id', '=', campaignId)
      .where('status', '=', 'enviado')
      .execute()
  )
    .map((r) => new Date(r.enviado_em as Date).getTime())
    .sort((a, b) => a - b);
  const times = sandboxSends(dir)
    .map((s) => Date.parse(s.ts))
    .sort((a, b) => a - b);
  const span = (sent[sent.length - 1] - sent[0]) / 1000;
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    workers,
    rate,
    sends,
    received: times.length,
    enviado: counts.enviado ?? 0,
    perSecond: Math.round((sent.length - 1) / span),
    busiestWindow: busiestWindow(sent),
    busiestReceived: busiestWindow(times),
  };
}

const results = [];
results.push(await run(1, N, null));
results.push(await run(4, N, null));
results.push(await run(4, RN, R));
cluster?.stop();

console.log(`\n## Dispatch to the sandbox WhatsApp server (PostgreSQL 15, worker processes)\n`);
console.log('| workers | rate limit | sends | received by sandbox | sends/s | busiest 1 s window sent | as received |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.workers} | ${r.rate ? `${r.rate}/s` : 'none'} | ${r.sends} | ${r.received} | ${r.perSecond.toLocaleString('en')} | ${r.busiestWindow} | ${r.busiestReceived} |`,
  );
}
const limited = results[2];
console.log(
  `\nRate ${R}/s: busiest window of sends ${limited.busiestWindow} (must be ≤ ${R}), overall ${limited.perSecond}/s (must be ≥ ${Math.ceil(0.95 * R)}).`,
);
