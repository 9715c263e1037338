/**
 * npm run bench:dispatch — sends/s to the sandbox WhatsApp server on PostgreSQL with 1 and 4 `worker`
 * processes and no rate limit, then the accuracy of a rate limit R/s shared by 4 workers.
 * Targets (issue 22): 4 workers ≥ 1 worker, and ≥ 0.8 × the sandbox's own call rate (its send_message
 * called through our channel client with no database, measured in the same run right before each
 * unlimited run: the floor); with R/s, no 1-second window above R and ≥ 0.95 R over the run.
 * Flags: --sends 10000 --rate 100 --rate-sends 1000 --warmup 0
 * --warmup N: each worker process first sends its share of another tenant's campaign (N × workers rows, to
 * other numbers), as the floor warms up its client and server with 200 calls before it is measured; a
 * process's first ~1,000 sends cost about twice the CPU of later ones (JIT), and with 4 workers each
 * process makes only a quarter of the sends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { sql } from 'kysely';
import { McpChannelClient } from '../src/channels/channel-client.js';
import { loadMcpConfig } from '../src/channels/config.js';
import { McpClientPool } from '../src/channels/pool.js';
import { silentLogger } from '../src/core/ports.js';
import {
  busiestWindow,
  sandboxSends,
  seedCampaign,
  statusCounts,
  writeSandboxMcpConfig,
} from '../test/helpers/dispatch-setup.js';
import { freshDb } from './lib/fresh-db.js';
import { startCluster } from '../test/helpers/pg-cluster.js';
import { asOwner } from '../test/helpers/tenant-seed.js';
import { procStat, serverCpuSampler } from './lib/proc.js';
import { readdirSync, readFileSync } from 'node:fs';
import { MAIN } from '../test/helpers/spawn.js';

const { values } = parseArgs({
  options: {
    sends: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '100' },
    'rate-sends': { type: 'string', default: '1000' },
    workers: { type: 'string', default: '1,4' },
    warmup: { type: 'string', default: '0' },
  },
});
// The floor's 256 calls in flight wait on the stdio pipe's drain: one listener each, not a leak.
EventEmitter.defaultMaxListeners = 1000;
const N = Number(values.sends);
const R = Number(values.rate);
const RN = Number(values['rate-sends']);
const WARMUP = Number(values.warmup);

const cluster = process.env.BENCH_DATABASE_URL ? null : await startCluster();
const admin = process.env.BENCH_DATABASE_URL ?? cluster!.url;

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
  const { db, url } = await freshDb(admin, `bench_${workers}_${rate ?? 'nolimit'}`);
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
  // The rows wait (not due) until every worker and its two sandbox servers have started and settled,
  // then are released together: all workers start sending at once, and no start-up work (a server's
  // start costs ~0.25 s CPU) can fall inside the measurement.
  const warm = WARMUP > 0 ? await seedWarmup(db, WARMUP * workers) : null;
  const due = await holdRows(db, campaignId);
  const children = await startWorkers(workers, env);
  const warmDeadline = Date.now() + 300_000;
  if (warm)
    while ((await openRows(db, warm)) > 0 && Date.now() < warmDeadline) await new Promise((r) => setTimeout(r, 250));
  await settled(children.map((c) => c.pid!));
  // CPU seconds per component (they do not depend on what else the machine runs): the workers, their
  // sandbox servers (children of each worker), PostgreSQL.
  const pgCpu = serverCpuSampler(await postmasterPid(db));
  const cpu0 = cpuOf(children.map((c) => c.pid!));
  await releaseRows(db, campaignId, due);
  const deadline = Date.now() + 600_000;
  // Polled cheaply (the rows still open, by the campaign index): a count by status of the whole campaign
  // every 200 ms cost PostgreSQL more CPU than some of the statements measured.
  while ((await openRows(db, campaignId)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const cpu1 = cpuOf(children.map((c) => c.pid!));
  const pgSeconds = pgCpu.stop();
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
    .filter((s) => !String(s.args.to).startsWith(WARMUP_PREFIX))
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
    cpuMsPerSend: {
      worker: (1000 * (cpu1.workers - cpu0.workers)) / sends,
      sandbox: (1000 * (cpu1.sandboxes - cpu0.sandboxes)) / sends,
      postgres: (1000 * pgSeconds) / sends,
    },
  };
}

const WARMUP_PREFIX = '+55219';

/** The warm-up campaign (--warmup): another tenant's, due now, to numbers of DDD 21 (none of the measured ones). */
async function seedWarmup(db: Awaited<ReturnType<typeof openDb>>, n: number): Promise<string> {
  const { campaignId, tenantId } = await seedCampaign(db, n, null);
  await asOwner(db.kysely, async (tx) => {
    await sql`update lead_telefones set numero_e164 = ${WARMUP_PREFIX} || substr(numero_e164, 7)
              where tenant_id = ${tenantId}`.execute(tx);
    await sql`update disparos set destino = ${WARMUP_PREFIX} || substr(destino, 7)
              where campanha_id = ${campaignId}`.execute(tx);
  });
  return campaignId;
}

/** The campaign's rows not final yet (queued or being sent). */
async function openRows(db: Awaited<ReturnType<typeof openDb>>, campaignId: string): Promise<number> {
  const { rows } = await asOwner(db.kysely, (tx) =>
    sql<{ n: number }>`select count(*)::int as n from disparos where campanha_id = ${campaignId}
                         and status in ('pendente', 'adiado', 'em_execucao')`.execute(tx),
  );
  return rows[0].n;
}

/** Makes the campaign's queued rows not due (their due time kept aside, returned). */
async function holdRows(db: Awaited<ReturnType<typeof openDb>>, campaignId: string): Promise<Date> {
  const { rows } = await asOwner(db.kysely, (tx) =>
    sql<{ due: Date }>`with held as (
        update disparos set proxima_tentativa_em = 'infinity' where campanha_id = ${campaignId}
        and status in ('pendente', 'adiado') returning proxima_tentativa_em)
      select max(d.proxima_tentativa_em) as due from disparos d where campanha_id = ${campaignId}`.execute(tx),
  );
  return rows[0].due;
}

/** Makes the held rows due again, at their original due time. */
async function releaseRows(db: Awaited<ReturnType<typeof openDb>>, campaignId: string, due: Date): Promise<void> {
  await asOwner(db.kysely, (tx) =>
    sql`update disparos set proxima_tentativa_em = ${due} where campanha_id = ${campaignId}
        and status in ('pendente', 'adiado')`.execute(tx),
  );
}

/**
 * Waits until each worker has its two channel servers (WhatsApp, e-mail) and the workers and servers
 * together have stopped using CPU for start-up (under 20 ms in half a second), at most 30 s.
 */
async function settled(pids: number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  const childCount = () => {
    const set = new Set(pids);
    let n = 0;
    for (const name of readdirSync('/proc')) if (/^\d+$/.test(name) && set.has(procStat(Number(name))?.ppid ?? -1)) n++;
    return n;
  };
  const total = () => {
    const c = cpuOf(pids);
    return c.workers + c.sandboxes;
  };
  while (childCount() < 2 * pids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  let last = total();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const now = total();
    if (now - last < 0.02) return;
    last = now;
  }
}

/** The postmaster of the database's server (the parent of our backend). */
async function postmasterPid(db: Awaited<ReturnType<typeof openDb>>): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely);
  return procStat(rows[0].pid)!.ppid;
}

/** CPU seconds of these worker processes and of their children (the sandbox servers they started). */
function cpuOf(pids: number[]): { workers: number; sandboxes: number } {
  let workers = 0;
  let sandboxes = 0;
  const set = new Set(pids);
  for (const pid of pids) workers += procStat(pid)?.cpu ?? 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (st && set.has(st.ppid)) sandboxes += st.cpu;
  }
  return { workers, sandboxes };
}

/**
 * The floor: the sandbox WhatsApp server's own call rate — its send_message called N times through our
 * channel client (the same client, pool and stdio transport a worker uses) from this process, as many
 * calls in flight as a worker allows (256), with no database at all. Calls per second.
 */
async function sandboxCallRate(calls: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sandbox-'));
  const mcp = loadMcpConfig(writeSandboxMcpConfig(dir), {});
  const pool = new McpClientPool(mcp.mcpServers, silentLogger);
  const client = new McpChannelClient(mcp, pool, silentLogger);
  const limit = pLimit(256);
  const text = 'Olá Contato, aqui é Teste. Consta em aberto o valor de R$ 100,00 com vencimento em 10/11/2026. '.repeat(
    2,
  );
  const call = (i: number) =>
    limit(() =>
      client.send('whatsapp', {
        to: `+55119${String(i).padStart(8, '0')}`,
        text,
        idempotencyKey: `piso-${i}`,
        // As a campaign's first contact goes: the approved template (outside the 24-hour window) and its values.
        template: 'cobranca_padrao_whatsapp_v2',
        templateLanguage: 'pt_BR',
        templateParams: [
          'Contato',
          'Teste',
          'Empresa',
          'R$ 100,00',
          '10/11/2026',
          '-',
          'Credor',
          '00.000.000/0001-00',
          'Rua',
          'SAIR',
        ],
      }),
    );
  try {
    await client.verify();
    await Promise.all(Array.from({ length: 200 }, (_, i) => call(-1 - i))); // warm-up
    const sandbox = sandboxPid();
    const c0 = { self: process.cpuUsage(), sandbox: procStat(sandbox)?.cpu ?? 0 };
    const t = performance.now();
    const out = await Promise.all(Array.from({ length: calls }, (_, i) => call(i)));
    const rate = calls / ((performance.now() - t) / 1000);
    const self = process.cpuUsage(c0.self);
    floorCpu.push({
      client: (self.user + self.system) / 1000 / calls,
      sandbox: (1000 * ((procStat(sandbox)?.cpu ?? 0) - c0.sandbox)) / calls,
    });
    const failed = out.filter((o) => !o.ok).length;
    const bad = out.find((o) => !o.ok);
    if (failed) throw new Error(`${failed} of ${calls} sandbox calls failed: ${JSON.stringify(bad).slice(0, 300)}`);
    return Math.round(rate);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU ms per call of the floor runs: this process (our channel client) and the sandbox server. */
const floorCpu: Array<{ client: number; sandbox: number }> = [];

/** The sandbox server this process started (its only child node process). */
function sandboxPid(): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || procStat(Number(name))?.ppid !== process.pid) continue;
    if (/whatsapp-server/.test(readFileSync(`/proc/${name}/cmdline`, 'utf8'))) return Number(name);
  }
  return -1;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const results = [];
const floors: number[] = [];
for (const workers of values.workers!.split(',').map(Number)) {
  floors.push(await sandboxCallRate(N));
  results.push({ ...(await run(workers, N, null)), floor: floors[floors.length - 1], load: load() });
}
if (RN > 0) results.push({ ...(await run(4, RN, R)), floor: null, load: load() });
cluster?.stop();

console.log(`\n## Dispatch to the sandbox WhatsApp server (PostgreSQL 15, worker processes)\n`);
console.log(
  '| workers | rate limit | sends | received by sandbox | sends/s | floor: sandbox calls/s (same run) | ratio | ' +
    'busiest 1 s window sent | as received | load average |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.workers} | ${r.rate ? `${r.rate}/s` : 'none'} | ${r.sends} | ${r.received} | ${r.perSecond.toLocaleString('en')} | ` +
      `${r.floor ? r.floor.toLocaleString('en') : '-'} | ${r.floor ? (r.perSecond / r.floor).toFixed(2) : '-'} | ` +
      `${r.busiestWindow} | ${r.busiestReceived} | ${r.load} |`,
  );
}
console.log('\nCPU ms per send (worker processes / their sandbox servers / PostgreSQL):');
for (const r of results)
  console.log(
    `  ${r.workers} worker(s)${r.rate ? ` at ${r.rate}/s` : ''}: ${r.cpuMsPerSend.worker.toFixed(3)} / ` +
      `${r.cpuMsPerSend.sandbox.toFixed(3)} / ${r.cpuMsPerSend.postgres.toFixed(3)}`,
  );
for (const f of floorCpu)
  console.log(`  floor (per call): our channel client ${f.client.toFixed(3)} / sandbox ${f.sandbox.toFixed(3)}`);
const one = results.find((r) => r.workers === 1 && !r.rate);
const four = results.find((r) => r.workers === 4 && !r.rate);
if (one && four)
  console.log(
    `\n4 workers / 1 worker: ${(four.perSecond / one.perSecond).toFixed(2)} (target ≥ 1); ` +
      `4 workers / sandbox floor: ${(four.perSecond / four.floor!).toFixed(2)} (target ≥ 0.8).`,
  );
const limited = results.find((r) => r.rate);
if (limited)
  console.log(
    `\nRate ${R}/s: busiest window of sends ${limited.busiestWindow} (must be ≤ ${R}), ` +
      `overall ${limited.perSecond}/s (must be ≥ ${Math.ceil(0.95 * R)}).`,
  );
