/**
 * npm run bench:inbound — provider webhooks into the inbound store, on PostgreSQL:
 * 1. accepted per second: C concurrent keep-alive clients POST WhatsApp Cloud API message webhooks
 *    (each a new message from its own sender, signed X-Hub-Signature-256) to the built
 *    `serve --webhooks-only` for S seconds; every answer must be 200. The floor, in the same run with
 *    the same client: a bare node:http server that reads the body and answers 200.
 *    Target (issue #15): ≥ 2,000 events/s with p99 ≤ 50 ms. Then the time to process the backlog.
 * 2. opt-out → destination suppressed: a signed "SAIR" from a lead's phone, timed from the request to
 *    the phone's row in `supressoes` (polled every 2 ms), N times, server idle. Target ≤ 1 s. Printed
 *    next to the time of the 200 answer itself and of the bare server's round trip.
 * Flags: --seconds 5 --clients 50 --optouts 20
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDb } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { ensureTenant, withTenant } from '../src/db/tenant.js';
import { createEndpoint } from '../src/http/webhooks/endpoints.js';
import { startCluster } from '../test/helpers/pg-cluster.js';
import { MAIN } from '../test/helpers/spawn.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '50' },
    optouts: { type: 'string', default: '20' },
    // Hold processing back while the load runs (AGENTE_INBOUND_DELAY_MS): accepting alone.
    'defer-processing': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const C = Number(values.clients);
const DEFER = !!values['defer-processing'];
// With processing held back the opt-out timing would measure the hold: not taken then.
const N_OPTOUT = DEFER ? 0 : Number(values.optouts);
const SECRET = 'bench-app-secret';

const cluster = process.env.BENCH_DATABASE_URL ? null : await startCluster();
const admin = process.env.BENCH_DATABASE_URL ?? cluster!.url;
const children: ChildProcess[] = [];

const body = (from: string, id: string, text: string) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Cliente' }, wa_id: from }],
              messages: [
                { from, id, timestamp: String(Math.floor(Date.now() / 1000)), text: { body: text }, type: 'text' },
              ],
            },
            field: 'messages',
          },
        ],
      },
    ],
  });
const sign = (b: string) => `sha256=${createHmac('sha256', SECRET).update(b).digest('hex')}`;

function post(agent: Agent, url: URL, b: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(b),
          'x-hub-signature-256': sign(b),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(b);
  });
}

/** C clients posting for `seconds`; every answer must be 200. */
async function load(url: URL, seconds: number, tag: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: C });
  const lat: number[] = [];
  let bad = 0;
  let seq = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async (_, c) => {
      while (performance.now() < end) {
        const n = seq++;
        // Distinct senders (unknown to the tenant): each event is a new message.
        const from = `55119${String(10_000_000 + ((c * 1_000_003 + n) % 89_999_999)).padStart(8, '0')}`;
        const b = body(from, `wamid.${tag}.${n}`, 'Olá, quero saber mais');
        const t = performance.now();
        const status = await post(agent, url, b);
        lat.push(performance.now() - t);
        if (status !== 200) bad++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))];
  return { n: lat.length, bad, perSecond: lat.length / elapsed, p50: p(0.5), p99: p(0.99) };
}

function startChild(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<string> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      const m = ready.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

const BARE = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.writeHead(200, {'content-type': 'application/json'}).end('{"ok":true}')); })
  .listen(0, '127.0.0.1', function () { process.stderr.write('bare http://127.0.0.1:' + this.address().port + '\\n'); });`;

try {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query('drop database if exists bench_inbound');
  await c.query('create database bench_inbound');
  await c.end();
  const u = new URL(admin);
  u.pathname = '/bench_inbound';
  const db = await openDb({ databaseUrl: u.toString() });
  await migrate(db);
  await db.useAppRole();
  const tenant = await ensureTenant(db.kysely, 'bench');
  const ep = await createEndpoint(db.kysely, {
    tenantSlug: 'bench',
    provider: 'whatsapp_cloud',
    secret: SECRET,
    verifyToken: 'v',
  });
  const phones = Array.from({ length: N_OPTOUT }, (_, i) => `+55219876${String(50000 + i)}`);
  await withTenant(db.kysely, tenant.tenant_id, async (tx) => {
    for (const [i, phone] of phones.entries()) {
      const { lead_id } = await tx
        .insertInto('leads')
        .values({
          tenant_id: tenant.tenant_id,
          nome: `Lead ${i}`,
          nome_chave: `lead ${i}`,
          timezone: 'America/Sao_Paulo',
          origem: '[]',
          dados_extras: '{}',
        })
        .returning('lead_id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('lead_telefones')
        .values({
          tenant_id: tenant.tenant_id,
          lead_id,
          numero_original: phone,
          numero_e164: phone,
          tipo: 'movel',
          valido_para_disparo: true,
        } as never)
        .execute();
    }
  });

  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: u.toString(),
    AGENTE_LOG_LEVEL: 'warn',
    ...(values['defer-processing'] ? { AGENTE_INBOUND_DELAY_MS: String((SECONDS + 2) * 1000) } : {}),
  };
  const ours = await startChild(
    [MAIN, 'serve', '--webhooks-only', '--port', '0'],
    env,
    /listening on (http:\/\/\S+)\/mcp/,
  );
  const bare = await startChild(['-e', BARE], env, /bare (http:\/\/\S+)/);
  const oursUrl = new URL(`${ours}/webhooks/whatsapp_cloud/${ep.endpoint_id}`);
  const bareUrl = new URL(`${bare}/webhooks/whatsapp_cloud/${ep.endpoint_id}`);

  await load(bareUrl, 1, 'warm-bare');
  await load(oursUrl, 1, 'warm');
  const floor = await load(bareUrl, SECONDS, 'bare');
  const t0 = performance.now();
  const run = await load(oursUrl, SECONDS, 'run');
  const pending = async () =>
    Number(
      (
        await withTenant(db.kysely, tenant.tenant_id, (tx) =>
          tx
            .selectFrom('eventos_recebidos')
            .select((e) => e.fn.countAll().as('n'))
            .where('processado_em', 'is', null)
            .executeTakeFirstOrThrow(),
        )
      ).n,
    );
  while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 50));
  const drained = (performance.now() - t0) / 1000;
  const processedPerSecond = (run.n + 0) / drained;

  // Opt-out → suppressed, one at a time on an idle server.
  const times: number[] = [];
  const answers: number[] = [];
  const bareRtt: number[] = [];
  const agent = new Agent({ keepAlive: true });
  for (const [i, phone] of phones.entries()) {
    const tb = performance.now();
    await post(agent, bareUrl, body(phone.slice(1), `wamid.bare.${i}`, 'SAIR'));
    bareRtt.push(performance.now() - tb);
    const t = performance.now();
    const status = await post(agent, oursUrl, body(phone.slice(1), `wamid.stop.${i}`, 'SAIR'));
    answers.push(performance.now() - t);
    if (status !== 200) throw new Error(`opt-out answered ${status}`);
    for (;;) {
      const hit = await withTenant(db.kysely, tenant.tenant_id, (tx) =>
        tx.selectFrom('supressoes').select('valor').where('valor', '=', phone).executeTakeFirst(),
      );
      if (hit) break;
      if (performance.now() - t > 10_000) throw new Error('opt-out not suppressed in 10 s');
      await new Promise((r) => setTimeout(r, 2));
    }
    times.push(performance.now() - t);
  }
  agent.destroy();
  await db.close();
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const max = (a: number[]) => Math.max(...a);
  const f = (n: number) => n.toFixed(1);
  console.log(
    `\nnpm run bench:inbound -- --seconds ${SECONDS} --clients ${C} --optouts ${N_OPTOUT}${DEFER ? ' --defer-processing' : ''}` +
      `  (${new Date().toISOString()}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)\n`,
  );
  console.log('| | events/s | p50 ms | p99 ms | non-200 |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(
    `| bare node:http server (floor) | ${Math.round(floor.perSecond)} | ${f(floor.p50)} | ${f(floor.p99)} | ${floor.bad} |`,
  );
  console.log(
    `| serve --webhooks-only (signature checked, raw event stored in PostgreSQL) | ${Math.round(run.perSecond)} ${run.perSecond >= 2000 ? '✓' : '✗'} | ${f(run.p50)} | ${f(run.p99)} ${run.p99 <= 50 ? '✓' : '✗'} | ${run.bad} |`,
  );
  console.log(
    `\nratio to floor: ${(run.perSecond / floor.perSecond).toFixed(2)}; ${run.n} events accepted, all processed ${f(drained)} s after the load began (${Math.round(processedPerSecond)} events/s end to end)`,
  );
  if (N_OPTOUT) {
    console.log(`\n| opt-out (${N_OPTOUT}×, idle) | median ms | max ms |`);
    console.log('|---|---:|---:|');
    console.log(`| bare server round trip (floor) | ${f(med(bareRtt))} | ${f(max(bareRtt))} |`);
    console.log(`| our 200 answer (stored) | ${f(med(answers))} | ${f(max(answers))} |`);
    console.log(
      `| request → phone in supressoes | ${f(med(times))} ${max(times) <= 1000 ? '✓' : '✗'} | ${f(max(times))} |`,
    );
  }
} finally {
  for (const ch of children) ch.kill('SIGTERM');
  cluster?.stop();
}
