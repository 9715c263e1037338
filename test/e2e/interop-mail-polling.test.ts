/**
 * The e-mail return path end to end, offline, on PGlite and PostgreSQL: our e-mail goes out through
 * mcp-mail-server (npm) over SMTP; the person's reply comes back over SMTP into a real Dovecot (Debian
 * dovecot-imapd; the loopback MX hands it to dovecot-lda, as Postfix would); the `inbox` command —
 * the one cron runs — reads it through mcp-mail-server's IMAP search (the 'mcp-mail-server' preset's
 * inbound operation) and processes it. The reply says "SAIR" under the quoted original: the person
 * ends opted out and suppressed; a second run adds nothing; the copy of our own e-mail that the server
 * filed in Sent is not read as a reply.
 *
 * mcp-mail-server's search answer carries no Message-ID or In-Reply-To (its fetch keeps uid, date, from,
 * subject, text, html), so here the reply is attributed by its sender; attribution by In-Reply-To to our
 * Message-ID is shown with the sandbox server in test/tools/inbox-polling.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpChannelClient } from '../../src/channels/channel-client.js';
import { McpConfigSchema } from '../../src/channels/config.js';
import { McpClientPool } from '../../src/channels/pool.js';
import { silentLogger } from '../../src/core/ports.js';
import { openDb, type Db } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { ensureTenant } from '../../src/db/tenant.js';
import { createPgDatabase } from '../helpers/db.js';
import { plantDisparo } from '../helpers/disparos.js';
import { insertLead } from '../helpers/fixtures.js';
import { cleanEnv, runMain, tempDir } from '../helpers/spawn.js';
import { asOwner } from '../helpers/tenant-seed.js';
import { startDovecot, type Dovecot } from '../interop/dovecot.js';
import { closePool, packageBin } from '../interop/helpers.js';
import { smtpSend, startMx, type Mx } from '../interop/mx.js';

const USER = 'cobranca@alquimista.ai';
const PASS = 'segredo-de-teste';
const ANA = 'ana.souza@padaria.com.br';

describe('interop: a reply over SMTP into Dovecot, polled through mcp-mail-server by `inbox`', () => {
  let dovecot: Dovecot;
  let mx: Mx;
  let pool: McpClientPool;
  let mcpServer: Record<string, unknown>;
  let sentId: string;
  const cleanup: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    dovecot = await startDovecot({ [USER]: PASS });
    mx = await startMx(dovecot, [USER]);
    mcpServer = {
      command: process.execPath,
      args: [packageBin('mcp-mail-server')],
      env: {
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(dovecot.port),
        IMAP_SECURE: 'false',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(mx.port),
        SMTP_SECURE: 'false',
        EMAIL_USER: USER,
        EMAIL_PASS: PASS,
      },
    };
    const config = McpConfigSchema.parse({
      mcpServers: { mail: mcpServer },
      channels: { email: { server: 'mail', preset: 'mcp-mail-server' } },
    });
    pool = new McpClientPool(config.mcpServers, silentLogger);
    const channels = new McpChannelClient(config, pool, silentLogger, {}, 20_000);
    await channels.verify();
    // Our e-mail to Ana, through the real server: it leaves by the MX and a copy is filed in Sent.
    const out = await channels.send('email', {
      to: ANA,
      subject: 'Boleto de dezembro — Padaria Pão Quente',
      text: 'Olá, Ana! Seu boleto vence dia 10.\nPara não receber mais, responda SAIR.',
      idempotencyKey: 'poll-1',
    });
    if (!out.ok || !out.messageId) throw new Error(`send failed: ${JSON.stringify(out)}`);
    sentId = out.messageId;
    expect(mx.outbound).toHaveLength(1);
    expect(dovecot.messages(USER, 'Sent').some((m) => m.includes(sentId))).toBe(true);
    // Ana answers from her mail client: SMTP to our MX, In-Reply-To our Message-ID, the original quoted.
    const reply = [
      `From: Ana Souza <${ANA}>`,
      `To: ${USER}`,
      'Subject: Re: Boleto de dezembro — Padaria Pão Quente',
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <resposta-${Date.now()}@padaria.com.br>`,
      `In-Reply-To: <${sentId}>`,
      `References: <${sentId}>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'SAIR. Pare de me mandar mensagens, por favor.',
      '',
      `Em ${new Date().toLocaleDateString('pt-BR')}, Cobrança <${USER}> escreveu:`,
      '> Olá, Ana! Seu boleto vence dia 10.',
      '> Para não receber mais, responda SAIR.',
      '',
    ].join('\n');
    await smtpSend(mx.port, ANA, USER, reply);
    expect(dovecot.messages(USER, '').some((m) => m.includes(`In-Reply-To: <${sentId}>`))).toBe(true);
  });

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await closePool(pool);
    await mx?.close();
    await dovecot?.stop();
  });

  for (const kind of ['pglite', 'postgres'] as const) {
    it(`${kind}: the reply is read once, the person ends opted out and suppressed; a second run adds nothing`, async () => {
      const dir = tempDir('inbox-e2e-');
      let db: Db;
      let dbEnv: Record<string, string>;
      if (kind === 'pglite') {
        const dataDir = join(dir, 'pglite');
        db = await openDb({ dataDir });
        await migrate(db);
        dbEnv = { AGENTE_DATA_DIR: dataDir };
      } else {
        const { url, drop } = await createPgDatabase();
        db = await openDb({ databaseUrl: url });
        dbEnv = { DATABASE_URL: url };
        cleanup.push(drop);
      }
      const tenant = await ensureTenant(db.kysely, 'caixa');
      const lead = await insertLead(db.kysely, tenant.tenant_id, {
        nome: 'Padaria Pão Quente',
        status: 'contatado',
        emails: [{ email: ANA }],
      });
      await plantDisparo(db.kysely, tenant.tenant_id, lead, {
        status: 'enviado',
        canal: 'email',
        destino: ANA,
        enviado_em: new Date(Date.now() - 60_000).toISOString(),
        message_id_externo: sentId,
      });
      await db.close(); // PGlite: one process at a time; the command opens it.
      const mcpConfig = join(dir, 'mcp.json');
      writeFileSync(
        mcpConfig,
        JSON.stringify({
          mcpServers: { mail: mcpServer },
          channels: { email: { server: 'mail', preset: 'mcp-mail-server' } },
        }),
      );
      const env = cleanEnv({ ...dbEnv, AGENTE_TENANT: 'caixa', AGENTE_MCP_CONFIG: mcpConfig });
      const first = await runMain(['inbox'], env);
      expect(first.code, first.stderr).toBe(0);
      const r1 = JSON.parse(first.stdout.trim().split('\n').pop()!);
      expect(r1.sources).toEqual([
        expect.objectContaining({ origin: 'email:inbound:mail', fetched: 1, stored: 1, error: null }),
      ]);
      expect(r1.processed).toMatchObject({ messages: 1, duplicates: 0, opt_outs: 1 });
      expect(first.stderr).toMatch(/1 new message\(s\), 1 opt-out\(s\)/);

      const second = await runMain(['inbox'], env);
      expect(second.code, second.stderr).toBe(0);
      const r2 = JSON.parse(second.stdout.trim().split('\n').pop()!);
      // Read again (the date mark re-reads its day), stored nothing.
      expect(r2.sources[0]).toMatchObject({ fetched: 1, stored: 0, duplicates: 1, error: null });
      expect(r2.processed).toMatchObject({ events: 0, messages: 0 });

      const check =
        kind === 'pglite'
          ? await openDb({ dataDir: dbEnv.AGENTE_DATA_DIR })
          : await openDb({ databaseUrl: dbEnv.DATABASE_URL });
      try {
        const [msgs, leadRow, sup, cursor] = await asOwner(check.kysely, (tx) =>
          Promise.all([
            tx.selectFrom('mensagens_recebidas').selectAll().where('tenant_id', '=', tenant.tenant_id).execute(),
            tx.selectFrom('leads').select('status').where('lead_id', '=', lead).executeTakeFirstOrThrow(),
            tx
              .selectFrom('supressoes')
              .select(['tipo', 'valor', 'origem'])
              .where('tenant_id', '=', tenant.tenant_id)
              .execute(),
            tx.selectFrom('caixas_entrada').selectAll().where('tenant_id', '=', tenant.tenant_id).execute(),
          ]),
        );
        expect(msgs).toHaveLength(1);
        expect(msgs[0]).toMatchObject({
          provedor: 'polling',
          canal: 'email',
          remetente: ANA,
          classe: 'opt_out',
          lead_id: lead,
          atribuicao: 'destino',
          texto: 'SAIR. Pare de me mandar mensagens, por favor.',
        });
        expect(msgs[0].message_id_externo).toMatch(/^imap-uid:\d+$/);
        expect(leadRow.status).toBe('opt_out');
        expect(sup).toEqual([{ tipo: 'email', valor: ANA, origem: 'opt_out' }]);
        expect(cursor).toHaveLength(1);
        expect(cursor[0]).toMatchObject({ origem: 'email:inbound:mail', ultimo_erro: null });
        expect(Date.parse(cursor[0].marca!)).toBeGreaterThan(Date.now() - 3_600_000);
      } finally {
        await check.close();
      }
    }, 120_000);
  }
});
