import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerDeps } from '../../src/deps.js';
import { serveHttp, type HttpServerHandle } from '../../src/http/serve.js';
import { InboundProcessor } from '../../src/inbound/processor.js';
import { createLogger } from '../../src/logger.js';
import { withTenant } from '../../src/db/tenant.js';
import { openTestDb, testDbKind, type TestDb } from '../helpers/db.js';
import { connectClient, makeDeps } from '../helpers/server.js';
import { asOwner } from '../helpers/tenant-seed.js';
import { plantingFixtures } from '../helpers/transition-guard.js';
import { clearTextHitsIn, CPF, EMAIL, FORMS, NAME, SHEET, wahaReply } from '../helpers/lgpd-person.js';

/**
 * LGPD erasure end to end (issue 17, step 7): a person in two leads (her own, by CPF, and a company's
 * whose contact she is, sharing her phone and e-mail), with a message sent, a dry run, a WhatsApp
 * reply that came in through a signed webhook (its raw body stored), and a meeting. The export before
 * the erase holds all of it; afterwards no text, jsonb or array column of any table holds her name,
 * phone, e-mail or document in any form, no log line of the whole test does, and re-importing the same
 * sheet brings both leads back suppressed, which decide_channel blocks.
 */
describe(`LGPD erase of a person (${testDbKind()})`, () => {
  let db: TestDb;
  let deps: ServerDeps;
  let http: HttpServerHandle;
  let inbound: InboundProcessor;
  let client: Awaited<ReturnType<typeof connectClient>>;
  const logLines: string[] = [];
  const t = () => deps.tenant.tenant_id;

  beforeAll(async () => {
    db = await openTestDb();
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger('debug', sink);
    deps = await makeDeps(db, { tenantSlug: `lgpd-${Math.random().toString(36).slice(2, 8)}`, logger });
    inbound = new InboundProcessor({ db: db.kysely, clock: deps.clock, logger });
    http = await serveHttp(deps, {
      host: '127.0.0.1',
      port: 0,
      auth: 'token',
      inboundStored: (id) => inbound.kick(id),
    });
    client = await connectClient(deps);
  });
  afterAll(async () => {
    await client?.closeAll();
    await inbound?.stop();
    await http?.close();
    await db?.destroy();
  });

  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: args });
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    return r.structuredContent as any;
  };
  const ingest = (args: Record<string, unknown> = {}) =>
    call('ingest_leads', { content_base64: Buffer.from(SHEET).toString('base64'), filename: 'devedores.csv', ...args });
  const q = <T>(fn: Parameters<typeof withTenant<T>>[2]) => withTenant(db.kysely, t(), fn);

  const clearTextHits = () => clearTextHitsIn(db.kysely, FORMS);

  it(
    'exports everything, erases every clear occurrence, keeps counts, and a re-import comes back suppressed',
    { timeout: 120_000 },
    async () => {
      // 1. The import (no legal basis given: the row with a debt is art. 7 X, the others IX).
      const job = (await ingest()).job;
      expect(job.status).toBe('concluido');
      const leads = await q((tx) =>
        tx.selectFrom('leads').select(['lead_id', 'nome', 'base_legal', 'documento']).orderBy('nome').execute(),
      );
      expect(leads.map((l) => [l.nome, l.base_legal])).toEqual([
        ['Albuquerque Doces ME', 'legitimo_interesse'],
        [NAME, 'protecao_credito'],
        ['Outro Cliente Ltda', 'legitimo_interesse'],
      ]);
      const [company, person, other] = leads;
      // The basis is shown in the lead view, per source row too.
      const view = (await call('query_leads', { lead_id: person.lead_id })).lead;
      expect([view.legal_basis, view.origin[0].legal_basis]).toEqual(['protecao_credito', 'protecao_credito']);
      const jobRow = await q((tx) =>
        tx
          .selectFrom('ingest_jobs')
          .select(['base_legal', 'base_legal_informada', 'leads_criados'])
          .executeTakeFirstOrThrow(),
      );
      expect(jobRow).toEqual({ base_legal: null, base_legal_informada: false, leads_criados: 3 });

      // 2. A message sent, a dry run, a reply through the signed WAHA webhook, a meeting.
      await q(async (tx) => {
        await plantingFixtures(tx); // a message already sent (the test guard allows only initial states)
        await tx
          .insertInto('disparos')
          .values({
            tenant_id: t(),
            lead_id: person.lead_id,
            canal: 'whatsapp',
            destino: '+5511987654321',
            template: 'cobranca_padrao_whatsapp',
            variaveis: JSON.stringify({ contato: NAME, documento_mascarado: '***.982.247-**' }),
            conteudo: `Olá ${NAME}, aqui é a Alquimista Cobranças sobre o CPF 529.982.247-25.`,
            idempotency_key: `lgpd-${person.lead_id}`,
            status: 'enviado',
            enviado_em: new Date().toISOString(),
            message_id_externo: 'true_5511987654321@c.us_3EB0AAA',
            resposta_bruta: JSON.stringify({ id: 'true_5511987654321@c.us_3EB0AAA', to: '5511987654321@c.us' }),
          } as never)
          .execute();
        await tx
          .insertInto('agendamentos')
          .values({
            tenant_id: t(),
            lead_id: company.lead_id,
            inicio: '2026-12-10T13:00:00Z',
            fim: '2026-12-10T13:30:00Z',
            timezone: 'America/Sao_Paulo',
            titulo: `Reunião — ${NAME}`,
            descricao: `Contato: ${EMAIL}, (11) 98765-4321`,
          })
          .execute();
      });
      const dry = await call('dry_run_dispatch', { lead_ids: [person.lead_id, company.lead_id] });
      expect(dry).toBeTruthy();
      const reply = await wahaReply(db.kysely, deps.tenant.slug, http.url, {
        from: '5511987654321@c.us',
        id: 'LGPD1',
        text: `Aqui é ${NAME}, CPF 529.982.247-25, escreva para ${EMAIL}`,
        pushName: NAME,
      });
      expect(reply).toBe(200);
      await inbound.idle();

      // 3. The request, and the export before the erase: every table where she is.
      const opened = await call('lgpd_request', {
        action: 'open',
        type: 'erasure',
        document: '529.982.247-25',
        phone: '11 98765-4321',
        email: EMAIL,
      });
      const req = opened.requests[0];
      expect(req).toMatchObject({ type: 'erasure', status: 'open', overdue: false });
      expect(new Date(req.due_at).getTime() - new Date(req.received_at).getTime()).toBe(15 * 86_400_000);
      const exp = await call('lgpd_request', {
        action: 'export',
        document: CPF,
        phone: '+5511987654321',
        email: EMAIL,
      });
      const count = (table: string) => exp.data[table].length;
      expect(exp.data.leads.map((l: any) => l.nome).sort()).toEqual(['Albuquerque Doces ME', NAME]);
      expect([count('lead_telefones'), count('lead_emails'), count('dividas')]).toEqual([2, 2, 1]);
      expect([
        count('disparos'),
        count('mensagens_recebidas'),
        count('eventos_recebidos'),
        count('agendamentos'),
      ]).toEqual([1, 1, 1, 1]);
      expect(count('dry_run_log')).toBeGreaterThanOrEqual(2);
      expect(count('lgpd_solicitacoes')).toBe(1);
      const dump = JSON.stringify(exp.data);
      for (const f of [NAME, CPF, '+5511987654321', EMAIL, 'LGPD1', 'Reunião']) expect(dump).toContain(f);
      expect(exp.data.eventos_recebidos[0].corpo).toContain('5511987654321@c.us');
      expect(exp.data.mensagens_recebidas[0].texto).toContain(NAME);
      expect(exp.truncated).toEqual([]);
      expect((await clearTextHits()).length).toBeGreaterThan(10);

      // 4. The erase: needs the open erasure request for the same person; completes it.
      const before = await asOwner(db.kysely, (tx) =>
        sql<{
          n: string;
        }>`select (select count(*) from disparos)::text || '/' || (select count(*) from mensagens_recebidas)
        || '/' || (select count(*) from eventos_recebidos) || '/' || (select count(*) from agendamentos) || '/'
        || (select count(*) from leads) || '/' || (select leads_criados from ingest_jobs where job_id = ${job.job_id}) as n`.execute(
          tx,
        ),
      );
      const wrong = await client.callTool({
        name: 'lgpd_request',
        arguments: { action: 'erase', request_id: req.request_id, email: 'joao@outro.com.br' },
      });
      expect(wrong.isError).toBe(true);
      const erased = await call('lgpd_request', {
        action: 'erase',
        request_id: req.request_id,
        document: CPF,
        phone: '(11) 98765-4321',
        email: EMAIL,
      });
      expect(erased.requests[0]).toMatchObject({ status: 'done', type: 'erasure' });
      expect(erased.changed).toMatchObject({
        leads: 2,
        lead_telefones: 2,
        lead_emails: 2,
        disparos: 1,
        mensagens_recebidas: 1,
        eventos_recebidos: 1,
        agendamentos: 1,
      });

      // 5. Nothing in clear anywhere; ids and counts kept; the other lead untouched.
      expect(await clearTextHits()).toEqual([]);
      const after = await asOwner(db.kysely, (tx) =>
        sql<{
          n: string;
        }>`select (select count(*) from disparos)::text || '/' || (select count(*) from mensagens_recebidas)
        || '/' || (select count(*) from eventos_recebidos) || '/' || (select count(*) from agendamentos) || '/'
        || (select count(*) from leads) || '/' || (select leads_criados from ingest_jobs where job_id = ${job.job_id}) as n`.execute(
          tx,
        ),
      );
      expect(after.rows[0].n).toBe(before.rows[0].n);
      const kept = await q((tx) =>
        tx.selectFrom('leads').select(['lead_id', 'status', 'nome']).orderBy('lead_id').execute(),
      );
      expect(kept.find((l) => l.lead_id === person.lead_id)).toMatchObject({
        status: 'opt_out',
        nome: '[titular anonimizado]',
      });
      expect(kept.find((l) => l.lead_id === other.lead_id)).toMatchObject({
        status: 'novo',
        nome: 'Outro Cliente Ltda',
      });
      const sup = await q((tx) =>
        tx.selectFrom('supressoes').select(['tipo', 'valor', 'origem']).orderBy('tipo').execute(),
      );
      expect(sup.map((s) => [s.tipo, s.origem, /^hmac:[0-9a-f]{64}$/.test(s.valor)])).toEqual([
        ['documento', 'lgpd', true],
        ['documento', 'lgpd', true],
        ['email', 'lgpd', true],
        ['telefone', 'lgpd', true],
      ]);

      // 6. The same sheet again: both of her leads are born suppressed; decide_channel blocks them.
      const again = (await ingest({ legal_basis: 'protecao_credito' })).job;
      expect(again.status).toBe('concluido');
      const back = await q((tx) =>
        tx
          .selectFrom('leads')
          .select(['lead_id', 'nome', 'status', 'base_legal'])
          .where('nome', 'in', [NAME, 'Albuquerque Doces ME'])
          .orderBy('nome')
          .execute(),
      );
      expect(back.map((l) => [l.nome, l.status, l.base_legal])).toEqual([
        ['Albuquerque Doces ME', 'opt_out', 'protecao_credito'],
        [NAME, 'opt_out', 'protecao_credito'],
      ]);
      const decided = await call('decide_channel', { lead_ids: back.map((l) => l.lead_id) });
      expect(decided.decisions.map((d: any) => d.block_code)).toEqual(['opt_out', 'opt_out']);
      const why = await q((tx) =>
        tx
          .selectFrom('lead_eventos')
          .select('motivo')
          .where('lead_id', '=', back[1].lead_id)
          .where('status_para', '=', 'opt_out')
          .execute(),
      );
      expect(why.map((w) => w.motivo)).toEqual([expect.stringContaining('lista de supressão')]);
      expect(
        (
          await q((tx) =>
            tx.selectFrom('leads').select('status').where('lead_id', '=', other.lead_id).executeTakeFirstOrThrow(),
          )
        ).status,
      ).toBe('novo');

      // 6b. A later sheet lists her phone under another (kept) company: that lead is suppressed at once.
      const later = 'Nome,CPF/CNPJ,Telefone\nOutro Cliente Ltda,12.345.678/0001-95,(11) 98765-4321\n';
      const merged = await call('ingest_leads', {
        content_base64: Buffer.from(later).toString('base64'),
        filename: 'novos.csv',
      });
      expect(merged.job.counts.leads_updated).toBe(1);
      const blocked = await call('decide_channel', { lead_ids: [other.lead_id] });
      expect(blocked.decisions.map((d: any) => d.block_code)).toEqual(['suprimido']);

      // 7. No log line of the whole test names her.
      expect(logLines.length).toBeGreaterThan(0);
      const leaked = logLines.filter((l) => FORMS.some((f) => l.toLowerCase().includes(f.toLowerCase())));
      expect(leaked).toEqual([]);
    },
  );
});
