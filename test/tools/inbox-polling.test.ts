/**
 * Inbox polling (issue #15, step 2) against the bundled sandbox servers over stdio: their list_inbox /
 * list_statuses tools polled through the presets, what they return stored as raw events and processed
 * like webhooks. Shown: the high-water mark (a second poll asks only for what is new, and adds
 * nothing), a restart (new processes, new client) resuming from the stored mark, idempotence on the
 * provider id (the mark reset: everything fetched again, nothing stored twice; the same message by
 * webhook too: one message), attribution by our own Message-ID in In-Reply-To, an opt-out reply
 * suppressing the person, and delivery statuses applied to the disparo.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpChannelClient } from '../../src/channels/channel-client.js';
import { McpConfigSchema } from '../../src/channels/config.js';
import { McpClientPool } from '../../src/channels/pool.js';
import { messageIdFor } from '../../src/core/dispatch/message-id.js';
import { storeEvents } from '../../src/core/inbound/store-event.js';
import { silentLogger, systemClock } from '../../src/core/ports.js';
import { withTenant } from '../../src/db/tenant.js';
import { InboundProcessor } from '../../src/inbound/processor.js';
import { InboxPoller, pollIntervalMs } from '../../src/inbound/poller.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { plantDisparo } from '../helpers/disparos.js';
import { insertLead } from '../helpers/fixtures.js';
import { connectClient, makeDeps, textOf } from '../helpers/server.js';
import { ROOT } from '../helpers/spawn.js';
import { wahaEvent } from '../helpers/webhook-payloads.js';

const mkdirp = (d: string) => (mkdirSync(d, { recursive: true }), d);

describe(`inbox polling through the sandbox servers (${testDbKind()})`, () => {
  let db: TestDb;
  let root: string;
  const pools: McpClientPool[] = [];

  beforeAll(async () => {
    db = await openTestDb();
    root = mkdtempSync(join(tmpdir(), 'agente-inbox-'));
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await db?.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  /** A fresh client on fresh server processes (a restart), polling for the tenant; the servers keep their files in dir. */
  const start = async (tenantId: string, dir: string) => {
    const server = (name: string) => ({
      command: process.execPath,
      args: [join(ROOT, 'dist', 'sandbox', `${name}-server.js`)],
      env: { SANDBOX_RECORD: join(dir, `${name}.jsonl`), SANDBOX_INBOX: join(dir, `${name}-inbox.jsonl`) },
    });
    const config = McpConfigSchema.parse({
      mcpServers: { wa: server('whatsapp'), mail: server('email') },
      channels: {
        whatsapp: { server: 'wa', preset: 'sandbox-whatsapp' },
        email: { server: 'mail', preset: 'sandbox-email' },
      },
    });
    const pool = new McpClientPool(config.mcpServers, silentLogger);
    pools.push(pool);
    const client = new McpChannelClient(config, pool, silentLogger, {}, 10_000);
    await client.verify();
    const processor = new InboundProcessor({ db: db.kysely, clock: systemClock, logger: silentLogger });
    const poller = new InboxPoller({
      db: db.kysely,
      tenantId,
      sources: () => client.inboxSources(),
      clock: systemClock,
      logger: silentLogger,
      intervalMs: 0,
    });
    const round = async () => {
      const r = await poller.pollAll();
      processor.kick(tenantId);
      await processor.idle();
      return Object.fromEntries(r.map((s) => [s.origin, s]));
    };
    return { client, pool, round };
  };
  const reply = (dir: string, channel: 'email' | 'whatsapp', line: Record<string, string>) =>
    appendFileSync(
      join(mkdirp(dir), `${channel === 'email' ? 'email' : 'whatsapp'}-inbox.jsonl`),
      JSON.stringify({ received_at: new Date(Date.now() - 1000).toISOString(), ...line }) + '\n',
    );

  it('polls from the stored mark, once per message, resumes after a restart, attributes by our Message-ID', async () => {
    const deps = await makeDeps(db, { tenantSlug: `inbox-${Math.random().toString(36).slice(2, 8)}` });
    const t = deps.tenant.tenant_id;
    const dir = join(root, 'one');
    const ana = await insertLead(db.kysely, t, {
      nome: 'Ana',
      status: 'contatado',
      emails: [{ email: 'ana@padaria.com.br' }],
    });
    // Bruno shares Ana's address: only the Message-ID of our e-mail can say the reply is Ana's.
    const bruno = await insertLead(db.kysely, t, {
      nome: 'Bruno',
      status: 'contatado',
      emails: [{ email: 'ana@padaria.com.br' }],
    });
    const disparo = await plantDisparo(db.kysely, t, ana, {
      status: 'enviado',
      canal: 'email',
      destino: 'ana@padaria.com.br',
      enviado_em: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const first = await start(t, dir);
    // The sandbox takes our Message-ID and reports it back: that is the id recorded for the disparo.
    const sent = await first.client.send('email', {
      to: 'ana@padaria.com.br',
      subject: 'Boleto',
      text: 'Olá',
      idempotencyKey: `k-${disparo}`,
      messageId: messageIdFor(disparo),
    });
    expect(sent).toMatchObject({ ok: true, messageId: `${disparo}@agente-disparo.local` });
    await withTenant(db.kysely, t, (tx) =>
      tx
        .updateTable('disparos')
        .set({ message_id_externo: (sent as { messageId: string }).messageId })
        .where('disparo_id', '=', disparo)
        .execute(),
    );
    reply(dir, 'email', {
      from: 'Ana <ana@padaria.com.br>',
      subject: 'Re: Boleto',
      text: 'Por favor, pare de me mandar mensagens.\n\nEm 02/12/2026 10:00, Cobrança escreveu:\n> Olá\n> Responda SAIR para sair',
      in_reply_to: messageIdFor(disparo),
    });

    const r1 = await first.round();
    expect(r1['email:inbound:mail']).toMatchObject({ fetched: 1, stored: 1, mark: '1', error: null });
    expect(r1['email:statuses:mail']).toMatchObject({ stored: 1, error: null });
    const msgs = await withTenant(db.kysely, t, (tx) =>
      tx.selectFrom('mensagens_recebidas').selectAll().where('tenant_id', '=', t).execute(),
    );
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({
      provedor: 'polling',
      classe: 'opt_out',
      atribuicao: 'contexto',
      lead_id: ana,
      disparo_id: disparo,
      texto: 'Por favor, pare de me mandar mensagens.',
    });
    const leads = await withTenant(db.kysely, t, (tx) =>
      tx.selectFrom('leads').select(['lead_id', 'status']).where('tenant_id', '=', t).execute(),
    );
    expect(new Map(leads.map((l) => [l.lead_id, l.status]))).toEqual(
      new Map([
        [ana, 'opt_out'],
        [bruno, 'contatado'],
      ]),
    );
    const sup = await withTenant(db.kysely, t, (tx) =>
      tx.selectFrom('supressoes').select(['tipo', 'valor']).where('tenant_id', '=', t).execute(),
    );
    expect(sup).toEqual([{ tipo: 'email', valor: 'ana@padaria.com.br' }]);
    const d = await withTenant(db.kysely, t, (tx) =>
      tx
        .selectFrom('disparos')
        .select(['entrega', 'entregue_em'])
        .where('disparo_id', '=', disparo)
        .executeTakeFirstOrThrow(),
    );
    expect(d.entrega).toBe('entregue');
    // query_leads shows each lead's last delivery status (Bruno has no disparo).
    const mcp = await connectClient(deps);
    const page = await mcp.callTool({ name: 'query_leads', arguments: {} });
    const rows = (page.structuredContent as { leads: Array<{ lead_id: string; last_delivery: string | null }> }).leads;
    expect(new Map(rows.map((l) => [l.lead_id, l.last_delivery]))).toEqual(
      new Map([
        [ana, 'email:entregue'],
        [bruno, null],
      ]),
    );
    expect(textOf(page)).toMatch(/\| Ana \|.*\| email:entregue$/m);
    await mcp.closeAll();

    // A second poll: asks after UID 1, gets nothing, stores nothing.
    const r2 = await first.round();
    expect(r2['email:inbound:mail']).toMatchObject({ fetched: 0, stored: 0, mark: '1' });
    expect(r2['email:statuses:mail']).toMatchObject({ fetched: 0, stored: 0 });

    // Restart: new server processes and client; the mark comes from the database.
    await first.pool.close();
    reply(dir, 'email', { from: 'ana@padaria.com.br', text: 'Obrigada!' });
    const second = await start(t, dir);
    const r3 = await second.round();
    expect(r3['email:inbound:mail']).toMatchObject({ fetched: 1, stored: 1, mark: '2' });

    // The mark lost: everything is fetched again and nothing is stored or processed twice.
    await withTenant(db.kysely, t, (tx) => tx.deleteFrom('caixas_entrada').where('tenant_id', '=', t).execute());
    const r4 = await second.round();
    expect(r4['email:inbound:mail']).toMatchObject({ fetched: 2, stored: 0, duplicates: 2, mark: '2' });
    const count = await withTenant(db.kysely, t, (tx) =>
      tx
        .selectFrom('mensagens_recebidas')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', t)
        .executeTakeFirstOrThrow(),
    );
    expect(Number(count.n)).toBe(2);
  });

  it('a WhatsApp message polled and also webhooked is one message', async () => {
    const deps = await makeDeps(db, { tenantSlug: `inbox-${Math.random().toString(36).slice(2, 8)}` });
    const t = deps.tenant.tenant_id;
    const dir = join(root, 'two');
    const lead = await insertLead(db.kysely, t, {
      nome: 'Caio',
      status: 'contatado',
      phones: [{ e164: '+5531987652222' }],
    });
    const c = await start(t, dir);
    reply(dir, 'whatsapp', { from: '553187652222', text: 'Qual o valor?' });
    const r = await c.round();
    const polled = r['whatsapp:inbound:wa'];
    expect(polled).toMatchObject({ stored: 1, error: null });
    const [m] = await withTenant(db.kysely, t, (tx) =>
      tx.selectFrom('mensagens_recebidas').selectAll().where('tenant_id', '=', t).execute(),
    );
    expect(m).toMatchObject({ lead_id: lead, classe: 'pergunta', atribuicao: 'destino' });
    // The same message (same id) delivered by a WAHA webhook: stored as an event, processed as a duplicate.
    const body = JSON.stringify(
      wahaEvent({
        id: 'evt-1',
        event: 'message',
        ts: Math.floor(Date.now() / 1000),
        payload: { id: m.message_id_externo, from: '553187652222@c.us', body: 'Qual o valor?', fromMe: false },
      }),
    );
    await withTenant(db.kysely, t, (tx) =>
      storeEvents(tx, t, [
        {
          provider: 'waha',
          endpointId: null,
          deliveryKey: 'evt-1',
          contentType: 'application/json',
          body,
          receivedAt: new Date(),
        },
      ]),
    );
    const processor = new InboundProcessor({ db: db.kysely, clock: systemClock, logger: silentLogger });
    processor.kick(t);
    await processor.idle();
    const all = await withTenant(db.kysely, t, (tx) =>
      tx.selectFrom('mensagens_recebidas').select('mensagem_id').where('tenant_id', '=', t).execute(),
    );
    expect(all).toHaveLength(1);
    const events = await withTenant(db.kysely, t, (tx) =>
      tx
        .selectFrom('eventos_recebidos')
        .select(['provedor', 'resumo'])
        .where('tenant_id', '=', t)
        .orderBy('provedor')
        .execute(),
    );
    expect(events.map((e) => [e.provedor, (e.resumo as { duplicates: number }).duplicates])).toEqual([
      ['polling', 0],
      ['waha', 1],
    ]);
  });

  it('the loop (worker / serve) picks up a reply that arrives later, by itself; the interval comes from AGENTE_INBOX_POLL_SECONDS', async () => {
    expect(pollIntervalMs({})).toBe(60_000);
    expect(pollIntervalMs({ AGENTE_INBOX_POLL_SECONDS: '0' })).toBe(0);
    expect(() => pollIntervalMs({ AGENTE_INBOX_POLL_SECONDS: 'dez' })).toThrow(/AGENTE_INBOX_POLL_SECONDS/);
    const deps = await makeDeps(db, { tenantSlug: `inbox-${Math.random().toString(36).slice(2, 8)}` });
    const t = deps.tenant.tenant_id;
    const dir = join(root, 'three');
    const lead = await insertLead(db.kysely, t, {
      nome: 'Dora',
      status: 'contatado',
      phones: [{ e164: '+5511987653333' }],
    });
    const c = await start(t, dir);
    const processor = new InboundProcessor({ db: db.kysely, clock: systemClock, logger: silentLogger });
    const loop = new InboxPoller({
      db: db.kysely,
      tenantId: t,
      sources: () => c.client.inboxSources(),
      clock: systemClock,
      logger: silentLogger,
      intervalMs: 150,
      onStored: (tenantId) => processor.kick(tenantId),
    }).start();
    try {
      await new Promise((r) => setTimeout(r, 400));
      reply(dir, 'whatsapp', { from: '5511987653333', text: 'SAIR' });
      const until = Date.now() + 15_000;
      let status = 'contatado';
      while (status !== 'opt_out' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        await processor.idle();
        status = (
          await withTenant(db.kysely, t, (tx) =>
            tx.selectFrom('leads').select('status').where('lead_id', '=', lead).executeTakeFirstOrThrow(),
          )
        ).status;
      }
      expect(status).toBe('opt_out');
    } finally {
      await loop.stop();
      await processor.stop();
    }
  });
});
