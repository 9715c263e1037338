import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/connect.js';
import { createPgDatabase } from '../helpers/db.js';
import { sandboxSends } from '../helpers/dispatch-setup.js';
import { CREDITOR_INPUT, leadsCsv, mobileFor } from '../helpers/leads-data.js';
import { startNginx, type LbRequest } from '../helpers/nginx.js';
import { cleanEnv, runMain, startMain, stop, tempDir } from '../helpers/spawn.js';

/*
 * Scale-out (issue #20): three `serve --http` replicas behind a real load balancer (Debian's nginx,
 * round robin, no stickiness) and two `worker` processes, on one PostgreSQL. A client of protocol
 * 2026-07-28 (no session) and one of 2025-11-25 (a session, kept in the database) each run a whole
 * flow through the load balancer — import, dry run, a campaign sent for real to the bundled sandbox
 * servers — while one replica is killed with SIGKILL mid-campaign; then a reply and a meeting. The
 * load balancer's log shows which replica answered each request; the sandbox's record shows what
 * was really sent.
 */
const FINAL = ['enviado', 'falhou', 'bloqueado', 'cancelado', 'incerto'];
const LEADS = 150;

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms: number, state = () => '') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not reached in ${ms} ms ${state()}`);
}

/** Requests per replica port, counted on the replica that answered (the last one nginx tried). */
function perReplica(requests: LbRequest[], ports: number[]): Record<number, number> {
  const out = Object.fromEntries(ports.map((p) => [p, 0])) as Record<number, number>;
  for (const r of requests) {
    const port = Number(r.upstreams.at(-1)?.split(':')[1]);
    if (port in out) out[port]++;
  }
  return out;
}

describe('scale-out: 3 replicas behind nginx (round robin, no stickiness) + 2 workers, one PostgreSQL', () => {
  const children: ChildProcess[] = [];
  const logs: Array<() => string> = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    if (process.env.SCALE_OUT_DEBUG)
      children.forEach((c, i) =>
        process.stderr.write(`--- pid ${c.pid} exit ${c.exitCode} ${c.signalCode}\n${logs[i]?.()}\n`),
      );
    for (const c of children) if (c.exitCode === null && c.signalCode === null) await stop(c);
    for (const f of cleanups.reverse()) await f().catch(() => {});
  });

  it(
    'both protocol eras run a whole flow with requests on every replica; a replica killed mid-campaign loses nothing',
    { timeout: 300_000 },
    async () => {
      const { url: dbUrl, drop } = await createPgDatabase();
      cleanups.push(drop);
      const dir = tempDir('scale-out-');
      // Every process shares AGENTE_DATA_DIR for the default mcp.json's sandbox records (the sandbox
      // servers of all processes read each other's records: one idempotency memory, one calendar).
      const env = cleanEnv({
        DATABASE_URL: dbUrl,
        MICRO_AGENT_DISPARO_ENABLED: 'true',
        AGENTE_DATA_DIR: dir,
        AGENTE_LEASE_MS: '3000',
      });
      const token = (
        await runMain(['token', 'create', '--tenant', 'escala', '--scopes', 'read,dispatch,admin'], env)
      ).stdout.trim();
      expect(token).toMatch(/^ada_/);

      const ports = [await freePort(), await freePort(), await freePort()];
      const replicas = await Promise.all(
        ports.map((p) => startMain(['serve', '--http', '--port', String(p)], env, /listening on/)),
      );
      const workers = await Promise.all([0, 1].map(() => startMain(['worker'], env, /executing disparos/)));
      children.push(...replicas.map((r) => r.child), ...workers.map((w) => w.child));
      logs.push(...replicas.map((r) => r.stderr), ...workers.map((w) => w.stderr));
      const lb = await startNginx(join(dir, 'nginx'), await freePort(), ports);
      cleanups.push(() => lb.stop());

      const connect = async (era: 'modern' | 'legacy') => {
        const client = new Client(
          { name: `scale-${era}`, version: '1.0.0' },
          era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
        );
        const transport = new StreamableHTTPClientTransport(new URL(lb.url), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        });
        await client.connect(transport);
        cleanups.push(() => client.close());
        return { client, transport };
      };
      const modern = await connect('modern');
      const legacy = await connect('legacy');
      expect(modern.client.getProtocolEra()).toBe('modern');
      expect(legacy.client.getProtocolEra()).toBe('legacy');
      const sessionId = legacy.transport.sessionId!;
      expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);

      let retried = 0;
      /**
       * A tool call. A read (job_status) that gets 502 is tried again, as a client does: the request
       * nginx sent to a replica just killed — on a kept-alive connection it had not yet seen close —
       * fails, and nginx does not pass a POST on to another replica once it was sent.
       */
      const call = async (client: Client, name: string, args: Record<string, unknown>, retry502 = false) => {
        let r;
        try {
          r = await client.callTool({ name, arguments: args }, { timeout: 120_000 });
        } catch (err) {
          if (!retry502 || !/502 Bad Gateway/.test(String(err))) throw err;
          retried++;
          r = await client.callTool({ name, arguments: args }, { timeout: 120_000 });
        }
        expect(r.isError, `${name}: ${JSON.stringify(r.content)}`).toBeFalsy();
        return r.structuredContent as any;
      };

      // Open all week and paced, so the campaign lasts seconds and the kill lands in the middle. The
      // policy is sent under the field names of both sides of a rename in flight (issue #13 vocabulary):
      // zod drops the ones this build does not know.
      const week = Array(7).fill({ inicio: '00:00', fim: '24:00', start: '00:00', end: '24:00' });
      await call(modern.client, 'set_outreach_policy', {
        creditor: CREDITOR_INPUT,
        janela_envio: { dias: week, respeitar_feriados: false },
        send_window: { days: week, respect_holidays: false },
        ritmo: { canal: 'whatsapp', por_segundo: 40 },
        pace: { channel: 'whatsapp', per_second: 40 },
      });

      // Round robin without affinity: each client alone makes three calls in a row, and the load
      // balancer's log says where they went (the 2025-11-25 ones all in one session).
      const spread = { modern: [] as number[], legacy: [] as number[] };
      for (const [era, client] of [
        ['modern', modern.client],
        ['legacy', legacy.client],
      ] as const) {
        const before = lb.requests().length;
        for (let i = 0; i < 3; i++) await call(client, 'get_status', {});
        // nginx logs a request once its response is done, a moment after the client has read it.
        // (2025-11-25: the session's POSTs; its GET stream is logged whenever it ends.)
        const mine = (r: LbRequest) =>
          era === 'modern' ? r.mcpMethod === 'tools/call' : r.sessionId === sessionId && r.method === 'POST';
        await until('three calls logged', () => lb.requests().slice(before).filter(mine).length >= 3, 5_000);
        const calls = lb.requests().slice(before).filter(mine);
        expect(calls).toHaveLength(3);
        spread[era] = calls.map((r) => Number(r.upstreams.at(-1)!.split(':')[1]));
      }

      const db = await openDb({ databaseUrl: dbUrl });
      cleanups.push(() => db.close());

      // Each client: import (inline, base64) → dry run → a real campaign, at the same time.
      const flows = await Promise.all(
        (
          [
            [modern.client, 0],
            [legacy.client, 10_000],
          ] as const
        ).map(async ([client, from]) => {
          const csv = Buffer.from(leadsCsv(from, from + LEADS)).toString('base64');
          const imported = await call(client, 'ingest_leads', { content_base64: csv, filename: `leads-${from}.csv` });
          expect(imported.job.status).toBe('concluido');
          const filter = { source_job_id: imported.job.job_id };
          await call(client, 'dry_run_dispatch', { filter });
          // The built-in sales template, not the collection one: this test is about replicas and leases,
          // and a collection message is deferred on Sundays, holidays and at night whatever the send
          // window (state-contact-rules.ts; covered with a fixed clock in test/tools/collection-gates.test.ts).
          const campaign = await call(client, 'start_dispatch', {
            filter,
            campaign_key: `escala-${from}`,
            template_whatsapp: 'contato_comercial_whatsapp_v1',
            template_email: 'contato_comercial_email_v1',
          });
          // Queued: leads whose message can be rendered (the sales template needs no CNPJ, so all of
          // them; at least half in any case). Named before and after the English rename of the outputs.
          const queued = Number(campaign.queued ?? campaign.enfileirados);
          expect(queued).toBeGreaterThanOrEqual(LEADS / 2);
          return { from, campaignId: campaign.job_id as string, queued };
        }),
      );

      const total = flows.reduce((a, f) => a + f.queued, 0);
      const statuses = async () => {
        const rows = await db.kysely
          .selectFrom('disparos')
          .select(['status', 'idempotency_key', 'claimed_by'])
          .where(
            'campanha_id',
            'in',
            flows.map((f) => f.campaignId),
          )
          .execute();
        return rows;
      };
      const sends = () => sandboxSends(join(dir, 'sandbox'));

      // Mid-campaign — some sent, most not yet — kill a replica while its own executor holds leased
      // disparos (claimed, being sent): they must be taken over when the lease ends, and sent once.
      const victim = `${hostname()}:${replicas[1].child.pid}`;
      const claimers = new Set<string>();
      let held = 0;
      await until(
        'the campaign under way, a replica holding leased disparos',
        async () => {
          const rows = await db.kysely
            .selectFrom('disparos')
            .select(['claimed_by'])
            .where('status', '=', 'em_execucao')
            .execute();
          for (const r of rows) if (r.claimed_by) claimers.add(r.claimed_by);
          held = rows.filter((r) => r.claimed_by === victim).length;
          return sends().length >= 20 && held > 0;
        },
        90_000,
      );
      const sentAtKill = sends().length;
      expect(sentAtKill).toBeLessThan(total);
      const beforeKill = lb.requests();
      replicas[1].child.kill('SIGKILL');

      // The flows go on through the load balancer; the 2025-11-25 client keeps its session.
      let seen: string[] = [];
      await until(
        'every disparo in a final state',
        async () => {
          await call(modern.client, 'job_status', { job_id: flows[0].campaignId }, true);
          await call(legacy.client, 'job_status', { job_id: flows[1].campaignId }, true);
          const rows = await statuses();
          for (const r of rows) if (r.claimed_by) claimers.add(r.claimed_by);
          seen = rows.map((r) => r.status);
          return rows.length === total && rows.every((r) => FINAL.includes(r.status));
        },
        150_000,
        () => JSON.stringify(seen.reduce<Record<string, number>>((a, k) => ((a[k] = (a[k] ?? 0) + 1), a), {})),
      );
      expect(legacy.transport.sessionId).toBe(sessionId);

      // A reply, and a meeting with the lead who replied — after the kill, on the surviving replicas.
      const reply = await call(legacy.client, 'handle_reply', {
        channel: 'whatsapp',
        from: mobileFor(10_000),
        text: 'Tenho interesse, podemos marcar uma conversa?',
        message_id: 'wamid.escala-resposta-1',
        received_at: new Date().toISOString(),
      });
      expect(reply.lead_id).toMatch(/^[0-9a-f-]{36}$/);
      const slots = await call(modern.client, 'propose_slots', { lead_id: reply.lead_id, days: 5, max_slots: 2 });
      const meeting = await call(modern.client, 'schedule_meeting', {
        lead_id: reply.lead_id,
        start: slots.slots[0].start_local,
      });
      expect(meeting.agendamento.status).toBe('agendado');

      // Nothing lost, nothing twice: every disparo sent once, each message received once downstream.
      const rows = await statuses();
      expect(rows.map((r) => r.status)).toEqual(Array(total).fill('enviado'));
      const received = new Map<string, number>();
      for (const s of sends()) received.set(s.idempotency_key, (received.get(s.idempotency_key) ?? 0) + 1);
      for (const r of rows) expect(received.get(r.idempotency_key), r.idempotency_key).toBe(1);
      // Executors of every process took part (3 replicas, 2 workers): at least the survivors and the victim.
      expect(claimers.size).toBeGreaterThanOrEqual(3);

      // Requests landed on every replica, for each era (counted by the load balancer before the kill);
      // the 2025-11-25 session's requests among them — any replica served its session.
      const modernReqs = beforeKill.filter((r) => r.mcpMethod !== '');
      const sessionReqs = beforeKill.filter((r) => r.sessionId === sessionId);
      const all = perReplica(lb.requests(), ports);
      const byEra = { modern: perReplica(modernReqs, ports), legacy_session: perReplica(sessionReqs, ports) };
      // And deterministically: three calls in a row by one client alone go to three different replicas.
      expect(spread.modern.sort()).toEqual([...ports].sort());
      expect(spread.legacy.sort()).toEqual([...ports].sort());
      process.stdout.write(
        `scale-out: requests per replica (port → count) in total ${JSON.stringify(all)}; before the kill, ` +
          `2026-07-28 ${JSON.stringify(byEra.modern)}, 2025-11-25 session ${JSON.stringify(byEra.legacy_session)}; ` +
          `replica ${ports[1]} killed after ${sentAtKill} of ${total} sends, holding ${held} leased disparos; ` +
          `${claimers.size} processes seen executing disparos; ${retried} read(s) tried again after a 502 from the killed replica\n`,
      );
      for (const counts of [byEra.modern, byEra.legacy_session])
        for (const p of ports) expect(counts[p], `replica ${p}`).toBeGreaterThan(0);
      // No request failed but the few nginx had sent to the killed replica just as it died (and were
      // tried again); none before the kill, none on a live replica.
      const failed = lb.requests().filter((r) => r.status >= 500);
      expect(beforeKill.filter((r) => r.status >= 500)).toEqual([]);
      for (const f of failed) expect(f.upstreams.at(-1)).toBe(`127.0.0.1:${ports[1]}`);
      expect(failed.length).toBe(retried);
      expect(retried).toBeLessThanOrEqual(2);
    },
  );
});
