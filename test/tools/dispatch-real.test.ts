import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../src/core/dispatch/executor.js';
import { recordBatch } from '../../src/core/dispatch/record.js';
import { silentLogger } from '../../src/core/ports.js';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { cnpjFor } from '../helpers/leads-data.js';
import { meetingsEnv, type MeetingsEnv } from '../helpers/meetings-setup.js';
import { textOf } from '../helpers/server.js';
import { asOwner } from '../helpers/tenant-seed.js';

/*
 * The real sending paths in process, on both databases and under the transition guard: sending on,
 * the bundled sandbox servers as real stdio processes, the executor in this process on the test's
 * clock (Tuesday 10:00 in São Paulo, inside the default send window). Every lead, disparo and
 * campaign move below is checked by the guard against core/model.
 */
const NOW = '2026-11-24T13:00:00Z';

async function rows<T>(db: TestDb, q: string, ...params: unknown[]): Promise<T[]> {
  const parts = q.split('?');
  const query = sql.join(
    parts.map((p, i) => (i < params.length ? sql`${sql.raw(p)}${params[i]}` : sql.raw(p))),
    sql``,
  );
  return (await asOwner(db.kysely, (tx) => sql<T>`${query}`.execute(tx))).rows;
}

const history = (db: TestDb, leadId: string) =>
  rows<{ status_de: string; status_para: string; ator: string }>(
    db,
    `select status_de, status_para, ator from lead_eventos where lead_id = ? and tipo = 'transicao' order by created_at, evento_id`,
    leadId,
  );
const disparosOf = (db: TestDb, leadId: string) =>
  rows<{ canal: string; status: string; erro_classe: string | null; idempotency_key: string; destino: string }>(
    db,
    `select canal, status, erro_classe, idempotency_key, destino from disparos where lead_id = ? order by created_at, canal desc`,
    leadId,
  );
const statusOf = async (db: TestDb, leadId: string) =>
  (await rows<{ status: string }>(db, `select status from leads where lead_id = ?`, leadId))[0].status;

describe(`real sends in process: campaign, send_message, pause/resume/cancel (${testDbKind()})`, () => {
  let db: TestDb;
  let e: MeetingsEnv;
  let n = 0;
  beforeAll(async () => {
    db = await openTestDb();
    e = await meetingsEnv(db, { now: NOW });
  });
  afterAll(async () => {
    await e?.close();
    await db?.destroy();
  });

  const call = async (name: string, args: Record<string, unknown>) => {
    const res = await e.client.callTool({ name, arguments: args });
    expect(res.isError, textOf(res)).toBeFalsy();
    return res.structuredContent as any;
  };
  const lead = (over: { phone?: string | null; email?: string | null; status?: string } = {}) => {
    const i = ++n;
    return insertLead(db.kysely, e.tenantId, {
      nome: `Loja ${i}`,
      contato: `Pessoa ${i}`,
      documento: cnpjFor(i),
      status: over.status ?? 'novo',
      phones: over.phone === null ? [] : [{ e164: over.phone ?? `+55119${String(70000000 + i)}` }],
      emails: over.email ? [{ email: over.email }] : [],
    });
  };
  // The outbox read through the list_events tool: the short types of the events about one subject, and
  // of the disparos of one campaign (in sequence order).
  const eventsOf = async (pick: (ev: any) => boolean) => {
    const evs: any[] = (await call('list_events', { after: '0', limit: 500 })).events;
    const seqs = evs.map((ev) => ev.sequence);
    expect(seqs).toEqual([...seqs].sort());
    return evs.filter(pick).map((ev) => String(ev.type).replace('br.com.alquimista.', ''));
  };
  const sentTo = (channel: 'whatsapp' | 'email') => e.record(channel).map((r) => r.args.to);

  it('a campaign is queued, sent by the executor to the sandbox, and its leads move novo → em_disparo → contatado', async () => {
    const wa1 = await lead({ phone: '+5511970000101' });
    const wa2 = await lead({ phone: '+5511970000102', email: 'dois@loja.com.br' });
    const mail = await lead({ phone: null, email: 'tres@loja.com.br' });
    const started = await call('start_dispatch', { lead_ids: [wa1, wa2, mail], campaign_key: 'nov-real' });
    expect(started).toMatchObject({
      mode: 'real',
      queued: 3,
      would_send_now: 3,
      deferred: 0,
      already_queued: 0,
      blocked: {},
      dry_run_batch_id: null,
    });
    for (const id of [wa1, wa2, mail]) expect(await statusOf(db, id)).toBe('em_disparo');
    await e.drain();
    expect(sentTo('whatsapp').sort()).toEqual(['+5511970000101', '+5511970000102']);
    expect(sentTo('email')).toEqual(['tres@loja.com.br']);
    for (const id of [wa1, wa2, mail]) {
      expect(await statusOf(db, id)).toBe('contatado');
      const h = await history(db, id);
      expect(h.map((x) => `${x.status_de}→${x.status_para}`)).toEqual(['novo→em_disparo', 'em_disparo→contatado']);
      // Queued by whoever called the tool; contacted by the executor.
      expect(h[0].ator).toBe(`stdio:${e.deps.tenant.slug}`);
      expect(h[1].ator).toMatch(/^sistema:executor:/);
    }
    // The campaign is concluido with its counts as soon as nothing is open…
    const job = (await call('job_status', { job_id: started.job_id })).jobs[0];
    expect(job).toMatchObject({ kind: 'dispatch', status: 'concluido' });
    expect(job.counts).toMatchObject({ enviado: 3, total: 3 });
    expect(job.finished_at).not.toBeNull();
    // …and the executor's next housekeeping round marks the row itself (processando → concluido).
    e.clock.set('2026-11-24T13:00:02Z');
    await e.drain();
    const [c] = await rows<{ status: string }>(
      db,
      `select status from campanhas where campanha_id = ?`,
      started.job_id,
    );
    expect(c.status).toBe('concluido');
    // Its events: the campaign started and completed, each message queued then sent, each lead moved twice.
    expect(await eventsOf((ev) => ev.subject === started.job_id)).toEqual(['campaign.started', 'campaign.completed']);
    const sends = await eventsOf((ev) => ev.data.campanha_id === started.job_id && ev.type.includes('.disparo.'));
    expect(sends.sort()).toEqual([...Array(3).fill('disparo.queued'), ...Array(3).fill('disparo.sent')]);
    for (const id of [wa1, wa2, mail])
      expect(await eventsOf((ev) => ev.subject === id)).toEqual(['lead.status_changed', 'lead.status_changed']);
    // The same campaign again: every message is already queued under its key; nothing new goes out.
    const again = await call('start_dispatch', { lead_ids: [wa1, wa2, mail], campaign_key: 'nov-real' });
    expect(again).toMatchObject({ queued: 0, already_queued: 3 });
    await e.drain();
    expect(e.record('whatsapp')).toHaveLength(2);
    e.clock.set(NOW);
  });

  it('send_message with a key sends once and answers a repeat with the same disparo; then the daily cap defers', async () => {
    const id = await lead({ phone: '+5511970000201' });
    e.executor.start();
    try {
      const first = await call('send_message', { lead_id: id, idempotency_key: 'envio-unico-0001' });
      expect(first).toMatchObject({ sent: true, mode: 'real', channel: 'whatsapp', status: 'enviado' });
      expect(first.message_id).toMatch(/^wamid\./);
      expect(first.destination).toBe('+5511 9****-0201');
      const repeat = await call('send_message', { lead_id: id, idempotency_key: 'envio-unico-0001' });
      expect(repeat).toMatchObject({ sent: true, status: 'enviado', disparo_id: first.disparo_id });
      // Another message the same day: the per-lead cap (1 in 24 h) defers it to 24 h after the first.
      const later = await call('send_message', { lead_id: id, idempotency_key: 'envio-unico-0002' });
      expect(later).toMatchObject({ sent: false, status: 'adiado' });
      expect(later.reason).toMatch(/Limite de 1 mensagem/);
    } finally {
      await e.executor.stop();
    }
    expect(e.record('whatsapp').filter((r) => r.args.to === '+5511970000201')).toHaveLength(1);
    // Contacted by the first message, queued again by the deferred one.
    expect((await history(db, id)).map((x) => `${x.status_de}→${x.status_para}`)).toEqual([
      'novo→em_disparo',
      'em_disparo→contatado',
      'contatado→em_disparo',
    ]);
    const ds = await disparosOf(db, id);
    expect(ds.map((d) => [d.status, d.idempotency_key])).toEqual([
      ['enviado', 'k:envio-unico-0001'],
      ['adiado', 'k:envio-unico-0002'],
    ]);
  });

  it('send_message to an opted-out lead is blocked with its code and queues nothing', async () => {
    const id = await lead({ phone: '+5511970000301', status: 'opt_out' });
    const r = await call('send_message', { lead_id: id, idempotency_key: 'optout-000001' });
    expect(r).toMatchObject({ sent: false, mode: 'real', status: 'bloqueado', reason: 'opt_out', disparo_id: null });
    expect(await disparosOf(db, id)).toEqual([]);
  });

  it('pause holds every queued message, resume releases them, cancel ends the unsent ones and frees their leads', async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await lead());
    const started = await call('start_dispatch', { lead_ids: ids, campaign_key: 'controle' });
    expect(started.queued).toBe(6);
    expect((await call('control_dispatch', { job_id: started.job_id, action: 'pause' })).status).toBe('pausado');
    const before = e.record('whatsapp').length;
    await e.drain();
    expect(e.record('whatsapp')).toHaveLength(before);
    expect((await call('job_status', { job_id: started.job_id })).jobs[0]).toMatchObject({
      status: 'pausado',
      counts: { adiado: 6 },
    });
    expect((await call('control_dispatch', { job_id: started.job_id, action: 'resume' })).status).toBe('processando');
    // One executor round of two: two messages leave, four stay queued.
    const small = new Executor({
      db: db.kysely,
      channel: e.channels,
      clock: e.clock,
      logger: silentLogger,
      workerId: 'small-batch',
      batchSize: 2,
    });
    expect(await small.tick()).toBe(2);
    await small.stop();
    expect(e.record('whatsapp')).toHaveLength(before + 2);
    expect((await call('control_dispatch', { job_id: started.job_id, action: 'cancel' })).status).toBe('cancelado');
    await e.drain();
    expect(e.record('whatsapp')).toHaveLength(before + 2);
    const job = (await call('job_status', { job_id: started.job_id })).jobs[0];
    expect(job).toMatchObject({ status: 'cancelado', counts: { enviado: 2, cancelado: 4, total: 6 } });
    expect(job.finished_at).not.toBeNull();
    const statuses = await Promise.all(ids.map((id) => statusOf(db, id)));
    expect(statuses.filter((s) => s === 'contatado')).toHaveLength(2);
    expect(statuses.filter((s) => s === 'novo')).toHaveLength(4);
    expect(await eventsOf((ev) => ev.subject === started.job_id)).toEqual([
      'campaign.started',
      'campaign.paused',
      'campaign.resumed',
      'campaign.cancelled',
    ]);
    const sends = await eventsOf((ev) => ev.data.campanha_id === started.job_id && ev.type.includes('.disparo.'));
    expect(sends.sort()).toEqual([
      ...Array(4).fill('disparo.cancelled'),
      ...Array(6).fill('disparo.queued'),
      ...Array(2).fill('disparo.sent'),
    ]);
    // A cancelled campaign cannot be resumed.
    const res = await e.client.callTool({
      name: 'control_dispatch',
      arguments: { job_id: started.job_id, action: 'resume' },
    });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/is cancelado; it cannot resume \(it has ended\)/);
  });

  it('a message in flight when its campaign is paused or cancelled, back unsent, follows its campaign', async () => {
    const ids = [await lead(), await lead()];
    const started = await call('start_dispatch', { lead_ids: ids, campaign_key: 'em-voo' });
    expect(started.queued).toBe(2);
    // Both claimed by a worker (em_execucao, leased) when the pause lands: the pause moves queued rows only.
    await asOwner(db.kysely, (tx) =>
      sql`update disparos set status = 'em_execucao', tentativas = tentativas + 1, claimed_by = 'w-em-voo', lease_until = ${new Date(Date.parse(NOW) + 60_000)}
          where campanha_id = ${started.job_id}`.execute(tx),
    );
    const [a, b] = await rows<{ disparo_id: string; lead_id: string }>(
      db,
      `select disparo_id, lead_id from disparos where campanha_id = ? order by lead_id = ? desc`,
      started.job_id,
      ids[0],
    );
    expect((await call('control_dispatch', { job_id: started.job_id, action: 'pause' })).status).toBe('pausado');
    const back = (disparo_id: string, how: 'handback' | 'retry') =>
      withTenant(db.kysely, e.tenantId, (tx) =>
        recordBatch(
          tx,
          e.tenantId,
          [
            how === 'handback'
              ? { disparo_id, status: 'pendente', motivo: 'slot perdido', proxima: new Date(NOW), devolvido: true }
              : { disparo_id, status: 'pendente', erro: 'timeout', erro_classe: 'transitorio', proxima: new Date(NOW) },
          ],
          { workerId: 'w-em-voo', actor: 'test', now: new Date(NOW) },
        ),
      );
    // Handed back unsent while paused: held with the paused rows, not due again.
    await back(a.disparo_id, 'handback');
    const held = await rows<{ status: string; motivo: string; due: boolean }>(
      db,
      `select status, motivo, proxima_tentativa_em = 'infinity' as due from disparos where disparo_id = ?`,
      a.disparo_id,
    );
    expect(held).toEqual([{ status: 'adiado', motivo: 'campanha pausada', due: true }]);
    const before = e.record('whatsapp').length;
    await e.drain();
    expect(e.record('whatsapp')).toHaveLength(before);
    // Cancelled while the other is still in flight; its retry comes back: it ends cancelado, its lead novo.
    expect((await call('control_dispatch', { job_id: started.job_id, action: 'cancel' })).status).toBe('cancelado');
    await back(b.disparo_id, 'retry');
    await e.drain();
    expect(e.record('whatsapp')).toHaveLength(before);
    const job = (await call('job_status', { job_id: started.job_id })).jobs[0];
    expect(job).toMatchObject({ status: 'cancelado', counts: { cancelado: 2, total: 2 } });
    expect(await statusOf(db, b.lead_id)).toBe('novo');
  });
});

describe(`a destination refused for good, in process (${testDbKind()})`, () => {
  let db: TestDb;
  let e: MeetingsEnv;
  beforeAll(async () => {
    db = await openTestDb();
    e = await meetingsEnv(db, {
      now: NOW,
      whatsappEnv: { SANDBOX_FAIL_RECIPIENTS: '+5511987650001,+5511987650002' },
    });
  });
  afterAll(async () => {
    await e?.close();
    await db?.destroy();
  });

  it('WhatsApp refused: the phone is marked invalid and the e-mail version goes; with no e-mail the lead is sem_canal', async () => {
    const withEmail = await insertLead(db.kysely, e.tenantId, {
      nome: 'Mercado Azul',
      contato: 'Ana',
      documento: cnpjFor(501),
      phones: [{ e164: '+5511987650001' }],
      emails: [{ email: 'ana@azul.com.br' }],
    });
    const phoneOnly = await insertLead(db.kysely, e.tenantId, {
      nome: 'Bar Sem Mail',
      contato: 'Zé',
      documento: cnpjFor(502),
      phones: [{ e164: '+5511987650002' }],
    });
    const res = await e.client.callTool({
      name: 'start_dispatch',
      arguments: { lead_ids: [withEmail, phoneOnly], campaign_key: 'recusa' },
    });
    expect((res.structuredContent as any).queued, textOf(res)).toBe(2);
    await e.drain(); // the WhatsApp refusals, then the fallback e-mail (due at once, on the same clock)
    expect(e.record('whatsapp')).toEqual([]);
    expect(e.record('email').map((m) => m.args.to)).toEqual(['ana@azul.com.br']);

    const a = await disparosOf(db, withEmail);
    expect(a).toEqual([
      expect.objectContaining({ canal: 'whatsapp', status: 'falhou', erro_classe: 'destino_invalido' }),
      expect.objectContaining({ canal: 'email', status: 'enviado', idempotency_key: `${a[0].idempotency_key}:email` }),
    ]);
    const phones = await rows<{ numero_e164: string; valido_para_disparo: boolean; motivo_invalido: string }>(
      db,
      `select numero_e164, valido_para_disparo, motivo_invalido from lead_telefones where lead_id in (?, ?) order by numero_e164`,
      withEmail,
      phoneOnly,
    );
    for (const p of phones) {
      expect(p.valido_para_disparo).toBe(false);
      expect(p.motivo_invalido).toMatch(/WhatsApp recusou o número/);
    }
    expect(await statusOf(db, withEmail)).toBe('contatado');
    expect((await history(db, withEmail)).map((x) => `${x.status_de}→${x.status_para}`)).toEqual([
      'novo→em_disparo',
      'em_disparo→contatado',
    ]);

    expect(await disparosOf(db, phoneOnly)).toEqual([
      expect.objectContaining({ canal: 'whatsapp', status: 'falhou', erro_classe: 'destino_invalido' }),
    ]);
    expect(await statusOf(db, phoneOnly)).toBe('sem_canal');
    expect((await history(db, phoneOnly)).map((x) => `${x.status_de}→${x.status_para}`)).toEqual([
      'novo→em_disparo',
      'em_disparo→sem_canal',
    ]);
    // Both campaign rows and the fallback are final: the campaign is done.
    const job = (
      (await e.client.callTool({ name: 'job_status', arguments: { job_id: (res.structuredContent as any).job_id } }))
        .structuredContent as any
    ).jobs[0];
    expect(job).toMatchObject({ status: 'concluido', counts: { falhou: 2, enviado: 1, total: 3 } });
    // The next decision for the lead without a channel says so.
    const d = (
      (await e.client.callTool({ name: 'decide_channel', arguments: { lead_id: phoneOnly } })).structuredContent as any
    ).decisions[0];
    expect(d).toMatchObject({ channel: 'none', block_code: 'sem_canal' });
  });
});
