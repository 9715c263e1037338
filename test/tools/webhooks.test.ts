import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/ports.js';
import { withTenant } from '../../src/db/tenant.js';
import { serveHttp, type HttpServerHandle } from '../../src/http/serve.js';
import { createEndpoint } from '../../src/http/webhooks/endpoints.js';
import { InboundProcessor } from '../../src/inbound/processor.js';
import type { ServerDeps } from '../../src/deps.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { plantDisparo } from '../helpers/disparos.js';
import { insertLead } from '../helpers/fixtures.js';
import { makeDeps } from '../helpers/server.js';
import * as P from '../helpers/webhook-payloads.js';

/**
 * The webhook receiver end to end in process: real HTTP requests signed as each provider signs them
 * (valid, invalid, replayed, unsigned), stored raw, processed by the inbound processor.
 */
describe(`provider webhooks (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let http: HttpServerHandle;
  let inbound: InboundProcessor;
  let base: string;
  const t = () => deps.tenant.tenant_id;
  const now = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    db = await openTestDb();
    deps = await makeDeps(db, { tenantSlug: `wh-${Math.random().toString(36).slice(2, 8)}` });
    inbound = new InboundProcessor({ db: db.kysely, clock: deps.clock, logger: silentLogger });
    http = await serveHttp(deps, {
      host: '127.0.0.1',
      port: 0,
      auth: 'token',
      inboundStored: (id) => inbound.kick(id),
    });
    base = http.url.replace(/\/mcp$/, '');
  });
  afterAll(async () => {
    await inbound?.stop();
    await http?.close();
    await db?.destroy();
  });

  const endpoint = async (provider: 'whatsapp_cloud' | 'twilio' | 'waha' | 'evolution', secret: string) =>
    `/webhooks/${provider}/${
      (
        await createEndpoint(db.kysely, {
          tenantSlug: deps.tenant.slug,
          provider,
          secret,
          verifyToken: provider === 'whatsapp_cloud' ? 'meu-token' : undefined,
        })
      ).endpoint_id
    }`;
  const post = async (path: string, body: string, headers: Record<string, string>) => {
    const r = await fetch(`${base}${path}`, { method: 'POST', body, headers });
    const out = { status: r.status, body: await r.text() };
    await inbound.idle();
    return out;
  };
  const lead = (name: string, phone: string, email?: string, status = 'contatado') =>
    insertLead(db.kysely, t(), {
      nome: name,
      status,
      phones: [{ e164: phone }],
      emails: email ? [{ email }] : [],
    });
  const q = <T>(fn: Parameters<typeof withTenant<T>>[2]) => withTenant(db.kysely, t(), fn);
  const statusOf = (leadId: string) =>
    q((tx) => tx.selectFrom('leads').select('status').where('lead_id', '=', leadId).executeTakeFirstOrThrow()).then(
      (r) => r.status,
    );
  const events = () => q((tx) => tx.selectFrom('eventos_recebidos').select(['evento_id', 'processado_em']).execute());

  it('WhatsApp Cloud API: hub.challenge; a signed opt-out from the old 8-digit id opts the lead out, once', async () => {
    const path = await endpoint('whatsapp_cloud', 'app-secret-meta');
    const ok = await fetch(`${base}${path}?hub.mode=subscribe&hub.verify_token=meu-token&hub.challenge=1158201444`);
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    const bad = await fetch(`${base}${path}?hub.mode=subscribe&hub.verify_token=outro&hub.challenge=1`);
    expect(bad.status).toBe(403);

    const leadId = await lead('Loja Meta', '+5531987654321', 'rita@meta.com.br');
    const body = JSON.stringify(P.metaMessage({ from: '553187654321', id: 'wamid.IN1', text: 'SAIR', ts: now - 5 }));
    const before = (await events()).length;
    expect((await post(path, body, { 'content-type': 'application/json' })).status).toBe(401);
    expect(
      (
        await post(path, body, {
          'content-type': 'application/json',
          'x-hub-signature-256': P.metaSignature('wrong', body),
        })
      ).status,
    ).toBe(403);
    expect((await events()).length).toBe(before);
    expect(await statusOf(leadId)).toBe('contatado');

    const signed = {
      'content-type': 'application/json',
      'x-hub-signature-256': P.metaSignature('app-secret-meta', body),
    };
    const first = await post(path, body, signed);
    expect(first).toEqual({ status: 200, body: JSON.stringify({ ok: true, duplicate: false }) });
    expect(await statusOf(leadId)).toBe('opt_out');
    // Replayed (or retried by Meta): answered 200, stored once, processed once.
    const again = await post(path, body, signed);
    expect(again).toEqual({ status: 200, body: JSON.stringify({ ok: true, duplicate: true }) });
    const msgs = await q((tx) =>
      tx
        .selectFrom('mensagens_recebidas')
        .select(['provedor', 'atribuicao', 'remetente_formas'])
        .where('lead_id', '=', leadId)
        .execute(),
    );
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ provedor: 'whatsapp_cloud', atribuicao: 'destino' });
    expect(msgs[0].remetente_formas).toEqual(expect.arrayContaining(['+5531987654321', '+553187654321']));
    expect(http.webhookCounts).toMatchObject({
      'whatsapp_cloud.unsigned': 1,
      'whatsapp_cloud.bad_signature': 1,
      'whatsapp_cloud.accepted': 1,
      'whatsapp_cloud.duplicate': 1,
    });
  });

  it('WhatsApp Cloud API: statuses are monotonic out of order; a failed 131026 marks the phone and queues the e-mail', async () => {
    const path = await endpoint('whatsapp_cloud', 'app-secret-2');
    const leadId = await insertLead(db.kysely, t(), {
      nome: 'Loja Status',
      contato: 'Carla',
      documento: '11222333000181',
      status: 'contatado',
      phones: [{ e164: '+5521987650001' }],
      emails: [{ email: 'compras@status.com.br' }],
    });
    const d1 = await plantDisparo(db.kysely, t(), leadId, {
      status: 'enviado',
      destino: '+5521987650001',
      message_id_externo: 'wamid.OUT1',
    });
    const send = (s: 'sent' | 'delivered' | 'read' | 'failed', id: string, ts: number) => {
      const body = JSON.stringify(P.metaStatus({ id, status: s, ts, to: '5521987650001' }));
      return post(path, body, {
        'content-type': 'application/json',
        'x-hub-signature-256': P.metaSignature('app-secret-2', body),
      });
    };
    await send('read', 'wamid.OUT1', now - 10);
    await send('delivered', 'wamid.OUT1', now - 20); // late: changes nothing
    await send('sent', 'wamid.OUT1', now - 30);
    const row = await q((tx) =>
      tx
        .selectFrom('disparos')
        .select(['entrega', 'lido_em', 'entregue_em'])
        .where('disparo_id', '=', d1)
        .executeTakeFirstOrThrow(),
    );
    expect(row.entrega).toBe('lido');
    expect(new Date(row.lido_em!).getTime()).toBe((now - 10) * 1000);
    expect(row.entregue_em).toBeNull();

    const d2 = await plantDisparo(db.kysely, t(), leadId, {
      status: 'enviado',
      destino: '+5521987650001',
      message_id_externo: 'wamid.OUT2',
    });
    await send('sent', 'wamid.OUT2', now - 5);
    await send('failed', 'wamid.OUT2', now - 4);
    const after = await q(async (tx) => ({
      d: await tx
        .selectFrom('disparos')
        .select(['entrega', 'entrega_codigo'])
        .where('disparo_id', '=', d2)
        .executeTakeFirstOrThrow(),
      phone: await tx
        .selectFrom('lead_telefones')
        .select('valido_para_disparo')
        .where('lead_id', '=', leadId)
        .executeTakeFirstOrThrow(),
      email: await tx
        .selectFrom('disparos')
        .select(['canal', 'destino', 'status'])
        .where('lead_id', '=', leadId)
        .where('canal', '=', 'email')
        .execute(),
      events: await tx
        .selectFrom('lead_eventos')
        .select('motivo')
        .where('lead_id', '=', leadId)
        .where('tipo', '=', 'entrega')
        .execute(),
    }));
    expect(after.d).toEqual({ entrega: 'falhou', entrega_codigo: '131026' });
    expect(after.phone.valido_para_disparo).toBe(false);
    expect(after.email).toEqual([{ canal: 'email', destino: 'compras@status.com.br', status: 'pendente' }]);
    expect(after.events.length).toBe(3); // OUT1: read only (the late delivered and sent move nothing); OUT2: sent, failed
    // The outbox: one event per delivery step that moved (the planted rows were inserted already sent; the
    // provider's own "sent" adds nothing to that), and the e-mail fallback queued.
    const outbox = await q((tx) =>
      tx
        .selectFrom('eventos_saida')
        .select(['tipo', 'assunto', 'dados'])
        .where('dados', '@>', JSON.stringify({ lead_id: leadId }) as never)
        .orderBy('id')
        .execute(),
    );
    expect(
      outbox.map((e) => [
        e.assunto === d1 ? 'OUT1' : e.assunto === d2 ? 'OUT2' : 'email',
        e.tipo.replace('br.com.alquimista.', ''),
      ]),
    ).toEqual([
      ['OUT1', 'disparo.sent'],
      ['OUT1', 'disparo.read'],
      ['OUT2', 'disparo.sent'],
      ['OUT2', 'disparo.failed'],
      ['email', 'disparo.queued'],
    ]);
  });

  it('Twilio: X-Twilio-Signature over URL + sorted params; a reply quoting our message is attributed by context', async () => {
    const path = await endpoint('twilio', 'twilio-auth-token');
    const a = await lead('Loja Twilio A', '+5511987650002');
    const b = await lead('Loja Twilio B', '+5511987650002'); // shares the phone
    await plantDisparo(db.kysely, t(), b, {
      status: 'enviado',
      destino: '+5511987650002',
      message_id_externo: 'SMb0000000000000000000000000000001',
    });
    const params = P.twilioInbound({
      sid: 'SMa0000000000000000000000000000009',
      from: '+5511987650002',
      body: 'Tenho interesse, pode ligar',
      repliedTo: 'SMb0000000000000000000000000000001',
    });
    const body = new URLSearchParams(params).toString();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const url = `${base}${path}`;
    expect((await post(path, body, form)).status).toBe(401);
    expect(
      (await post(path, body, { ...form, 'x-twilio-signature': P.twilioSignature('other', url, params) })).status,
    ).toBe(403);
    const sig = { ...form, 'x-twilio-signature': P.twilioSignature('twilio-auth-token', url, params) };
    expect((await post(path, body, sig)).status).toBe(200);
    expect((await post(path, body, sig)).body).toContain('"duplicate":true');
    expect(await statusOf(b)).toBe('respondeu');
    expect(await statusOf(a)).toBe('contatado');
    const m = await q((tx) =>
      tx
        .selectFrom('mensagens_recebidas')
        .select(['lead_id', 'atribuicao'])
        .where('message_id_externo', '=', params.MessageSid)
        .execute(),
    );
    expect(m).toEqual([{ lead_id: b, atribuicao: 'contexto' }]);

    // A status callback: undelivered 63024 after acceptance.
    const st = P.twilioStatus({
      sid: 'SMb0000000000000000000000000000001',
      status: 'undelivered',
      to: '+5511987650002',
      errorCode: '63024',
    });
    const stBody = new URLSearchParams(st).toString();
    expect(
      (await post(path, stBody, { ...form, 'x-twilio-signature': P.twilioSignature('twilio-auth-token', url, st) }))
        .status,
    ).toBe(200);
    const d = await q((tx) =>
      tx
        .selectFrom('disparos')
        .select(['entrega', 'entrega_codigo'])
        .where('lead_id', '=', b)
        .executeTakeFirstOrThrow(),
    );
    expect(d).toEqual({ entrega: 'falhou', entrega_codigo: '63024' });
  });

  it('shared phone, two leads: an interest reply is ambiguous (nothing moves); an opt-out suppresses it for both', async () => {
    const path = await endpoint('waha', 'waha-hmac-key');
    const a = await lead('Empresa Um', '+5541987650003');
    const b = await lead('Empresa Dois', '+5541987650003');
    const send = (id: string, text: string, ts = Date.now()) => {
      const body = JSON.stringify(
        P.wahaEvent({
          id,
          event: 'message',
          ts,
          payload: {
            id: `false_5541987650003@c.us_${id}`,
            timestamp: Math.floor(ts / 1000),
            from: '5541987650003@c.us',
            fromMe: false,
            to: '5511900000000@c.us',
            body: text,
            hasMedia: false,
            ack: 1,
            ackName: 'SERVER',
          },
        }),
      );
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'x-webhook-hmac': P.wahaSignature('waha-hmac-key', body),
          'x-webhook-hmac-algorithm': 'sha512',
          'x-webhook-timestamp': String(ts),
        },
      };
    };
    const interest = send('evt_01JINTEREST', 'tenho interesse, me liga');
    expect((await post(path, interest.body, interest.headers)).status).toBe(200);
    expect([await statusOf(a), await statusOf(b)]).toEqual(['contatado', 'contatado']);
    const m = await q((tx) =>
      tx
        .selectFrom('mensagens_recebidas')
        .select(['atribuicao', 'leads_candidatos', 'classe'])
        .where('message_id_externo', 'like', '%evt_01JINTEREST')
        .executeTakeFirstOrThrow(),
    );
    expect(m.atribuicao).toBe('ambigua');
    expect(m.classe).toBe('interesse');
    expect([...m.leads_candidatos].sort()).toEqual([a, b].sort());

    // Unsigned, badly signed, stale: refused, never stored.
    const optOut = send('evt_01JSTOP', 'parem de me mandar mensagem');
    expect((await post(path, optOut.body, { 'content-type': 'application/json' })).status).toBe(401);
    expect(
      (await post(path, optOut.body, { ...optOut.headers, 'x-webhook-hmac': P.wahaSignature('x', optOut.body) }))
        .status,
    ).toBe(403);
    const stale = send('evt_01JOLD', 'SAIR', Date.now() - 3_600_000);
    expect((await post(path, stale.body, stale.headers)).status).toBe(403);
    expect(http.webhookCounts).toMatchObject({ 'waha.unsigned': 1, 'waha.bad_signature': 1, 'waha.stale': 1 });

    expect((await post(path, optOut.body, optOut.headers)).status).toBe(200);
    expect((await post(path, optOut.body, optOut.headers)).body).toContain('"duplicate":true');
    const supp = await q((tx) =>
      tx.selectFrom('supressoes').select(['tipo', 'valor', 'origem']).where('valor', '=', '+5541987650003').execute(),
    );
    expect(supp).toEqual([{ tipo: 'telefone', valor: '+5541987650003', origem: 'opt_out' }]);
    // The destination is suppressed for both; neither lead is moved on a guess.
    expect([await statusOf(a), await statusOf(b)]).toEqual(['contatado', 'contatado']);
    const notes = await q((tx) =>
      tx
        .selectFrom('lead_eventos')
        .select('lead_id')
        .where('lead_id', 'in', [a, b])
        .where('tipo', '=', 'nota')
        .execute(),
    );
    expect(notes.map((n) => n.lead_id).sort()).toEqual([a, b].sort());
  });

  it('Evolution API: apikey header; messages.upsert and messages.update', async () => {
    const path = await endpoint('evolution', 'evo-instance-key');
    const leadId = await lead('Loja Evo', '+5551987650004');
    await plantDisparo(db.kysely, t(), leadId, {
      status: 'enviado',
      destino: '+5551987650004',
      message_id_externo: '3EB0C431C26A1916E07A',
    });
    const body = JSON.stringify(
      P.evolutionUpsert({
        jid: '5551987650004@s.whatsapp.net',
        id: 'BAE5F1A9C3D2E1F0',
        text: 'Confirmado, obrigado',
        ts: now - 3,
        apikey: 'evo-instance-key',
        quoted: '3EB0C431C26A1916E07A',
      }),
    );
    const json = { 'content-type': 'application/json' };
    expect((await post(path, body, json)).status).toBe(401);
    expect((await post(path, body, { ...json, apikey: 'wrong' })).status).toBe(403);
    expect((await post(path, body, { ...json, apikey: 'evo-instance-key' })).status).toBe(200);
    expect((await post(path, body, { ...json, apikey: 'evo-instance-key' })).body).toContain('"duplicate":true');
    expect(await statusOf(leadId)).toBe('respondeu');
    const upd = JSON.stringify(
      P.evolutionUpdate({
        keyId: '3EB0C431C26A1916E07A',
        jid: '5551987650004@s.whatsapp.net',
        status: 'READ',
        apikey: 'evo-instance-key',
      }),
    );
    expect((await post(path, upd, { ...json, apikey: 'evo-instance-key' })).status).toBe(200);
    const d = await q((tx) =>
      tx.selectFrom('disparos').select('entrega').where('lead_id', '=', leadId).executeTakeFirstOrThrow(),
    );
    expect(d.entrega).toBe('lido');
  });

  it('refuses unknown endpoints, wrong providers and oversized bodies; every stored event is processed', async () => {
    expect((await post('/webhooks/waha/aaaaaaaaaaaaaaaaaaaaaaaa', '{}', {})).status).toBe(404);
    expect((await post('/webhooks/telegram/aaaaaaaaaaaaaaaaaaaaaaaa', '{}', {})).status).toBe(404);
    const path = await endpoint('evolution', 'k2');
    const big = 'x'.repeat(2 * 1024 * 1024);
    expect((await post(path, big, { apikey: 'k2' })).status).toBe(413);
    expect((await events()).every((e) => e.processado_em !== null)).toBe(true);
  });
});
