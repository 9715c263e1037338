/**
 * The executor over a real channel layer, for the interop tests: a tenant whose send window is always
 * open and whose pace is unlimited, leads with a phone and an e-mail, disparos queued directly, and a
 * drain that runs the executor until nothing is due (retries made due at once).
 *
 * The disparos are sales-contact notices (contato_comercial_*, variaveis.__cobranca false), not
 * collections: a collection message keeps the hours the law allows in the lead's state whatever the
 * tenant's window says (state-contact-rules.ts), so these plumbing checks would turn into "adiado" at
 * night, on Sundays and holidays. test/e2e/collection-hours-clock.test.ts covers those hours.
 */
import { sql } from 'kysely';
import type { McpChannelClient } from '../../src/channels/channel-client.js';
import { Executor } from '../../src/core/dispatch/executor.js';
import { setRateLimit } from '../../src/core/dispatch/rate-limit.js';
import { savePolicy } from '../../src/core/outreach/policy.js';
import { silentLogger, systemClock } from '../../src/core/ports.js';
import type { Db } from '../../src/db/connect.js';
import { ensureTenant, withTenant } from '../../src/db/tenant.js';
import { insertLead } from '../helpers/fixtures.js';
import { TEST_CREDITOR } from '../helpers/server.js';

export interface DisparoRow {
  disparo_id: string;
  lead_id: string;
  canal: string;
  destino: string;
  status: string;
  tentativas: number;
  erro_classe: string | null;
  erro: string | null;
  motivo: string | null;
  message_id_externo: string | null;
  idempotency_key: string;
}

let seq = 0;

export async function dispatchHarness(db: Db, channels: McpChannelClient, opts: { sendTimeoutMs?: number } = {}) {
  const tenant = await ensureTenant(db.kysely, `interop-${Math.random().toString(36).slice(2, 8)}`);
  const t = tenant.tenant_id;
  await withTenant(db.kysely, t, async (tx) => {
    await savePolicy(tx, t, {
      remetente: 'Alquimista Cobranças',
      janela: { dias: Array(7).fill({ inicio: '00:00', fim: '24:00' }), respeitar_feriados: false },
      maxPorLead24h: 10,
      credor: TEST_CREDITOR, // a collection message names its creditor (CDC art. 42-A)
    });
    await setRateLimit(tx, t, 'whatsapp', null);
    await setRateLimit(tx, t, 'email', null);
  });
  const executor = new Executor({
    db: db.kysely,
    channel: channels,
    clock: systemClock,
    logger: silentLogger,
    workerId: `interop-${t.slice(0, 8)}`,
    idleMs: 20,
    sendTimeoutMs: opts.sendTimeoutMs,
  });
  const rows = async (): Promise<DisparoRow[]> =>
    (
      await withTenant(db.kysely, t, (tx) =>
        sql<DisparoRow>`
        select disparo_id, lead_id, canal, destino, status, tentativas, erro_classe, erro, motivo, message_id_externo, idempotency_key
        from disparos where tenant_id = ${t} order by created_at, canal`.execute(tx),
      )
    ).rows;
  return {
    tenantId: t,
    rows,
    /** A lead (status em_disparo) with one mobile and one e-mail, and a WhatsApp disparo to the phone. */
    async queue(spec: { phone: string; email?: string; key: string; text?: string; canal?: 'whatsapp' | 'email' }) {
      const leadId = await insertLead(db.kysely, t, {
        nome: `Padaria ${spec.key}`,
        contato: 'Maria Souza',
        documento: String(10_000_000_000_000 + ++seq),
        status: 'em_disparo',
        phones: [{ e164: spec.phone }],
        emails: spec.email ? [{ email: spec.email }] : [],
      });
      const canal = spec.canal ?? 'whatsapp';
      await withTenant(db.kysely, t, (tx) =>
        sql`
        insert into disparos (tenant_id, lead_id, canal, destino, template, variaveis, conteudo, assunto, idempotency_key, status)
        values (${t}, ${leadId}, ${canal}, ${canal === 'whatsapp' ? spec.phone : spec.email!},
                ${canal === 'whatsapp' ? 'contato_comercial_whatsapp_v1' : 'contato_comercial_email_v1'}, '{"__cobranca": false}'::jsonb,
                ${spec.text ?? 'Olá, Maria! Podemos conversar sobre a Padaria?'}, ${canal === 'email' ? 'Podemos conversar?' : null},
                ${spec.key}, 'pendente')
        on conflict (tenant_id, idempotency_key) do nothing`.execute(tx),
      );
      return leadId;
    },
    /** Runs rounds until nothing is due; pending retries are made due at once (bounded). */
    async drain(rounds = 8) {
      for (let i = 0; i < rounds; i++) {
        const worked = await executor.tick();
        await executor.stop(); // waits for the batches in flight
        if (!worked) break;
      }
    },
    /** Makes pending retries due now (their backoff is wall-clock). */
    async makeDue() {
      await withTenant(db.kysely, t, (tx) =>
        sql`update disparos set proxima_tentativa_em = now() - interval '1 second' where tenant_id = ${t} and status = 'pendente'`.execute(
          tx,
        ),
      );
    },
    async phone(leadId: string) {
      return (
        await withTenant(db.kysely, t, (tx) =>
          sql<{
            valido_para_disparo: boolean;
            motivo_invalido: string | null;
          }>`select valido_para_disparo, motivo_invalido from lead_telefones where tenant_id = ${t} and lead_id = ${leadId}`.execute(
            tx,
          ),
        )
      ).rows[0];
    },
    async leadStatus(leadId: string) {
      return (
        await withTenant(db.kysely, t, (tx) =>
          sql<{ status: string }>`select status from leads where tenant_id = ${t} and lead_id = ${leadId}`.execute(tx),
        )
      ).rows[0].status;
    },
  };
}
