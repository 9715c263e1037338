import type { Selectable } from 'kysely';
import type { DisparosTable } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../errors.js';
import { callerKey, DISPARO_FINAL } from '../model/index.js';
import { assertCreditorForRealSend, loadDecisionContext } from '../outreach/decision-context.js';
import { maskDestination } from '../outreach/preview.js';
import type { Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { enqueueDisparos, type EnqueueResult } from './enqueue.js';
import type { sendMessageInput, SendMessageOutput } from './send-message.js';

/** How long send_message waits for the executor's outcome before answering with the row as it is. */
const WAIT_MS = 30_000;
const POLL_MS = 100;

type DisparoRow = Selectable<DisparosTable>;

/**
 * One lead, one message, for real: enqueued like a campaign's (idempotent: the caller's key, or the
 * lead and template under 'send_message'), then the executor's outcome is awaited.
 */
export async function sendOne(scope: Scope, input: Infer<typeof sendMessageInput>): Promise<SendMessageOutput> {
  const key = input.idempotency_key ? callerKey(input.idempotency_key) : undefined;
  const res = await scope.tx((tx) => enqueueOne(tx, scope, input.lead_id, input.template, key));
  const blockedCode = Object.keys(res.blocked)[0];
  // Asked again with a key already used: the answer is that send's state, even when the lead's gates
  // now block a new one (an `incerto` send leaves the lead where no new message may go).
  const earlier = blockedCode && key ? await scope.tx((tx) => byKey(tx, scope, input.lead_id, key)) : undefined;
  if (blockedCode && !res.enqueued && !res.duplicates && !earlier) {
    return {
      sent: false,
      mode: 'real',
      lead_id: input.lead_id,
      channel: 'none',
      destination: null,
      template: null,
      status: 'bloqueado',
      reason: blockedCode,
      message: null,
      dry_run_batch_id: null,
      disparo_id: null,
      message_id: null,
    };
  }
  const row = await waitForOutcome(scope, (tx) =>
    key
      ? byKey(tx, scope, input.lead_id, key)
      : res.disparoIds.length
        ? byId(tx, res.disparoIds[0])
        : latest(tx, scope, input.lead_id),
  );
  const sent = row.status === 'enviado';
  return {
    sent,
    mode: 'real',
    lead_id: input.lead_id,
    channel: row.canal,
    destination: maskDestination(row.canal, { telefone: row.destino, email: row.destino }),
    template: row.template,
    status: row.status,
    reason: row.motivo ?? row.erro ?? row.status,
    message: row.conteudo,
    dry_run_batch_id: null,
    disparo_id: row.disparo_id,
    message_id: row.message_id_externo,
  };
}

async function enqueueOne(
  tx: Tx,
  scope: Scope,
  leadId: string,
  template: string | undefined,
  key: string | undefined,
): Promise<EnqueueResult> {
  const ctx = await loadDecisionContext(tx, scope, template ? { whatsapp: template, email: template } : {});
  assertCreditorForRealSend(ctx);
  const exists = await tx
    .selectFrom('leads')
    .select('lead_id')
    .where('tenant_id', '=', ctx.tenantId)
    .where('lead_id', '=', leadId)
    .executeTakeFirst();
  if (!exists) throw new AppError('not_found', `Lead ${leadId} was not found for this tenant.`);
  return enqueueDisparos(
    tx,
    ctx,
    { leadIds: [leadId] },
    {
      campaignId: null,
      campaignKey: 'send_message',
      idempotencyKey: key,
      actor: scope.actorLabel,
      reason: 'disparo enfileirado (send_message)',
    },
  );
}

/**
 * Polls the row until it is final or deferred, or WAIT_MS passed (then it is answered as it is: still
 * pendente or em_execucao). The wait is real elapsed time (performance.now), not the scope's clock:
 * the executor works in real time, whatever time a test's clock says.
 */
async function waitForOutcome(scope: Scope, find: (tx: Tx) => Promise<DisparoRow | undefined>): Promise<DisparoRow> {
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const row = await scope.tx(find);
    if (!row) throw new AppError('failed_precondition', 'The message could not be enqueued.');
    if (DISPARO_FINAL.includes(row.status) || row.status === 'adiado' || performance.now() > deadline) return row;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const byKey = (tx: Tx, scope: Scope, leadId: string, key: string) =>
  tx
    .selectFrom('disparos')
    .selectAll()
    .where('tenant_id', '=', scope.tenant.tenant_id)
    .where('lead_id', '=', leadId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();

const byId = (tx: Tx, disparoId: string) =>
  tx.selectFrom('disparos').selectAll().where('disparo_id', '=', disparoId).executeTakeFirst();

/** The lead's latest disparo: a repeated send_message without a key is answered with the earlier one. */
const latest = (tx: Tx, scope: Scope, leadId: string) =>
  tx
    .selectFrom('disparos')
    .selectAll()
    .where('tenant_id', '=', scope.tenant.tenant_id)
    .where('lead_id', '=', leadId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
