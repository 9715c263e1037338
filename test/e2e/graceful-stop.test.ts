import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/connect.js';
import { createPgDatabase } from '../helpers/db.js';
import { sandboxSends, seedCampaign, statusCounts, writeSandboxMcpConfig } from '../helpers/dispatch-setup.js';
import { CREDITOR_INPUT, leadsCsv } from '../helpers/leads-data.js';
import { cleanEnv, runMain, startMain, tempDir } from '../helpers/spawn.js';

/*
 * Graceful stop (issue 21): real processes on PostgreSQL, real sandbox downstream servers that stall
 * every call (SANDBOX_STALL_MS) so that calls are in flight when SIGTERM comes.
 * - A worker stopped mid-campaign under load: it exits 0; the calls it had made finish and are
 *   recorded; what it had claimed and not started goes back to the queue; nothing is left leased to
 *   it; the other worker finishes the campaign — every disparo sent, each message received once
 *   (real sends counted in the sandbox record: lines without duplicate:true).
 * - serve --http stopped during requests: the requests in flight (send_message, waiting on the stalled
 *   downstream) are answered, new connections are refused, and it exits 0.
 */
const FINAL = ['enviado', 'falhou', 'bloqueado', 'cancelado', 'incerto'];

async function until(what: string, check: () => Promise<boolean> | boolean, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached in ${ms} ms`);
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** A GET on a fresh connection (no keep-alive pool): its error code, or its status. */
function freshGet(url: string): Promise<string | number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

describe('graceful stop: SIGTERM on worker and serve --http (PostgreSQL, real processes)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it(
    'a worker stopped mid-campaign: exit 0, nothing lost, nothing duplicated, nothing left leased',
    { timeout: 240_000 },
    async () => {
      const N = 1500;
      const { url, drop } = await createPgDatabase();
      const db = await openDb({ databaseUrl: url });
      const dir = tempDir('sigterm-');
      const { campaignId } = await seedCampaign(db, N, null);
      const env = cleanEnv({
        DATABASE_URL: url,
        MICRO_AGENT_DISPARO_ENABLED: 'true',
        AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dir, { whatsapp: { SANDBOX_STALL_MS: '700' } }),
        // Long leases: a row left leased by the stopped worker would stay visible, not be recovered.
        AGENTE_LEASE_MS: '120000',
        AGENTE_STOP_DEADLINE_MS: '20000',
      });
      const [a, b] = await Promise.all([0, 1].map(() => startMain(['worker'], env, /executing disparos/)));
      children.push(a.child, b.child);
      const victim = `${hostname()}:${a.child.pid}`;
      const leasedTo = async (worker: string) =>
        Number(
          (
            await db.kysely
              .selectFrom('disparos')
              .select((e) => e.fn.countAll<number>().as('n'))
              .where('claimed_by', '=', worker)
              .where('campanha_id', '=', campaignId)
              .executeTakeFirstOrThrow()
          ).n,
        );
      // Under way: some sent, and the victim holding claimed rows with calls in flight.
      let heldAtStop = 0;
      await until(
        'the victim holding leased rows mid-campaign',
        async () => sandboxSends(dir).length >= 100 && (heldAtStop = await leasedTo(victim)) >= 50,
        120_000,
      );
      const sentAtStop = sandboxSends(dir).length;
      expect(sentAtStop).toBeLessThan(N);
      const t0 = Date.now();
      a.child.kill('SIGTERM');
      const { code, signal } = await exited(a.child);
      const stopMs = Date.now() - t0;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(a.stderr()).toMatch(/worker stopped in \d+ ms\n/);
      // Nothing left leased to the stopped worker the moment it is gone (its lease would last 2 minutes).
      expect(await leasedTo(victim)).toBe(0);

      await until(
        'every disparo final',
        async () => {
          const c = await statusCounts(db, campaignId);
          return FINAL.reduce((s, k) => s + (c[k] ?? 0), 0) === N;
        },
        180_000,
      );
      expect(await statusCounts(db, campaignId)).toEqual({ enviado: N });
      const sends = sandboxSends(dir);
      const keys = new Set(sends.map((s) => s.idempotency_key));
      expect(keys.size).toBe(N);
      expect(sends).toHaveLength(N);
      // No row was counted as an extra attempt: a handed-back row's attempt is not counted.
      const attempts = await db.kysely
        .selectFrom('disparos')
        .select('tentativas')
        .where('campanha_id', '=', campaignId)
        .where('tentativas', '!=', 1)
        .execute();
      expect(attempts).toEqual([]);
      process.stdout.write(
        `graceful stop: worker stopped after ${sentAtStop}/${N} sends holding ${heldAtStop} leased rows; ` +
          `exited 0 in ${stopMs} ms; ${N} sent once each\n`,
      );
      b.child.kill('SIGTERM');
      expect((await exited(b.child)).code).toBe(0);
      await db.close();
      await drop();
    },
  );

  it(
    'serve --http stopped during requests: they are answered, new connections refused, exit 0',
    { timeout: 120_000 },
    async () => {
      const { url, drop } = await createPgDatabase();
      const dir = tempDir('sigterm-http-');
      const env = cleanEnv({
        DATABASE_URL: url,
        MICRO_AGENT_DISPARO_ENABLED: 'true',
        AGENTE_MCP_CONFIG: writeSandboxMcpConfig(dir, { whatsapp: { SANDBOX_STALL_MS: '2500' } }),
        AGENTE_STOP_DEADLINE_MS: '20000',
      });
      const token = (
        await runMain(['token', 'create', '--tenant', 'parada', '--scopes', 'read,dispatch,admin'], env)
      ).stdout.trim();
      const server = await startMain(['serve', '--http', '--port', '0'], env, /listening on (http:\/\/\S+)/);
      children.push(server.child);
      const mcpUrl = server.match[1];
      const client = new Client({ name: 'sigterm', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(mcpUrl), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      const call = async (name: string, args: Record<string, unknown>) => {
        const r = await client.callTool({ name, arguments: args }, { timeout: 60_000 });
        expect(r.isError, `${name}: ${JSON.stringify(r.content)}`).toBeFalsy();
        return r.structuredContent as any;
      };
      const week = Array(7).fill({ inicio: '00:00', fim: '24:00', start: '00:00', end: '24:00' });
      await call('set_outreach_policy', {
        creditor: CREDITOR_INPUT,
        janela_envio: { dias: week, respeitar_feriados: false },
        send_window: { days: week, respect_holidays: false },
      });
      const imported = await call('ingest_leads', {
        content_base64: Buffer.from(leadsCsv(0, 6)).toString('base64'),
        filename: 'leads.csv',
      });
      expect(imported.job.status).toBe('concluido');
      const db = await openDb({ databaseUrl: url });
      // Leads with a CNPJ (even ones): the collections template can be rendered for them.
      const leads = await db.kysely.selectFrom('leads').select('lead_id').where('documento', 'is not', null).execute();
      expect(leads.length).toBe(3);
      await db.close();

      // Three sends in flight, each waiting 2.5 s on the downstream, when SIGTERM comes.
      const t0 = Date.now();
      // A sales contact, not a collection: a collection keeps the hours the law allows whatever the
      // tenant's window says (state-contact-rules.ts), and this test is about SIGTERM, not the clock.
      const inFlight = leads.map((l) =>
        call('send_message', { lead_id: l.lead_id, template: 'contato_comercial_whatsapp_v1' }),
      );
      await new Promise((r) => setTimeout(r, 1000));
      server.child.kill('SIGTERM');
      const exit = exited(server.child);
      await until(
        'the listener closed',
        async () => typeof (await freshGet(new URL('/healthz', mcpUrl).href)) === 'string',
        5_000,
      );
      expect(await freshGet(new URL('/healthz', mcpUrl).href)).toBe('ECONNREFUSED');
      const answers = await Promise.all(inFlight);
      for (const a of answers) expect(a).toMatchObject({ sent: true, status: 'enviado' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(2500);
      expect(await exit).toEqual({ code: 0, signal: null });
      expect(server.stderr()).toMatch(/stopped\n/);
      expect(sandboxSends(dir)).toHaveLength(3);
      await client.close().catch(() => {});
      await drop();
    },
  );
});
